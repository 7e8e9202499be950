package dev.ferry.protocol.server;

import dev.ferry.posix.Epoll;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;
import dev.ferry.posix.UnixSockets;
import dev.ferry.protocol.Connection;
import dev.ferry.protocol.Interface;
import dev.ferry.protocol.Message;
import dev.ferry.protocol.MessageValidator;
import dev.ferry.protocol.ObjectSpace;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.Trace;
import dev.ferry.protocol.WireObject;
import dev.ferry.protocol.WireReader;
import dev.ferry.protocol.interfaces.WlDisplay;
import dev.ferry.protocol.loop.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * One connected client: its socket, its id table, and the dispatch of its requests. Requests
 * are validated whole before dispatch; any error becomes wl_display.error for this client
 * alone, followed by a flush and a disconnect that releases all its objects and fds.
 */
public final class Client {
    private static final Logger LOG = LoggerFactory.getLogger(Client.class);

    private final Display display;
    private final Connection connection;
    private final ObjectSpace<Resource> objects = new ObjectSpace<>();
    private final WireReader reader;
    private final EventLoop.Source source;
    private final List<Runnable> destroyListeners = new ArrayList<>(2);
    private final int pid;
    private final Resource displayResource;
    private boolean disconnected;
    private boolean dispatching;
    private String disconnectReason;

    Client(Display display, OwnedFd socket) throws PosixException {
        this.display = display;
        this.connection = new Connection(socket, display.maxClientOutput());
        this.reader = new WireReader(objects::get, connection.fdsIn());
        int peerPid;
        try {
            peerPid = UnixSockets.peerCredentials(socket)[0];
        } catch (PosixException e) {
            peerPid = -1;
        }
        this.pid = peerPid;
        this.displayResource = new Resource(this, 1, WlDisplay.INTERFACE, 1, display.displayHandler());
        objects.put(displayResource);
        this.source = display.loop().add(socket.fd(), Epoll.EPOLLIN, this::onReady);
    }

    public Display display() { return display; }
    public int pid() { return pid; }
    public boolean disconnected() { return disconnected; }
    Connection connection() { return connection; }
    public Resource displayResource() { return displayResource; }
    public int objectCount() { return objects.size(); }

    /** The resource with that id, or null. */
    public Resource resource(int id) {
        return objects.get(id);
    }

    /** Creates the resource for a new id the client just sent (already validated as free). */
    public Resource createResource(int id, Interface iface, int version, Object implementation) {
        Resource r = new Resource(this, id, iface, version, implementation);
        objects.put(r);
        return r;
    }

    /** Creates a server-allocated object (ids from 0xff000000), e.g. for an event's new_id. */
    public Resource createServerResource(Interface iface, int version, Object implementation) {
        return createResource(objects.nextServerId(), iface, version, implementation);
    }

    void forget(Resource r) {
        objects.remove(r.id());
        if (!disconnected && Integer.compareUnsigned(r.id(), ObjectSpace.SERVER_ID_START) < 0) {
            WlDisplay.sendDeleteId(displayResource, r.id());
        }
    }

    public void onDestroy(Runnable listener) {
        destroyListeners.add(listener);
    }

    private void onReady(int events) throws PosixException {
        if ((events & Epoll.EPOLLOUT) != 0) flush();
        if ((events & Epoll.EPOLLIN) != 0) {
            while (!disconnected) {
                long n;
                try {
                    n = connection.fill();
                } catch (PosixException e) {
                    disconnect("socket error: " + e.getMessage());
                    return;
                }
                if (n == 0) {
                    disconnect("client closed the connection");
                    return;
                }
                dispatchAvailable();
                // One read per wake-up, as libwayland does: epoll is level-triggered and calls
                // again if more is waiting, so looping on to EAGAIN only adds a recvmsg per request.
                break;
            }
        } else if ((events & (Epoll.EPOLLHUP | Epoll.EPOLLERR)) != 0) {
            disconnect("client hung up");
        }
    }

