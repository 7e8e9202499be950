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
import dev.ferry.protocol.loop.LogLimiter;
import dev.ferry.protocol.loop.SlowWorkLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * One connected client: its socket, its id table, and the dispatch of its requests. Requests
 * are validated whole before dispatch; any error becomes wl_display.error for this client
 * alone, followed by a flush and a disconnect that releases all its objects and fds.
 *
 * <p>Whatever goes wrong while one client is handled ends with that client: a handler's
 * unexpected exception is wl_display.error(implementation), running out of heap or going over
 * one of its {@link ClientLimits} is wl_display.error(no_memory), and either way the client is
 * disconnected and its fd closed; nothing escapes to the loop to be retried on every wake-up.
 * A client gets at most {@link #MESSAGE_BUDGET} requests or {@link #TURN_NS} per turn, so one
 * flooding client cannot hold the loop while others wait for their frame callbacks.
 */
public final class Client {
    private static final Logger LOG = LoggerFactory.getLogger(Client.class);
    /**
     * Requests dispatched per turn before the loop serves others. A real client's frame is a
     * few to a few dozen requests; a flood of a region's worth of rectangles (each bounded by
     * the region-rects limit) is cut into turns a fraction of a frame long.
     */
    static final int MESSAGE_BUDGET = 256;
    /** The longest a turn (or a slice of a departing client's teardown) runs before others get theirs. */
    static final long TURN_NS = 2_000_000;
    private static final LogLimiter HANDLER_FAILURES = LogLimiter.standard();
    private static final LogLimiter PROTOCOL_ERRORS = LogLimiter.standard();

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
    private final ClientLimits limits;
    /** What the client holds of each {@link ClientLimits.Kind}. */
    private final long[] held = new long[ClientLimits.Kind.values().length];
    /** A turn cut short by the budget is due to resume in the loop's next cycle. */
    private boolean resumeQueued;
    private final Runnable resume = this::resumeDispatch;
    /** A departing client's resources still to destroy, and the next one. */
    private List<Resource> teardown;
    private int teardownNext;

    Client(Display display, OwnedFd socket) throws PosixException {
        this.display = display;
        this.limits = display.limits();
        this.connection = new Connection(socket, limits.outputBytes());
        objects.limit(limits.objects());
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
        this.source = display.loop().addYielding(socket.fd(), Epoll.EPOLLIN, this::onReady);
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

    /**
     * Creates the resource for a new id the client just sent (already validated as free). Past
     * the client's object limit this throws the no_memory protocol error instead (from a
     * request handler, which it ends).
     */
    public Resource createResource(int id, Interface iface, int version, Object implementation) {
        if (objects.full() && Integer.compareUnsigned(id, ObjectSpace.SERVER_ID_START) < 0) {
            throw new ProtocolException(1, WlDisplay.ERROR_NO_MEMORY, "client holds " + objects.size()
                    + " objects, its limit (objects=" + limits.objects() + ")");
        }
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

    public ClientLimits limits() { return limits; }

    /** How much of kind the client holds now. */
    public long held(ClientLimits.Kind kind) {
        return held[kind.ordinal()];
    }

    /**
     * Counts amount more of kind against the client's limit. Over the limit nothing is counted
     * and this throws the no_memory protocol error: call it from a request handler before
     * keeping what was asked for, and the handler ends there.
     */
    public void charge(ClientLimits.Kind kind, long amount) {
        long now = held[kind.ordinal()] + amount;
        if (now > limits.of(kind)) {
            throw new ProtocolException(1, WlDisplay.ERROR_NO_MEMORY, "client would hold " + now + " " + kind.what()
                    + ", over its limit of " + limits.of(kind));
        }
        held[kind.ordinal()] = now;
    }

    /** Gives back what {@link #charge} counted. */
    public void release(ClientLimits.Kind kind, long amount) {
        held[kind.ordinal()] = Math.max(0, held[kind.ordinal()] - amount);
    }

    public void onDestroy(Runnable listener) {
        destroyListeners.add(listener);
    }

    private void onReady(int events) {
        try {
            handleReady(events);
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError | AssertionError e) {
            failed("handling its socket", e);
        }
    }

    private void resumeDispatch() {
        resumeQueued = false;
        if (disconnected) return;
        try {
            dispatchAvailable();
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError | AssertionError e) {
            failed("dispatching its requests", e);
        }
    }

    /**
     * The compositor failed while serving this client: the client is told (no_memory for a heap
     * exhausted, else implementation) and disconnected; nothing is retried.
     */
    private void failed(String what, Throwable e) {
        if (e instanceof OutOfMemoryError) {
            // Disconnect first: that drops what the client holds, so the error can be written.
            Resource display = displayResource;
            String message = "out of memory " + what;
            try {
                WlDisplay.sendError(display, display, WlDisplay.ERROR_NO_MEMORY, message);
                connection.flush();
            } catch (RuntimeException | OutOfMemoryError | PosixException ignored) {
                // Nothing more can be said to it.
            }
            disconnect(message);
            if (HANDLER_FAILURES.allow()) LOG.error("out of memory {} for client {}: disconnected ({} like it suppressed)", what, pid, HANDLER_FAILURES.takeSuppressed());
            return;
        }
        if (HANDLER_FAILURES.allow()) LOG.error("{} for client {} failed ({} like it suppressed)", what, pid, HANDLER_FAILURES.takeSuppressed(), e);
        if (!disconnected) {
            try {
                postError(displayResource, WlDisplay.ERROR_IMPLEMENTATION, "compositor failed " + what + ": " + e);
            } finally {
                disconnect("compositor failed " + what + ": " + e);
            }
        }
    }

    private void handleReady(int events) {
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
        int budget = MESSAGE_BUDGET;
        long turnEnd = System.nanoTime() + TURN_NS;
        try {
            while (!disconnected && connection.available() >= 8) {
                if (budget-- == 0 || ((budget & 15) == 0 && System.nanoTime() > turnEnd)) {
                    // Its turn is over. What is in the socket would wake us again, but what is
                    // already in the buffer would not: resume in the next cycle.
                    if (!resumeQueued) {
                        resumeQueued = true;
                        display.loop().later(resume);
                    }
                    return;
                }
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
                long t0 = SlowWorkLog.start();
                try {
                    target.iface().requestDispatcher().dispatch(target, opcode, reader);
                } catch (ProtocolException e) {
                    Resource about = objects.get(e.objectId());
                    postError(about != null ? about : displayResource, e.code(), e.getMessage());
                } catch (RuntimeException | StackOverflowError | AssertionError e) {
                    if (HANDLER_FAILURES.allow()) {
                        LOG.error("handling {}.{} from client {} failed ({} like it suppressed)", target, m.name(), pid,
                                HANDLER_FAILURES.takeSuppressed(), e);
                    }
                    postError(displayResource, WlDisplay.ERROR_IMPLEMENTATION,
                            "compositor failed handling " + target + "." + m.name() + ": " + e);
                }
                SlowWorkLog.endPart(t0, "request", target, m.name());
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
        if (PROTOCOL_ERRORS.allow()) {
            LOG.info("protocol error for client {} on {}: code {}: {} ({} like it suppressed)", pid, about, code, message,
                    PROTOCOL_ERRORS.takeSuppressed());
        }
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
            disconnect("client is not reading: output beyond " + limits.outputBytes() + " bytes");
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

    /**
     * Drops the client: its socket is closed at once, then every resource is destroyed
     * (listeners told, fds closed) in slices of at most {@link #TURN_NS} per loop cycle, so a
     * client that built 30 000 surfaces does not stall everyone while it goes (a single pass
     * took 140 ms on the test machine).
     */
    public void disconnect(String reason) {
        if (disconnected) return;
        disconnected = true;
        disconnectReason = reason;
        if (reason.startsWith("client is not reading")) LOG.warn("disconnecting client {}: {}", pid, reason);
        else LOG.debug("client {} disconnected: {}", pid, reason);
        long t0 = SlowWorkLog.start();
        source.remove();
        connection.close();
        SlowWorkLog.endPart(t0, "disconnect", this, "(closing its connection)");
        teardown = objects.snapshot();
        tearDown(false);
        SlowWorkLog.endPart(t0, "disconnect", this, "(with the first teardown slice)");
    }

    /** Finishes a disconnect in one go (compositor shutdown: the loop will not run again). */
    void disconnectNow(String reason) {
        disconnect(reason);
        if (teardown != null) tearDown(true);
    }

    private void tearDown(boolean all) {
        List<Resource> list = teardown;
        if (list == null) return;
        long deadline = System.nanoTime() + TURN_NS;
        while (teardownNext < list.size()) {
            Resource r = list.get(teardownNext++);
            long t0 = SlowWorkLog.start();
            try {
                r.destroy();
            } catch (RuntimeException e) {
                if (HANDLER_FAILURES.allow()) LOG.error("destroying {} of a departing client failed ({} like it suppressed)", r, HANDLER_FAILURES.takeSuppressed(), e);
            }
            SlowWorkLog.endPart(t0, "teardown", r, "(destroyed as its client left)");
            // The clock read every 8 objects: cold, 64 surfaces' teardown took 11 ms of one slice.
            if (!all && (teardownNext & 7) == 0 && System.nanoTime() > deadline && teardownNext < list.size()) {
                display.loop().later(() -> tearDown(false));
                return;
            }
        }
        teardown = null;
        for (Runnable l : destroyListeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                LOG.error("client destroy listener failed", e);
            }
        }
        display.removeClient(this);
    }

    @Override
    public String toString() {
        return "client pid " + pid;
    }
}
