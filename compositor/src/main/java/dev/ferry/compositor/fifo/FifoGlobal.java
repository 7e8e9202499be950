package dev.ferry.compositor.fifo;

import dev.ferry.compositor.core.Surface;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.WpFifoManagerV1;
import dev.ferry.protocol.interfaces.WpFifoV1;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

/**
 * wp_fifo_manager_v1 and wp_fifo_v1: first-in first-out presentation. set_barrier and
 * wait_barrier are pending state of the next commit; the surface holds a waiting commit until the
 * barrier's content has been presented once ({@link Surface#setPendingFifo}). A surface that no
 * output shows never blocks: its barrier clears at once.
 */
public final class FifoGlobal implements WpFifoManagerV1.Requests {
    public FifoGlobal(Display display) {
        display.addGlobal(WpFifoManagerV1.INTERFACE, 1,
                (client, version, id) -> client.createResource(id, WpFifoManagerV1.INTERFACE, version, this));
    }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void getFifo(Resource self, int id, Resource surfaceRes) {
        Surface surface = surfaceRes.implementation(Surface.class);
        if (surface.fifo() != null) {
            throw new ProtocolException(self.id(), WpFifoManagerV1.ERROR_ALREADY_EXISTS, surfaceRes + " already has a wp_fifo_v1");
        }
        Resource r = self.client().createResource(id, WpFifoV1.INTERFACE, 1, null);
        r.setImplementation(new Fifo(surface));
        surface.setFifo(r);
    }

    /** One surface's fifo object; inert (surface_destroyed) once the surface is gone. */
    private static final class Fifo implements WpFifoV1.Requests, Resource.DestroyListener {
        private Surface surface;

        Fifo(Surface surface) {
            this.surface = surface;
        }

        private Surface live(Resource self) {
            if (surface == null || surface.destroyed()) {
                throw new ProtocolException(self.id(), WpFifoV1.ERROR_SURFACE_DESTROYED, "the wl_surface is gone");
            }
            return surface;
        }

        @Override
        public void setBarrier(Resource self) {
            live(self).setPendingFifo(true, false);
        }

        @Override
        public void waitBarrier(Resource self) {
            live(self).setPendingFifo(false, true);
        }

        @Override
        public void destroy(Resource self) {}

        @Override
        public void destroyed(Resource r) {
            if (surface != null && surface.fifo() == r) surface.setFifo(null);
            surface = null;
        }
    }
}
