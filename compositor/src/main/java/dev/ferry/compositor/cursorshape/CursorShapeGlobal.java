package dev.ferry.compositor.cursorshape;

import dev.ferry.compositor.seat.Seat;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.WpCursorShapeDeviceV1;
import dev.ferry.protocol.interfaces.WpCursorShapeManagerV1;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

/**
 * wp_cursor_shape_manager_v1: clients name a cursor shape instead of drawing one; the seat
 * records it as its cursor (the same rule as wl_pointer.set_cursor: only the client with
 * pointer focus). Tablet tools are accepted and never used (Ferry has none).
 */
public final class CursorShapeGlobal implements WpCursorShapeManagerV1.Requests {
    public static final int VERSION = 1;
    /** The shapes of version 1: default (1) to zoom_out (34). */
    static final int FIRST_SHAPE = WpCursorShapeDeviceV1.SHAPE_DEFAULT, LAST_SHAPE = WpCursorShapeDeviceV1.SHAPE_ZOOM_OUT;

    private final Seat seat;

    public CursorShapeGlobal(Display display, Seat seat) {
        this.seat = seat;
        display.addGlobal(WpCursorShapeManagerV1.INTERFACE, VERSION,
                (client, version, id) -> client.createResource(id, WpCursorShapeManagerV1.INTERFACE, version, this));
    }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void getPointer(Resource self, int id, Resource pointer) {
        self.client().createResource(id, WpCursorShapeDeviceV1.INTERFACE, self.version(), device);
    }

    @Override
    public void getTabletToolV2(Resource self, int id, Resource tabletTool) {
        self.client().createResource(id, WpCursorShapeDeviceV1.INTERFACE, self.version(), device);
    }

    private final WpCursorShapeDeviceV1.Requests device = new WpCursorShapeDeviceV1.Requests() {
        @Override public void destroy(Resource self) {}

        @Override
        public void setShape(Resource self, int serial, int shape) {
            if (shape < FIRST_SHAPE || shape > LAST_SHAPE) {
                throw new ProtocolException(self.id(), WpCursorShapeDeviceV1.ERROR_INVALID_SHAPE, "shape " + shape);
            }
            seat.setCursorShape(self.client(), shape);
        }
    };
}
