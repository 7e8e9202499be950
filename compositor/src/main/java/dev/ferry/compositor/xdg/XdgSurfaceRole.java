package dev.ferry.compositor.xdg;

import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.core.SurfaceRole;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.compositor.scene.Window;
import dev.ferry.compositor.seat.Seat;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.XdgPopup;
import dev.ferry.protocol.interfaces.XdgSurface;
import dev.ferry.protocol.interfaces.XdgToplevel;
import dev.ferry.protocol.interfaces.XdgWmBase;
import dev.ferry.protocol.server.Client;
import dev.ferry.protocol.server.Resource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * xdg_surface and the role under it (xdg_toplevel or xdg_popup). The configure sequence: the
 * first commit (which must carry no buffer) is answered with a configure; the client acks it;
 * the next commit with a buffer maps the window. A null buffer unmaps it and starts over.
 */
public final class XdgSurfaceRole implements XdgSurface.Requests, Resource.DestroyListener {
    private final XdgWmBaseGlobal shell;
    private final Resource resource;
    private final Surface surface;
    private final List<Integer> sentSerials = new ArrayList<>(2);
    private Role role;
    private Window window;
    private boolean initialCommitSeen;
    private boolean acked;
    private boolean mapped;

    private final XdgWmBaseGlobal.Base base;

    XdgSurfaceRole(XdgWmBaseGlobal shell, XdgWmBaseGlobal.Base base, Resource resource, Surface surface) {
        this.shell = shell;
        this.base = base;
        this.resource = resource;
        this.surface = surface;
    }

    public Window window() { return window; }

    public Surface surface() { return surface; }

    /** The xdg_surface behind an xdg_toplevel resource, or null when it is something else. */
    public static XdgSurfaceRole ofToplevel(Resource toplevel) {
        Object impl = toplevel == null ? null : toplevel.implementation();
        return impl instanceof Toplevel t ? t.owner() : null;
    }

    /**
     * Sends a new configure sequence if the first one went out already (a protocol extension
     * such as xdg-decoration changed what the next configure says); before that, the initial
     * commit's configure carries it.
     */
    public void reconfigure() {
        if (initialCommitSeen) sendConfigure();
    }

    /** The toplevel or popup role object that the wl_surface carries. */
    private abstract class Role implements SurfaceRole, Resource.DestroyListener {
        final Resource roleResource;

        Role(Resource roleResource) {
            this.roleResource = roleResource;
        }

        @Override
        public void beforeCommit(Surface s) {
            if (surface.pendingAttachesBuffer() && !acked) {
                throw new ProtocolException(resource.id(), XdgSurface.ERROR_UNCONFIGURED_BUFFER,
                        surface + " attached a buffer before acking a configure");
            }
        }

        @Override
        public void afterCommit(Surface s) {
            if (!initialCommitSeen) {
                initialCommitSeen = true;
                sendConfigure();
                return;
            }
            Scene scene = shell.scene();
            if (surface.buffer() != null && !mapped) {
                mapped = true;
                scene.map(window);
                shell.seat().windowMapped(window);
            } else if (surface.buffer() == null && mapped) {
                mapped = false;
                initialCommitSeen = false;
                acked = false;
                unmapped();
            } else if (mapped) {
                scene.place(window);
            }
        }

        @Override
        public void surfaceDestroyed(Surface s) {
            unmapNow();
        }

        @Override
        public void destroyed(Resource r) {
            unmapNow();
            surface.clearRole(this);
            role = null;
        }

        abstract void configureRole(int serial);

        XdgSurfaceRole owner() { return XdgSurfaceRole.this; }
    }

    private void unmapNow() {
        if (mapped) {
            mapped = false;
            unmapped();
        }
    }

    private void unmapped() {
        shell.scene().unmap(window);
        shell.seat().windowUnmapped(window);
        if (role instanceof Popup p) shell.seat().removePopupGrab(p);
    }

    void sendConfigure() {
        if (role == null) return;
        int serial = shell.display().nextSerial();
        role.configureRole(serial);
        sentSerials.add(serial);
        XdgSurface.sendConfigure(resource, serial);
    }

    private final class Toplevel extends Role implements XdgToplevel.Requests {
        private int pendingMinW, pendingMinH, pendingMaxW, pendingMaxH;

        Toplevel(Resource r) {
            super(r);
        }

        @Override public String roleName() { return "xdg_toplevel"; }

