package dev.ferry.compositor.xdg;

import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.compositor.seat.Seat;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.XdgPositioner;
import dev.ferry.protocol.interfaces.XdgSurface;
import dev.ferry.protocol.interfaces.XdgWmBase;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

/**
 * xdg_wm_base: turns wl_surfaces into desktop windows and popups. Each bound xdg_wm_base
 * counts the xdg_surfaces made from it, which must be gone before it is destroyed.
 */
public final class XdgWmBaseGlobal {
    public static final int VERSION = 6;

    private final Display display;
    private final Scene scene;
    private final Seat seat;

    public XdgWmBaseGlobal(Display display, Scene scene, Seat seat) {
        this.display = display;
        this.scene = scene;
        this.seat = seat;
        display.addGlobal(XdgWmBase.INTERFACE, VERSION,
                (client, version, id) -> {
                    Base base = new Base();
                    base.resource = client.createResource(id, XdgWmBase.INTERFACE, version, base);
                });
    }

    Display display() { return display; }
    Scene scene() { return scene; }
    Seat seat() { return seat; }

    /** One bound xdg_wm_base. */
    final class Base implements XdgWmBase.Requests {
        private Resource resource;
        /** Its xdg_surfaces not yet destroyed. */
        private int liveSurfaces;

        /** Its id, which xdg_wm_base errors name. */
        int id() { return resource.id(); }

        void surfaceGone() {
            liveSurfaces--;
        }

        @Override
        public void destroy(Resource self) {
            if (liveSurfaces > 0) {
                throw new ProtocolException(self.id(), XdgWmBase.ERROR_DEFUNCT_SURFACES,
                        self + " destroyed while " + liveSurfaces + " of its xdg_surfaces live");
            }
        }

        @Override
        public void createPositioner(Resource self, int id) {
            self.client().createResource(id, XdgPositioner.INTERFACE, self.version(), new Positioner());
        }

        @Override
        public void getXdgSurface(Resource self, int id, Resource surfaceRes) {
            Surface surface = surfaceRes.implementation(Surface.class);
            if (surface.role() != null) {
                throw new ProtocolException(self.id(), XdgWmBase.ERROR_ROLE, surfaceRes + " already has role " + surface.roleName());
            }
            if (surface.buffer() != null) {
                throw new ProtocolException(self.id(), XdgWmBase.ERROR_INVALID_SURFACE_STATE,
                        surfaceRes + " already has a buffer; an xdg_surface must start unmapped");
            }
            Resource r = self.client().createResource(id, XdgSurface.INTERFACE, self.version(), null);
            r.setImplementation(new XdgSurfaceRole(XdgWmBaseGlobal.this, this, r, surface));
            liveSurfaces++;
        }

        @Override
        public void pong(Resource self, int serial) {}
    }
}
