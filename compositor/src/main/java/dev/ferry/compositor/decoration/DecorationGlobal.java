package dev.ferry.compositor.decoration;

import dev.ferry.compositor.xdg.XdgSurfaceRole;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.ZxdgDecorationManagerV1;
import dev.ferry.protocol.interfaces.ZxdgToplevelDecorationV1;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * zxdg_decoration_manager_v1: Ferry draws no decorations, so every toplevel is told
 * client_side whatever it asks for (the protocol lets the compositor decide); each answer is
 * followed by a configure sequence, as the mode takes effect with the next configure.
 */
public final class DecorationGlobal implements ZxdgDecorationManagerV1.Requests {
    public static final int VERSION = 1;

    /** Toplevel (xdg_surface) to its decoration object: one each at most. */
    private final Map<XdgSurfaceRole, Resource> decorations = new IdentityHashMap<>();

    public DecorationGlobal(Display display) {
        display.addGlobal(ZxdgDecorationManagerV1.INTERFACE, VERSION,
                (client, version, id) -> client.createResource(id, ZxdgDecorationManagerV1.INTERFACE, version, this));
    }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void getToplevelDecoration(Resource self, int id, Resource toplevel) {
        XdgSurfaceRole xdg = XdgSurfaceRole.ofToplevel(toplevel);
        if (xdg == null) throw new ProtocolException(self.id(), ZxdgToplevelDecorationV1.ERROR_ORPHANED, toplevel + " is gone");
        if (decorations.containsKey(xdg)) {
            throw new ProtocolException(self.id(), ZxdgToplevelDecorationV1.ERROR_ALREADY_CONSTRUCTED, toplevel + " has a decoration object already");
        }
        if (xdg.surface().buffer() != null) {
            throw new ProtocolException(self.id(), ZxdgToplevelDecorationV1.ERROR_UNCONFIGURED_BUFFER, toplevel + " has a buffer already");
        }
        Resource r = self.client().createResource(id, ZxdgToplevelDecorationV1.INTERFACE, self.version(), new Decoration(xdg));
        decorations.put(xdg, r);
        answer(r, xdg);
    }

    private static void answer(Resource decoration, XdgSurfaceRole xdg) {
        ZxdgToplevelDecorationV1.sendConfigure(decoration, ZxdgToplevelDecorationV1.MODE_CLIENT_SIDE);
        xdg.reconfigure();
    }

    private final class Decoration implements ZxdgToplevelDecorationV1.Requests, Resource.DestroyListener {
        private final XdgSurfaceRole xdg;

        Decoration(XdgSurfaceRole xdg) {
            this.xdg = xdg;
        }

        @Override
        public void setMode(Resource self, int mode) {
            if (mode != ZxdgToplevelDecorationV1.MODE_CLIENT_SIDE && mode != ZxdgToplevelDecorationV1.MODE_SERVER_SIDE) {
                throw new ProtocolException(self.id(), ZxdgToplevelDecorationV1.ERROR_INVALID_MODE, "mode " + mode);
            }
            answer(self, xdg);
        }

        @Override public void unsetMode(Resource self) { answer(self, xdg); }
        @Override public void destroy(Resource self) {}
        @Override public void destroyed(Resource r) { decorations.remove(xdg, r); }
    }
}
