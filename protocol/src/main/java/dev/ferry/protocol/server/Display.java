package dev.ferry.protocol.server;

import dev.ferry.posix.Epoll;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;
import dev.ferry.posix.UnixSockets;
import dev.ferry.protocol.Interface;
import dev.ferry.protocol.interfaces.WlCallback;
import dev.ferry.protocol.interfaces.WlDisplay;
import dev.ferry.protocol.interfaces.WlRegistry;
import dev.ferry.protocol.loop.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The server's display: the connected clients, the globals they can bind, and wl_display and
 * wl_registry themselves. Everything runs on one {@link EventLoop} thread.
 */
public final class Display {
    private static final Logger LOG = LoggerFactory.getLogger(Display.class);
    private final EventLoop loop;
    private ClientLimits limits;
    private final List<Client> clients = new ArrayList<>();
    private final List<Global> globals = new ArrayList<>();
    /**
     * Every live wl_registry, in creation order. A set: a client may hold tens of thousands and
     * each is removed when destroyed, so removal from a list would make a departing client's
     * teardown quadratic (seconds for 40 000, with every other client waiting).
     */
    private final java.util.LinkedHashSet<Resource> registries = new java.util.LinkedHashSet<>();
    private final List<Consumer<Client>> clientListeners = new ArrayList<>();
    private final DisplayHandler displayHandler = new DisplayHandler();
    private final RegistryHandler registryHandler = new RegistryHandler();
    private int nextGlobalName = 1;
    private int serial;

    public Display(EventLoop loop) {
        this(loop, ClientLimits.DEFAULTS);
    }

    /** A display whose clients may queue at most maxClientOutput bytes of events, other limits the defaults. */
    public Display(EventLoop loop, long maxClientOutput) {
        this(loop, ClientLimits.DEFAULTS.withOutputBytes(maxClientOutput));
    }

    public Display(EventLoop loop, ClientLimits limits) {
        this.loop = loop;
        this.limits = java.util.Objects.requireNonNull(limits);
        loop.afterDispatch(this::flushClients);
    }

    public EventLoop loop() { return loop; }

    /** The limits clients connecting from now on get. */
    public ClientLimits limits() { return limits; }

    public void limits(ClientLimits newLimits) {
        limits = java.util.Objects.requireNonNull(newLimits);
    }
    Object displayHandler() { return displayHandler; }

    public List<Client> clients() { return List.copyOf(clients); }

    public int nextSerial() {
        return ++serial;
    }

    /** Accepts clients from a listening socket (owned by the caller) on the loop. */
    public EventLoop.Source listen(OwnedFd listener) throws PosixException {
        return loop.add(listener.fd(), Epoll.EPOLLIN, events -> {
            OwnedFd fd;
            while ((fd = UnixSockets.accept(listener)) != null) addClient(fd);
        });
    }

    /** Serves a client on an already-connected socket, which the client now owns. */
    public Client addClient(OwnedFd socket) {
        try {
            Client c = new Client(this, socket);
            clients.add(c);
            for (Consumer<Client> l : clientListeners) l.accept(c);
            return c;
        } catch (PosixException e) {
            LOG.warn("could not serve a new client: {}", e.getMessage());
            socket.close();
            return null;
        }
    }

    public void onClientCreated(Consumer<Client> listener) {
        clientListeners.add(listener);
    }

    void removeClient(Client c) {
        // Its registries left the set as its resources were destroyed.
        clients.remove(c);
    }

    public Global addGlobal(Interface iface, int version, Global.Binder binder) {
        if (version > iface.version()) throw new IllegalArgumentException(iface + " advertised at v" + version);
        Global g = new Global(nextGlobalName++, iface, version, binder);
        globals.add(g);
        for (Resource r : registries) WlRegistry.sendGlobal(r, g.name(), iface.name(), version);
        return g;
    }

    public void removeGlobal(Global g) {
        if (g.removed()) return;
        g.markRemoved();
        globals.remove(g);
        for (Resource r : registries) WlRegistry.sendGlobalRemove(r, g.name());
    }

    public List<Global> globals() { return List.copyOf(globals); }

    /** Sends what every client has queued; clients that cannot take it wait for EPOLLOUT. */
    public void flushClients() {
        for (int i = clients.size() - 1; i >= 0; i--) {
            if (i < clients.size()) clients.get(i).flush();
        }
    }

    /** Disconnects everyone (shutdown). */
    public void close() {
        for (Client c : List.copyOf(clients)) c.disconnectNow("compositor shutting down");
    }

    private final class DisplayHandler implements WlDisplay.Requests {
        @Override
        public void sync(Resource self, int callback) {
            Resource cb = self.client().createResource(callback, WlCallback.INTERFACE, 1, null);
            WlCallback.sendDone(cb, nextSerial());
            cb.destroy();
        }

        @Override
        public void getRegistry(Resource self, int registry) {
            Resource r = self.client().createResource(registry, WlRegistry.INTERFACE, 1, registryHandler);
            registries.add(r);
            for (Global g : globals) WlRegistry.sendGlobal(r, g.name(), g.iface().name(), g.version());
        }
    }

    private final class RegistryHandler implements WlRegistry.Requests, Resource.DestroyListener {
        @Override
        public void bind(Resource self, int name, String interfaceName, int interfaceVersion, int id) {
            Global g = null;
            for (Global candidate : globals) if (candidate.name() == name) g = candidate;
            if (g == null || !g.iface().name().equals(interfaceName)) {
                self.client().postError(self.client().displayResource(), WlDisplay.ERROR_INVALID_OBJECT,
                        "invalid global " + interfaceName + " (" + name + ")");
                return;
            }
            if (interfaceVersion < 1 || interfaceVersion > g.version()) {
                self.client().postError(self.client().displayResource(), WlDisplay.ERROR_INVALID_OBJECT,
                        "invalid version for global " + interfaceName + " (" + name + "): have " + g.version()
                                + ", wanted " + interfaceVersion);
                return;
            }
            g.binder().bind(self.client(), interfaceVersion, id);
        }

        @Override
        public void destroyed(Resource resource) {
            registries.remove(resource);
        }
    }
}
