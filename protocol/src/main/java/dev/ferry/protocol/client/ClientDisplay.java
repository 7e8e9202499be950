package dev.ferry.protocol.client;

import dev.ferry.posix.Fds;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;
import dev.ferry.posix.UnixSockets;
import dev.ferry.protocol.Connection;
import dev.ferry.protocol.Interface;
import dev.ferry.protocol.Message;
import dev.ferry.protocol.MessageValidator;
import dev.ferry.protocol.ObjectSpace;
import dev.ferry.protocol.Trace;
import dev.ferry.protocol.WireObject;
import dev.ferry.protocol.WireReader;
import dev.ferry.protocol.interfaces.WlCallback;
import dev.ferry.protocol.interfaces.WlDisplay;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A client connection to a Wayland display, for Java clients (client-sdk, tests, the nested
 * backend). Single-threaded: the owner calls {@link #dispatch} or {@link #roundtrip}; every
 * wait has a timeout.
 */
public final class ClientDisplay implements AutoCloseable {
    private final Connection connection;
    private final ObjectSpace<Proxy> objects = new ObjectSpace<>();
    private final WireReader reader;
    private final Proxy display;
    private String error;
    private int errorCode = -1;
    private int errorObject;

    private ClientDisplay(OwnedFd socket) {
        this.connection = new Connection(socket, 16L << 20);
        this.reader = new WireReader(objects::get, connection.fdsIn());
        this.display = new Proxy(this, 1, WlDisplay.INTERFACE, 1);
        objects.put(display);
        display.listen(new WlDisplay.Listener() {
            @Override
            public void error(Proxy self, Proxy objectId, int code, String message) {
                error = message;
                errorCode = code;
                errorObject = objectId == null ? 0 : objectId.id();
            }

            @Override
            public void deleteId(Proxy self, int id) {
                objects.remove(id);
            }
        });
    }

    /** Connects to a socket name (relative to XDG_RUNTIME_DIR) or an absolute path. */
    public static ClientDisplay connect(String nameOrPath) throws IOException {
        String path = nameOrPath;
        if (!nameOrPath.startsWith("/")) {
            String runtime = System.getenv("XDG_RUNTIME_DIR");
            if (runtime == null) throw new IOException("XDG_RUNTIME_DIR is not set");
            path = Path.of(runtime, nameOrPath).toString();
        }
        return new ClientDisplay(UnixSockets.connect(path));
    }

    /** Uses an already connected socket (e.g. one end of a socketpair); takes ownership. */
    public static ClientDisplay over(OwnedFd socket) {
        return new ClientDisplay(socket);
    }

    public Proxy display() { return display; }

    public Connection connection() { return connection; }

    public OwnedFd fd() { return connection.fd(); }

    public boolean failed() { return error != null; }

    public String error() { return error; }

    public int errorCode() { return errorCode; }

    public int errorObjectId() { return errorObject; }

    /** A proxy for an id this client allocates (used by generated request methods). */
    public Proxy newProxy(Interface iface, int version) {
        Proxy p = new Proxy(this, objects.nextClientId(), iface, version);
        objects.put(p);
        return p;
    }

    /** A proxy for an id the server allocated in an event. */
    public Proxy adoptServerObject(int id, Interface iface, int version) {
        if (iface == null) throw new IllegalStateException("untyped new_id in an event");
        Proxy p = new Proxy(this, id, iface, version);
        objects.put(p);
        return p;
    }

    public void flush() throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!connection.flush()) {
            if (System.nanoTime() > deadline) throw new IOException("compositor is not reading our requests");
            Fds.poll(connection.fd().fd(), Fds.POLLOUT, 100);
        }
        if (connection.overflowed()) throw new IOException("request buffer overflowed");
    }

    /**
     * Flushes, then reads and dispatches events for up to timeoutMs (returning as soon as some
     * were dispatched). Returns the number dispatched.
     */
    public int dispatch(int timeoutMs) throws IOException {
        flush();
        int n = dispatchPending();
        if (n > 0) return n;
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            long read = connection.fill();
            if (read == 0) throw new IOException(error != null ? "protocol error: " + error : "compositor closed the connection");
            if (read > 0) {
                n = dispatchPending();
                if (n > 0 || error != null) return n;
                continue;
            }
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) return 0;
            Fds.poll(connection.fd().fd(), Fds.POLLIN, (int) Math.min(left, Integer.MAX_VALUE));
        }
    }

    /** Dispatches complete events already read. */
    public int dispatchPending() throws IOException {
        int n = 0;
        while (connection.available() >= 8) {
            int objectId = connection.peekWord(0);
            int word = connection.peekWord(4);
            int size = word >>> 16;
            int opcode = word & 0xffff;
            if (size < 8) throw new IOException("malformed event size " + size);
            if (connection.available() < size) break;
            Proxy target = objects.get(objectId);
            long start = connection.inputStart();
            if (target == null) {
                // An event for an object we destroyed but the server had not yet heard of:
                // skip it, closing any fds it carried is impossible to know, libwayland does the same.
                connection.consume(size);
                continue;
            }
            if (opcode >= target.iface().events().length) throw new IOException("unknown event " + opcode + " on " + target);
            Message m = target.iface().events()[opcode];
            String problem = MessageValidator.check(m, connection.inputBuffer(), start + 8, start + size,
                    connection.fdsIn().size(), objects, false);
            if (problem != null) throw new IOException("malformed event " + target + "." + m.name() + ": " + problem);
            if (Trace.enabled()) Trace.incoming(target, m, connection.inputBuffer(), start + 8, start + size);
            reader.reset(connection.inputBuffer(), start + 8);
            target.iface().eventDispatcher().dispatch(target, opcode, reader);
            connection.consume(size);
            n++;
            if (m.destructor()) objects.remove(target.id());
        }
        return n;
    }

    /** wl_display.sync and wait for its done, up to timeoutMs. Returns false on timeout. */
    public boolean roundtrip(int timeoutMs) throws IOException {
        boolean[] done = new boolean[1];
        Proxy cb = WlDisplay.sync(display);
        cb.listen(new WlCallback.Listener() {
            @Override
            public void done(Proxy self, int data) {
                done[0] = true;
            }
        });
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!done[0]) {
            if (error != null) throw new IOException("protocol error " + errorCode + ": " + error);
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) return false;
            dispatch((int) left);
        }
        return true;
    }

    @Override
    public void close() {
        connection.close();
    }
}
