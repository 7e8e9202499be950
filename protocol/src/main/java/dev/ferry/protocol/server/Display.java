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
    /** A client that does not read may queue this much before it is disconnected. */
    public static final long DEFAULT_MAX_CLIENT_OUTPUT = 4L << 20;

    private final EventLoop loop;
    private final long maxClientOutput;
    private final List<Client> clients = new ArrayList<>();
    private final List<Global> globals = new ArrayList<>();
    private final List<Resource> registries = new ArrayList<>();
    private final List<Consumer<Client>> clientListeners = new ArrayList<>();
    private final DisplayHandler displayHandler = new DisplayHandler();
    private final RegistryHandler registryHandler = new RegistryHandler();
    private int nextGlobalName = 1;
    private int serial;

    public Display(EventLoop loop) {
        this(loop, DEFAULT_MAX_CLIENT_OUTPUT);
    }

    public Display(EventLoop loop, long maxClientOutput) {
        if (maxClientOutput < (1L << 20)) throw new IllegalArgumentException("client output bound below 1 MiB");
        this.loop = loop;
        this.maxClientOutput = maxClientOutput;
        loop.afterDispatch(this::flushClients);
    }

    public EventLoop loop() { return loop; }
    long maxClientOutput() { return maxClientOutput; }
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
        clients.remove(c);
        registries.removeIf(r -> r.client() == c);
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
        for (Client c : List.copyOf(clients)) c.disconnect("compositor shutting down");
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
