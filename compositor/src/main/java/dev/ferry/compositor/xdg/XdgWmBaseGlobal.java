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

/** xdg_wm_base: turns wl_surfaces into desktop windows and popups. */
public final class XdgWmBaseGlobal implements XdgWmBase.Requests {
    public static final int VERSION = 6;

    private final Display display;
    private final Scene scene;
    private final Seat seat;

    public XdgWmBaseGlobal(Display display, Scene scene, Seat seat) {
        this.display = display;
        this.scene = scene;
        this.seat = seat;
        display.addGlobal(XdgWmBase.INTERFACE, VERSION,
                (client, version, id) -> client.createResource(id, XdgWmBase.INTERFACE, version, this));
    }

    Display display() { return display; }
    Scene scene() { return scene; }
    Seat seat() { return seat; }

    @Override
    public void destroy(Resource self) {
        // Destroying the base while its surfaces live is an error (defunct_surfaces); clients
        // that do it are rare and the surfaces stay usable, so Ferry lets it pass.
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
        r.setImplementation(new XdgSurfaceRole(this, r, surface));
    }

    @Override
    public void pong(Resource self, int serial) {}
}