    private void dispatchAvailable() {
        if (connection.fdsIn().overflowed()) {
            postError(displayResource, WlDisplay.ERROR_IMPLEMENTATION, "too many file descriptors queued");
            return;
        }
        dispatching = true;
        try {
            while (!disconnected && connection.available() >= 8) {
                int objectId = connection.peekWord(0);
                int word = connection.peekWord(4);
                int size = word >>> 16;
                int opcode = word & 0xffff;
                if (size < 8 || (size & 3) != 0) {
                    postError(displayResource, WlDisplay.ERROR_INVALID_METHOD,
                            "invalid message size " + size + " for object " + Integer.toUnsignedString(objectId));
                    return;
                }
                if (connection.available() < size) return;
                Resource target = objects.get(objectId);
                if (target == null) {
                    postError(displayResource, WlDisplay.ERROR_INVALID_OBJECT, "invalid object " + Integer.toUnsignedString(objectId));
                    return;
                }
                Message[] requests = target.iface().requests();
                if (opcode >= requests.length) {
                    postError(displayResource, WlDisplay.ERROR_INVALID_METHOD,
                            "invalid method " + opcode + ", object " + target);
                    return;
                }
                Message m = requests[opcode];
                if (target.version() < m.since()) {
                    postError(displayResource, WlDisplay.ERROR_INVALID_METHOD, "invalid method " + opcode
                            + " (since " + m.since() + " < " + target.version() + "), object " + target);
                    return;
                }
                long start = connection.inputStart();
                String problem = MessageValidator.check(m, connection.inputBuffer(), start + 8, start + size,
                        connection.fdsIn().size(), objects, true);
                if (problem != null) {
                    postError(displayResource, WlDisplay.ERROR_INVALID_METHOD,
                            "invalid arguments for " + target + "." + m.name() + ": " + problem);
                    return;
                }
                if (Trace.enabled()) Trace.incoming(target, m, connection.inputBuffer(), start + 8, start + size);
                reader.reset(connection.inputBuffer(), start + 8);
                try {
                    target.iface().requestDispatcher().dispatch(target, opcode, reader);
                } catch (ProtocolException e) {
                    Resource about = objects.get(e.objectId());
                    postError(about != null ? about : displayResource, e.code(), e.getMessage());
                } catch (RuntimeException e) {
                    LOG.error("handling {}.{} from client {} failed", target, m.name(), pid, e);
                    postError(displayResource, WlDisplay.ERROR_IMPLEMENTATION,
                            "compositor failed handling " + target + "." + m.name() + ": " + e);
                }
                if (disconnected) return;
                connection.consume(size);
                if (m.destructor() && !target.destroyed()) target.destroy();
            }
        } finally {
            dispatching = false;
        }
    }

    /**
     * wl_display.error about the object, then flush and disconnect, as libwayland does. Only
     * the first error of a client is sent.
     */
    public void postError(Resource about, int code, String message) {
        if (disconnected) return;
        LOG.info("protocol error for client {} on {}: code {}: {}", pid, about, code, message);
        WlDisplay.sendError(displayResource, about, code, message);
        try {
            connection.flush();
        } catch (PosixException ignored) {
            // The client is going away either way.
        }
        disconnect("protocol error: " + message);
    }

    /** Flushes pending events; returns false when the client must wait for EPOLLOUT. */
    boolean flush() {
        if (disconnected) return true;
        if (connection.overflowed()) {
            disconnect("client is not reading: output beyond " + display.maxClientOutput() + " bytes");
            return true;
        }
        if (!connection.hasPendingOutput()) {
            source.interest(Epoll.EPOLLIN);
            return true;
        }
        try {
            boolean done = connection.flush();
            source.interest(done ? Epoll.EPOLLIN : Epoll.EPOLLIN | Epoll.EPOLLOUT);
            return done;
        } catch (PosixException e) {
            disconnect("write failed: " + e.getMessage());
            return true;
        }
    }

    public String disconnectReason() { return disconnectReason; }

    /** Drops the client: every resource destroyed (listeners told), every fd closed. */
    public void disconnect(String reason) {
        if (disconnected) return;
        disconnected = true;
        disconnectReason = reason;
        if (reason.startsWith("client is not reading")) LOG.warn("disconnecting client {}: {}", pid, reason);
        else LOG.debug("client {} disconnected: {}", pid, reason);
        source.remove();
        for (Resource r : objects.snapshot()) {
            try {
                r.destroy();
            } catch (RuntimeException e) {
                LOG.error("destroying {} of a departing client failed", r, e);
            }
        }
        for (Runnable l : destroyListeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                LOG.error("client destroy listener failed", e);
            }
        }
        connection.close();
        display.removeClient(this);
    }

    @Override
    public String toString() {
        return "client pid " + pid;
    }
}