        @Override
        void configureRole(int serial) {
            int w = 0, h = 0;
            List<Integer> states = new ArrayList<>(3);
            Output target = window.fullscreenOn() != null ? window.fullscreenOn()
                    : window.maximized() ? shell.scene().primaryOutput() : null;
            if (target != null) {
                w = target.width();
                h = target.height();
            }
            if (window.fullscreenOn() != null) states.add(XdgToplevel.STATE_FULLSCREEN);
            if (window.maximized()) states.add(XdgToplevel.STATE_MAXIMIZED);
            states.add(XdgToplevel.STATE_ACTIVATED);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment array = arena.allocate(4L * states.size(), 4);
                for (int i = 0; i < states.size(); i++) array.setAtIndex(JAVA_INT, i, states.get(i));
                XdgToplevel.sendConfigure(roleResource, w, h, array);
            }
        }

        @Override public void destroy(Resource self) {}
        @Override public void setParent(Resource self, Resource parent) {}
        @Override public void setTitle(Resource self, String title) { window.setTitle(title); }
        @Override public void setAppId(Resource self, String appId) { window.setAppId(appId); }
        @Override public void showWindowMenu(Resource self, Resource seat, int serial, int x, int y) {}
        @Override public void move(Resource self, Resource seat, int serial) {}
        @Override
        public void resize(Resource self, Resource seat, int serial, int edges) {
            if (!validResizeEdge(edges)) {
                throw new ProtocolException(self.id(), XdgToplevel.ERROR_INVALID_RESIZE_EDGE, "resize edge " + edges + " is not one of xdg_toplevel.resize_edge");
            }
        }

        @Override public void setMaxSize(Resource self, int width, int height) {
            if (width < 0 || height < 0) throw new ProtocolException(self.id(), XdgToplevel.ERROR_INVALID_SIZE, "max size " + width + "x" + height);
            pendingMaxW = width;
            pendingMaxH = height;
        }
        @Override public void setMinSize(Resource self, int width, int height) {
            if (width < 0 || height < 0) throw new ProtocolException(self.id(), XdgToplevel.ERROR_INVALID_SIZE, "min size " + width + "x" + height);
            pendingMinW = width;
            pendingMinH = height;
        }

        /**
         * Min and max size are double-buffered: a client may lower the max before it lowers the
         * min, so they are compared when committed (0 is "no limit").
         */
        @Override
        public void beforeCommit(Surface s) {
            super.beforeCommit(s);
            if ((pendingMaxW != 0 && pendingMinW > pendingMaxW) || (pendingMaxH != 0 && pendingMinH > pendingMaxH)) {
                throw new ProtocolException(roleResource.id(), XdgToplevel.ERROR_INVALID_SIZE, "min size " + pendingMinW + "x" + pendingMinH
                        + " is larger than max size " + pendingMaxW + "x" + pendingMaxH);
            }
        }

        @Override
        public void setMaximized(Resource self) {
            window.setMaximized(true);
            if (initialCommitSeen) sendConfigure();
        }

        @Override
        public void unsetMaximized(Resource self) {
            window.setMaximized(false);
            if (initialCommitSeen) sendConfigure();
        }

        @Override
        public void setFullscreen(Resource self, Resource output) {
            Output o = output == null ? null : output.implementation(Output.class);
            if (o == null) o = shell.scene().primaryOutput();
            window.setFullscreen(o);
            if (initialCommitSeen) sendConfigure();
        }

        @Override
        public void unsetFullscreen(Resource self) {
            window.setFullscreen(null);
            if (initialCommitSeen) sendConfigure();
        }

