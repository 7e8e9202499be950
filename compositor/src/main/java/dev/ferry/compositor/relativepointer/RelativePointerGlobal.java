package dev.ferry.compositor.relativepointer;

import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.seat.Seat;
import dev.ferry.posix.MonotonicClock;
import dev.ferry.protocol.interfaces.ZwpRelativePointerManagerV1;
import dev.ferry.protocol.interfaces.ZwpRelativePointerV1;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

import java.util.ArrayList;
import java.util.List;

/**
 * zwp_relative_pointer_manager_v1: every pointer motion as a delta to the focused client's
 * relative pointers, also when a lock keeps the pointer still (that is what games lock for).
 * Ferry's pointers have no acceleration, so both deltas are the same.
 */
public final class RelativePointerGlobal implements ZwpRelativePointerManagerV1.Requests, Seat.MotionFilter {
    public static final int VERSION = 1;

    private final List<Resource> relatives = new ArrayList<>();

    public RelativePointerGlobal(Display display, Seat seat) {
        display.addGlobal(ZwpRelativePointerManagerV1.INTERFACE, VERSION,
                (client, version, id) -> client.createResource(id, ZwpRelativePointerManagerV1.INTERFACE, version, this));
        seat.addMotionFilter(this);
    }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void getRelativePointer(Resource self, int id, Resource pointer) {
        Resource r = self.client().createResource(id, ZwpRelativePointerV1.INTERFACE, self.version(), null);
        r.setImplementation(new Relative());
        relatives.add(r);
    }

    @Override
    public double[] moved(Surface focus, double originX, double originY, double fromX, double fromY, double toX, double toY) {
        double dx = toX - fromX, dy = toY - fromY;
        if (dx == 0 && dy == 0) return new double[] {toX, toY};
        long us = MonotonicClock.nowNs() / 1000;
        for (Resource r : relatives) {
            if (r.client() == focus.resource().client()) {
                ZwpRelativePointerV1.sendRelativeMotion(r, (int) (us >>> 32), (int) us, dx, dy, dx, dy);
            }
        }
        return new double[] {toX, toY};
    }

    @Override
    public void pointerFocus(Surface now) {}

    private final class Relative implements ZwpRelativePointerV1.Requests, Resource.DestroyListener {
        @Override public void destroy(Resource self) {}
        @Override public void destroyed(Resource r) { relatives.remove(r); }
    }
}
