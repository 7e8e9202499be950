package dev.ferry.compositor.viewporter;

import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.core.SurfaceState;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.WpViewport;
import dev.ferry.protocol.interfaces.WpViewporter;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

/** wp_viewporter: crop (source) and scale (destination) per surface, double-buffered. */
public final class ViewporterGlobal implements WpViewporter.Requests {
    public ViewporterGlobal(Display display) {
        display.addGlobal(WpViewporter.INTERFACE, 1,
                (client, version, id) -> client.createResource(id, WpViewporter.INTERFACE, version, this));
    }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void getViewport(Resource self, int id, Resource surfaceRes) {
        Surface surface = surfaceRes.implementation(Surface.class);
        if (surface.viewport() != null) {
            throw new ProtocolException(self.id(), WpViewporter.ERROR_VIEWPORT_EXISTS, surfaceRes + " already has a viewport");
        }
        Resource r = self.client().createResource(id, WpViewport.INTERFACE, 1, null);
        Viewport v = new Viewport(r, surface);
        r.setImplementation(v);
        surface.setViewport(v);
    }

    /** One surface's viewport. Source values are kept as the client sent them (24.8 fixed). */
    private static final class Viewport implements WpViewport.Requests, Surface.CommitValidator, Resource.DestroyListener {
        private final Resource resource;
        private Surface surface;
        private double sx, sy, sw = -1, sh = -1;
        private int dw = -1, dh = -1;

        Viewport(Resource resource, Surface surface) {
            this.resource = resource;
            this.surface = surface;
        }

        private Surface live(Resource self) {
            if (surface == null || surface.destroyed()) {
                throw new ProtocolException(self.id(), WpViewport.ERROR_NO_SURFACE, "the viewport's wl_surface is gone");
            }
            return surface;
        }

        @Override
        public void destroy(Resource self) {}

        @Override
        public void setSource(Resource self, double x, double y, double width, double height) {
            Surface s = live(self);
            boolean unset = x == -1 && y == -1 && width == -1 && height == -1;
            if (!unset && (x < 0 || y < 0 || width <= 0 || height <= 0)) {
                throw new ProtocolException(self.id(), WpViewport.ERROR_BAD_VALUE,
                        "source " + x + "," + y + " " + width + "x" + height);
            }
            sx = x;
            sy = y;
            sw = unset ? -1 : width;
            sh = unset ? -1 : height;
            s.setPendingViewport(sx, sy, sw, sh, dw, dh);
        }

        @Override
        public void setDestination(Resource self, int width, int height) {
            Surface s = live(self);
            boolean unset = width == -1 && height == -1;
            if (!unset && (width <= 0 || height <= 0)) {
                throw new ProtocolException(self.id(), WpViewport.ERROR_BAD_VALUE, "destination " + width + "x" + height);
            }
            dw = unset ? -1 : width;
            dh = unset ? -1 : height;
            s.setPendingViewport(sx, sy, sw, sh, dw, dh);
        }

        @Override
        public void validate(Surface s) {
            SurfaceState st = s.state();
            if (st.buffer() == null || !st.hasSource()) return;
            if (st.dstW() < 0 && (st.srcW() != Math.rint(st.srcW()) || st.srcH() != Math.rint(st.srcH()))) {
                throw new ProtocolException(resource.id(), WpViewport.ERROR_BAD_SIZE,
                        "source size " + st.srcW() + "x" + st.srcH() + " is not integer and no destination is set");
            }
            boolean swap = (st.transform() & 1) != 0;
            double bw = (swap ? st.buffer().height() : st.buffer().width()) / (double) st.scale();
            double bh = (swap ? st.buffer().width() : st.buffer().height()) / (double) st.scale();
            if (st.srcX() + st.srcW() > bw || st.srcY() + st.srcH() > bh) {
                throw new ProtocolException(resource.id(), WpViewport.ERROR_OUT_OF_BUFFER, "source " + st.srcX() + "," + st.srcY()
                        + " " + st.srcW() + "x" + st.srcH() + " outside the " + bw + "x" + bh + " buffer");
            }
        }

        @Override
        public void destroyed(Resource r) {
            if (surface != null && !surface.destroyed()) {
                surface.setPendingViewport(0, 0, -1, -1, -1, -1);
                surface.setViewport(null);
            }
            surface = null;
        }
    }
}
