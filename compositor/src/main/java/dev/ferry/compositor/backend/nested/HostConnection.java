package dev.ferry.compositor.backend.nested;

import dev.ferry.client.WaylandClient;
import dev.ferry.posix.Epoll;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.client.ClientDisplay;
import dev.ferry.protocol.loop.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Ferry's connection to a host compositor, living on Ferry's event loop: its fd is watched for
 * input (read and dispatched at once) and the requests queued during a loop cycle are flushed
 * after it, without blocking (a full socket waits for EPOLLOUT). When the host goes (hangs up,
 * sends a protocol error, stops reading) the connection is dead and the owner is told once.
 */
final class HostConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostConnection.class);

    private final WaylandClient client;
    private final Path path;
    private final Runnable onGone;
    private EventLoop.Source source;
    private boolean gone;
    private boolean closed;

    private HostConnection(WaylandClient client, Path path, Runnable onGone) {
        this.client = client;
        this.path = path;
        this.onGone = onGone;
    }

    /** Connects to the host display (null: $WAYLAND_DISPLAY), refusing Ferry's own socket. */
    static HostConnection open(String hostDisplay, Path ownSocket, Runnable onGone) throws IOException {
        Path hostPath = socketPath(hostDisplay);
        if (ownSocket != null && (hostPath.toAbsolutePath().normalize().equals(ownSocket.toAbsolutePath().normalize())
                || Files.exists(hostPath) && Files.exists(ownSocket) && Files.isSameFile(hostPath, ownSocket))) {
            throw new IOException("the host display " + hostPath + " is Ferry's own socket; pass another with --host-display");
        }
        try {
            return new HostConnection(WaylandClient.connect(hostPath.toString()), hostPath, onGone);
        } catch (IOException e) {
            throw new IOException("cannot connect to the host compositor at " + hostPath + ": " + e.getMessage(), e);
        }
    }

    /** The host's socket path for a display name (null: $WAYLAND_DISPLAY). */
    static Path socketPath(String name) throws IOException {
        if (name == null || name.isEmpty()) name = System.getenv("WAYLAND_DISPLAY");
        if (name == null || name.isEmpty()) {
            throw new IOException("no host compositor: WAYLAND_DISPLAY is not set (pass --host-display NAME)");
        }
        if (name.startsWith("/")) return Path.of(name);
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime == null) throw new IOException("XDG_RUNTIME_DIR is not set, cannot find host display " + name);
        return Path.of(runtime, name);
    }

    WaylandClient client() { return client; }

    Path path() { return path; }

    /** Starts serving the connection on the loop (after the set-up roundtrips). */
    void attach(EventLoop loop) throws PosixException {
        ClientDisplay d = client.display();
        source = loop.add(d.fd().fd(), Epoll.EPOLLIN, this::ready);
        loop.afterDispatch(this::flush);
    }

    /** Whether the host connection is still usable. */
    boolean alive() { return !gone && !closed; }

    private void ready(int events) {
        if (!alive()) return;
        ClientDisplay d = client.display();
        try {
            // One read per wake-up: the loop's epoll is level-triggered, so what is left wakes it
            // again, and the read that would only answer EAGAIN is one system call per host event saved.
            long n = d.connection().fill();
            if (n == 0) {
                gone("the host compositor closed the connection");
                return;
            }
            d.dispatchPending();
            if (d.failed()) {
                gone("the host compositor sent protocol error " + d.errorCode() + ": " + d.error());
                return;
            }
        } catch (IOException e) {
            gone("the host connection failed: " + e.getMessage());
            return;
        }
        if ((events & Epoll.EPOLLOUT) != 0) flush();
    }

    private void flush() {
        if (!alive() || source == null) return;
        try {
            boolean all = client.display().connection().flush();
            if (client.display().connection().overflowed()) {
                gone("the host compositor stopped reading our requests");
                return;
            }
            source.interest(all ? Epoll.EPOLLIN : Epoll.EPOLLIN | Epoll.EPOLLOUT);
        } catch (PosixException e) {
            gone("the host connection failed: " + e.getMessage());
        }
    }

    /** The connection is of no more use (the host went, or closed the last window): stop serving it. */
    void gone(String why) {
        if (gone) return;
        gone = true;
        if (source != null) source.remove();
        LOG.warn("{}", why);
        onGone.run();
    }

    @Override
    public void close() {
        if (closed) return;
        boolean wasAlive = !gone;
        closed = true;
        if (source != null && wasAlive) source.remove();
        if (wasAlive) {
            try {
                client.flush();
            } catch (IOException e) {
                LOG.debug("last flush to the host failed", e);
            }
        }
        client.close();
    }
}
