package dev.ferry.client;

import dev.ferry.protocol.Interface;
import dev.ferry.protocol.client.ClientDisplay;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlDisplay;
import dev.ferry.protocol.interfaces.WlRegistry;
import dev.ferry.protocol.interfaces.XdgWmBase;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A connection to a Wayland compositor with its registry read: what globals exist at which
 * version, and binding them. Single-threaded like {@link ClientDisplay}; every wait is bounded.
 */
public final class WaylandClient implements AutoCloseable {
    /** One advertised global. */
    public record Global(int name, String iface, int version) {}

    private static final int ROUNDTRIP_MS = 5000;

    private final ClientDisplay display;
    private final Proxy registry;
    private final Map<Integer, Global> globals = new LinkedHashMap<>();
    private Proxy xdgWmBase;

    private WaylandClient(ClientDisplay display) throws IOException {
        this.display = display;
        this.registry = WlDisplay.getRegistry(display.display());
        registry.listen(new WlRegistry.Listener() {
            @Override
            public void global(Proxy self, int name, String iface, int version) {
                globals.put(name, new Global(name, iface, version));
            }

            @Override
            public void globalRemove(Proxy self, int name) {
                globals.remove(name);
            }
        });
        roundtrip();
    }

    /** Connects to $WAYLAND_DISPLAY-style name (relative to XDG_RUNTIME_DIR) or an absolute path. */
    public static WaylandClient connect(String socket) throws IOException {
        return new WaylandClient(ClientDisplay.connect(socket));
    }

    public static WaylandClient connectDefault() throws IOException {
        String name = System.getenv("WAYLAND_DISPLAY");
        return connect(name == null ? "wayland-0" : name);
    }

    public ClientDisplay display() { return display; }

    public List<Global> globals() { return new ArrayList<>(globals.values()); }

    public Global global(String iface) {
        for (Global g : globals.values()) if (g.iface().equals(iface)) return g;
        return null;
    }

    /** Binds the first global of that interface at min(wanted, advertised) version. */
    public Proxy bind(Interface iface, int wantedVersion) throws IOException {
        Global g = global(iface.name());
        if (g == null) throw new IOException("the compositor has no " + iface.name());
        return WlRegistry.bind(registry, g.name(), iface, Math.min(wantedVersion, Math.min(g.version(), iface.version())));
    }

    /**
     * xdg_wm_base (version 6 at most), bound on first use and then shared by every window of
     * this connection, answering each ping: a client that forgets the pong is one the compositor
     * may declare unresponsive.
     */
    public Proxy xdgWmBase() throws IOException {
        if (xdgWmBase == null) {
            Proxy wm = bind(XdgWmBase.INTERFACE, 6);
            wm.listen(new XdgWmBase.Listener() {
                @Override
                public void ping(Proxy self, int serial) {
                    XdgWmBase.pong(self, serial);
                }
            });
            xdgWmBase = wm;
        }
        return xdgWmBase;
    }

    /** Binds every global of that interface (e.g. all wl_outputs). */
    public List<Proxy> bindAll(Interface iface, int wantedVersion) {
        List<Proxy> out = new ArrayList<>();
        for (Global g : globals.values()) {
            if (g.iface().equals(iface.name())) {
                out.add(WlRegistry.bind(registry, g.name(), iface, Math.min(wantedVersion, Math.min(g.version(), iface.version()))));
            }
        }
        return out;
    }

    public void roundtrip() throws IOException {
        if (!display.roundtrip(ROUNDTRIP_MS)) throw new IOException("no answer from the compositor in " + ROUNDTRIP_MS + " ms");
    }

    /** Flushes and dispatches events for up to timeoutMs. */
    public int dispatch(int timeoutMs) throws IOException {
        return display.dispatch(timeoutMs);
    }

    public void flush() throws IOException {
        display.flush();
    }

    @Override
    public void close() {
        display.close();
    }
}
