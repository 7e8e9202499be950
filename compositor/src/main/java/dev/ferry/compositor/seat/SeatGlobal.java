package dev.ferry.compositor.seat;

import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.core.SurfaceRole;
import dev.ferry.protocol.interfaces.WlKeyboard;
import dev.ferry.protocol.interfaces.WlPointer;
import dev.ferry.protocol.interfaces.WlSeat;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

/**
 * wl_seat "seat0" with a pointer and a keyboard (no touch): the protocol side of {@link Seat}.
 * A client sees both capabilities from the start, whether or not input ever comes.
 */
public final class SeatGlobal implements WlSeat.Requests {
    public static final int VERSION = 9;
    public static final String NAME = "seat0";

    private final Seat seat;

    public SeatGlobal(Display display, Seat seat) {
        this.seat = seat;
        display.addGlobal(WlSeat.INTERFACE, VERSION, (client, version, id) -> {
            Resource r = client.createResource(id, WlSeat.INTERFACE, version, this);
            WlSeat.sendCapabilities(r, WlSeat.CAPABILITY_POINTER | WlSeat.CAPABILITY_KEYBOARD);
            if (version >= 2) WlSeat.sendName(r, NAME);
        });
    }

    public Seat seat() { return seat; }

    @Override
    public void getPointer(Resource self, int id) {
        Resource r = self.client().createResource(id, WlPointer.INTERFACE, self.version(), null);
        r.setImplementation(new Pointer());
        seat.addPointer(r);
    }

    @Override
    public void getKeyboard(Resource self, int id) {
        Resource r = self.client().createResource(id, WlKeyboard.INTERFACE, self.version(), new Keyboard());
        seat.addKeyboard(r);
    }

    @Override
    public void getTouch(Resource self, int id) {
        throw new dev.ferry.protocol.ProtocolException(self.id(), WlSeat.ERROR_MISSING_CAPABILITY, NAME + " has no touch");
    }

    @Override
    public void release(Resource self) {}

    private final class Keyboard implements WlKeyboard.Requests, Resource.DestroyListener {
        @Override public void release(Resource self) {}

        @Override public void destroyed(Resource r) { seat.removed(r); }
    }

    /** A wl_pointer; the cursor surface it sets is the seat's cursor while its client has pointer focus. */
    private final class Pointer implements WlPointer.Requests, Resource.DestroyListener {
        @Override
        public void setCursor(Resource self, int serial, Resource surfaceRes, int hotspotX, int hotspotY) {
            Surface s = surfaceRes == null ? null : surfaceRes.implementation(Surface.class);
            if (s != null && s.role() != CursorRole.INSTANCE) s.setRole(CursorRole.INSTANCE, self, WlPointer.ERROR_ROLE);
            seat.setCursor(self.client(), s, hotspotX, hotspotY);
        }

        @Override public void release(Resource self) {}

        @Override public void destroyed(Resource r) { seat.removed(r); }
    }

    /** The role of a surface set as a pointer cursor. */
    enum CursorRole implements SurfaceRole {
        INSTANCE;

        @Override public String roleName() { return "wl_pointer cursor"; }
    }
}
