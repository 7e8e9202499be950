package dev.ferry.compositor.activation;

import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.compositor.scene.Window;
import dev.ferry.compositor.seat.Seat;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.XdgActivationTokenV1;
import dev.ferry.protocol.interfaces.XdgActivationV1;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * xdg_activation_v1: a client asks for a token, hands it to another (a launched program, via
 * XDG_ACTIVATION_TOKEN), and that one activates its window with it: raised and given keyboard
 * focus. Policy: any token Ferry issued works once; an unknown or reused token is ignored, as
 * the protocol allows. Tokens are random so one client cannot guess another's.
 */
public final class ActivationGlobal implements XdgActivationV1.Requests {
    public static final int VERSION = 1;
    /** Tokens kept before the oldest is forgotten: a client that never uses its tokens cannot grow the set. */
    static final int MAX_TOKENS = 64;

    private final Scene scene;
    private final Seat seat;
    private final Set<String> issued = new LinkedHashSet<>();
    private final SecureRandom random = new SecureRandom();

    public ActivationGlobal(Display display, Scene scene, Seat seat) {
        this.scene = scene;
        this.seat = seat;
        display.addGlobal(XdgActivationV1.INTERFACE, VERSION,
                (client, version, id) -> client.createResource(id, XdgActivationV1.INTERFACE, version, this));
    }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void getActivationToken(Resource self, int id) {
        self.client().createResource(id, XdgActivationTokenV1.INTERFACE, self.version(), new Token());
    }

    @Override
    public void activate(Resource self, String token, Resource surfaceRes) {
        if (!issued.remove(token)) return;
        Surface s = surfaceRes.implementation(Surface.class);
        Window w = s == null ? null : scene.windowOf(s);
        if (w == null) return;
        scene.raise(w);
        seat.setKeyboardFocus(w.surface());
    }

    private String issue() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        String t = "ferry-" + HexFormat.of().formatHex(b);
        if (issued.size() >= MAX_TOKENS) issued.remove(issued.iterator().next());
        issued.add(t);
        return t;
    }

    private final class Token implements XdgActivationTokenV1.Requests {
        private boolean committed;

        private void unused(Resource self) {
            if (committed) throw new ProtocolException(self.id(), XdgActivationTokenV1.ERROR_ALREADY_USED, self + " was committed already");
        }

        @Override public void setSerial(Resource self, int serial, Resource seatRes) { unused(self); }
        @Override public void setAppId(Resource self, String appId) { unused(self); }
        @Override public void setSurface(Resource self, Resource surface) { unused(self); }

        @Override
        public void commit(Resource self) {
            unused(self);
            committed = true;
            XdgActivationTokenV1.sendDone(self, issue());
        }

        @Override public void destroy(Resource self) {}
    }
}