        @Override public void setMinimized(Resource self) {}
    }

    /** A popup with a grab is dismissed (popup_done) when a click lands outside its client. */
    private final class Popup extends Role implements XdgPopup.Requests, Seat.PopupGrab {
        private Positioner positioner;

        Popup(Resource r, Positioner positioner) {
            super(r);
            this.positioner = positioner;
        }

        @Override public String roleName() { return "xdg_popup"; }

        @Override
        void configureRole(int serial) {
            int[] at = positioner.place();
            window.setRelative(at[0], at[1]);
            XdgPopup.sendConfigure(roleResource, at[0], at[1], positioner.width, positioner.height);
        }

        @Override public void destroy(Resource self) {}
        @Override
        public void grab(Resource self, Resource seat, int serial) {
            if (mapped) {
                throw new ProtocolException(self.id(), XdgPopup.ERROR_INVALID_GRAB, "grab asked after " + self + " was mapped");
            }
            shell.seat().addPopupGrab(this);
        }

        @Override public Client client() { return roleResource.client(); }

        @Override
        public void dismiss() {
            XdgPopup.sendPopupDone(roleResource);
        }

        @Override
        public void destroyed(Resource r) {
            shell.seat().removePopupGrab(this);
            super.destroyed(r);
        }

        @Override
        public void reposition(Resource self, Resource positionerRes, int token) {
            Positioner p = positionerRes.implementation(Positioner.class);
            String incomplete = p.incomplete();
            if (incomplete != null) throw new ProtocolException(base.id(), XdgWmBase.ERROR_INVALID_POSITIONER, "positioner " + incomplete);
            positioner = p.copy();
            XdgPopup.sendRepositioned(self, token);
            sendConfigure();
        }
    }

    /** xdg_toplevel.resize_edge: none, one side, or two adjacent sides. */
    private static boolean validResizeEdge(int edges) {
        return switch (edges) {
            case XdgToplevel.RESIZE_EDGE_NONE, XdgToplevel.RESIZE_EDGE_TOP, XdgToplevel.RESIZE_EDGE_BOTTOM,
                 XdgToplevel.RESIZE_EDGE_LEFT, XdgToplevel.RESIZE_EDGE_TOP_LEFT, XdgToplevel.RESIZE_EDGE_BOTTOM_LEFT,
                 XdgToplevel.RESIZE_EDGE_RIGHT, XdgToplevel.RESIZE_EDGE_TOP_RIGHT, XdgToplevel.RESIZE_EDGE_BOTTOM_RIGHT -> true;
            default -> false;
        };
    }

    // ---- xdg_surface requests ----

    @Override
    public void destroy(Resource self) {
        if (role != null) {
            throw new ProtocolException(self.id(), XdgSurface.ERROR_DEFUNCT_ROLE_OBJECT,
                    "xdg_surface destroyed before its " + role.roleName());
        }
    }

    @Override
    public void getToplevel(Resource self, int id) {
        if (role != null) throw new ProtocolException(self.id(), XdgSurface.ERROR_ALREADY_CONSTRUCTED, self + " already has a role object");
        Resource r = self.client().createResource(id, XdgToplevel.INTERFACE, self.version(), null);
        Toplevel t = new Toplevel(r);
        surface.setRole(t, self, XdgWmBase.ERROR_ROLE);
        r.setImplementation(t);
        role = t;
        window = new Window(surface, Window.Kind.TOPLEVEL, null);
        window.onReconfigure(this::reconfigure);
    }

    @Override
    public void getPopup(Resource self, int id, Resource parentRes, Resource positionerRes) {
        if (role != null) throw new ProtocolException(self.id(), XdgSurface.ERROR_ALREADY_CONSTRUCTED, self + " already has a role object");
        Positioner p = positionerRes.implementation(Positioner.class);
        String incomplete = p.incomplete();
        if (incomplete != null) throw new ProtocolException(base.id(), XdgWmBase.ERROR_INVALID_POSITIONER, "positioner " + incomplete);
        XdgSurfaceRole parent = parentRes == null ? null : parentRes.implementation(XdgSurfaceRole.class);
        if (parent == this) {
            throw new ProtocolException(base.id(), XdgWmBase.ERROR_INVALID_POPUP_PARENT, self + " cannot be its own popup parent");
        }
        if (parent != null && parent.role == null) {
            // Also what stops two popups parenting each other: the second's parent has no role yet.
            throw new ProtocolException(base.id(), XdgWmBase.ERROR_INVALID_POPUP_PARENT,
                    "popup parent " + parentRes + " is not a toplevel or popup yet");
        }
        Resource r = self.client().createResource(id, XdgPopup.INTERFACE, self.version(), null);
        Popup popup = new Popup(r, p.copy());
        surface.setRole(popup, self, XdgWmBase.ERROR_ROLE);
        r.setImplementation(popup);
        role = popup;
        window = new Window(surface, Window.Kind.POPUP, parent == null ? null : parent.window);
    }

    @Override
    public void setWindowGeometry(Resource self, int x, int y, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new ProtocolException(self.id(), XdgSurface.ERROR_INVALID_SIZE, "window geometry " + width + "x" + height);
        }
        if (window != null) window.setGeometry(x, y, width, height);
    }

    @Override
    public void ackConfigure(Resource self, int serial) {
        int i = sentSerials.indexOf(serial);
        if (i < 0) throw new ProtocolException(self.id(), XdgSurface.ERROR_INVALID_SERIAL, "no configure with serial " + serial);
        sentSerials.subList(0, i + 1).clear();
        acked = true;
    }

    @Override
    public void destroyed(Resource r) {
        unmapNow();
        base.surfaceGone();
    }
}
