package dev.ferry.client;

import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.interfaces.XdgSurface;
import dev.ferry.protocol.interfaces.XdgToplevel;
import dev.ferry.protocol.interfaces.XdgWmBase;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A wl_surface in the xdg_toplevel role for a client that takes whatever the compositor
 * configures: every configure is acked as it arrives, and the size the last toplevel configure
 * proposed (0 x 0: the client's choice) is remembered. Nothing is committed here; the window
 * that owns it commits when it is ready.
 */
public final class Toplevel {
    private final Proxy surface;
    private final Proxy xdgSurface;
    private final Proxy toplevel;
    private boolean configured;
    private int width;
    private int height;

    /** compositor: the client's wl_compositor proxy; title: xdg_toplevel.set_title, null for none. */
    public Toplevel(WaylandClient client, Proxy compositor, String title) throws IOException {
        Proxy wm = client.xdgWmBase();
        surface = WlCompositor.createSurface(compositor);
        xdgSurface = XdgWmBase.getXdgSurface(wm, surface);
        xdgSurface.listen(new XdgSurface.Listener() {
            @Override
            public void configure(Proxy self, int serial) {
                XdgSurface.ackConfigure(self, serial);
                configured = true;
            }
        });
        toplevel = XdgSurface.getToplevel(xdgSurface);
        toplevel.listen(new XdgToplevel.Listener() {
            @Override
            public void configure(Proxy self, int w, int h, MemorySegment states) {
                width = w;
                height = h;
            }
        });
        if (title != null) XdgToplevel.setTitle(toplevel, title);
    }

    public Proxy surface() { return surface; }
    /** The xdg_surface (a popup's parent is named by it). */
    public Proxy xdgSurface() { return xdgSurface; }
    public Proxy toplevel() { return toplevel; }

    /** Whether a configure sequence has been received (and acked). */
    public boolean configured() { return configured; }

    /** The width the last toplevel configure proposed, 0 for the client's choice. */
    public int configuredWidth() { return width; }

    public int configuredHeight() { return height; }

    /** Destroys the role objects, then the surface, in the order xdg-shell requires. */
    public void destroy() {
        if (!toplevel.isDestroyed()) XdgToplevel.destroy(toplevel);
        if (!xdgSurface.isDestroyed()) XdgSurface.destroy(xdgSurface);
        if (!surface.isDestroyed()) WlSurface.destroy(surface);
    }
}
