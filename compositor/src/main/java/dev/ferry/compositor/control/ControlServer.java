package dev.ferry.compositor.control;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Function;

/**
 * The control endpoint `ferry ctl` talks to: a Unix socket in a private directory beside the
 * Wayland socket. One request line per connection; the answer is {@code ok LENGTH\n} and that
 * many bytes, or {@code error MESSAGE\n}. It runs on its own thread so a slow ctl client never
 * touches the event loop; requests reach the loop through the handler.
 *
 * <p>{@code watch MS} streams instead: the answer is {@code ok stream\n}, then one line from the
 * {@link Watcher} every MS milliseconds until the client hangs up. Each watch has its own thread
 * (at most {@link #MAX_WATCHERS}), so the loop does the watcher's work once per interval and
 * nothing per frame; a client that stops reading blocks only its own thread.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    private static final int MAX_REQUEST = 4096;

    /** Answers one request line with bytes, or throws with a message for the client. */
    public interface Handler extends Function<String, byte[]> {}

    /** Makes the next line of a watch: one line of bytes, no newline in it. */
    public interface Watcher {
        byte[] line();
    }

    /** The shortest and longest watch intervals, in milliseconds. */
    public static final int MIN_WATCH_MS = 50, MAX_WATCH_MS = 3_600_000;
    /** At most this many watches at once (each holds a thread and a connection). */
    public static final int MAX_WATCHERS = 8;

    private final Watcher watcher;
    private final java.util.concurrent.atomic.AtomicInteger watchers = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);

    private final Path dir;
    private final Path path;
    private final ServerSocketChannel server;
    private final Thread thread;
    private volatile boolean closed;

    public ControlServer(Path runtimeDir, String waylandSocketName, Handler handler) throws IOException {
        this(runtimeDir, waylandSocketName, handler, null);
    }

    /** With watcher null, {@code watch} is refused. */
    public ControlServer(Path runtimeDir, String waylandSocketName, Handler handler, Watcher watcher) throws IOException {
        this.watcher = watcher;
        this.dir = controlDir(runtimeDir, waylandSocketName);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        this.path = dir.resolve("control");
        Files.deleteIfExists(path);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        thread = Thread.ofPlatform().name("ferry-control").daemon().start(() -> serve(handler));
    }

    /** Where the control socket of the compositor serving that Wayland socket lives. */
    public static Path controlDir(Path runtimeDir, String waylandSocketName) {
        return runtimeDir.resolve("ferry-" + waylandSocketName);
    }

    public Path path() { return path; }

    private void serve(Handler handler) {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                if (!closed) LOG.debug("control accept failed: {}", e.getMessage());
                if (!server.isOpen()) return;
                continue;
            }
            boolean handedOver = false;
            try {
                handedOver = answer(handler, ch);
            } catch (IOException e) {
                if (!closed) LOG.debug("control connection failed: {}", e.getMessage());
            } finally {
                // A watch's thread owns its connection from then on and closes it itself.
                if (!handedOver) closeQuietly(ch);
            }
        }
    }

    /** Answers one connection's request; true when a watch thread took the connection over. */
    private boolean answer(Handler handler, SocketChannel ch) throws IOException {
        InputStream in = Channels.newInputStream(ch);
        OutputStream out = Channels.newOutputStream(ch);
        String request = readLine(in).strip();
        if (request.equals("watch") || request.startsWith("watch ")) return startWatch(request, ch, out);
        try {
            byte[] answer = handler.apply(request);
            out.write(("ok " + answer.length + "\n").getBytes(StandardCharsets.US_ASCII));
            out.write(answer);
        } catch (RuntimeException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            out.write(("error " + msg.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
        }
        out.flush();
        return false;
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Nothing left to tell that client.
        }
    }

    /**
     * Answers a {@code watch MS} request: refuses it with an error line, or hands the connection
     * to a thread of its own and returns true (the caller must then leave it open).
     */
    private boolean startWatch(String request, SocketChannel ch, OutputStream out) throws IOException {
        String[] words = request.split("\\s+");
        String refusal = null;
        int intervalMs = 1000;
        if (watcher == null) refusal = "this compositor does not stream";
        else if (words.length > 2) refusal = "watch takes one interval in milliseconds";
        else if (words.length == 2) {
            try {
                intervalMs = Integer.parseInt(words[1]);
            } catch (NumberFormatException e) {
                intervalMs = -1;
            }
            if (intervalMs < MIN_WATCH_MS || intervalMs > MAX_WATCH_MS) {
                refusal = "watch interval '" + words[1] + "' out of range (" + MIN_WATCH_MS + ".." + MAX_WATCH_MS + " ms)";
            }
        }
        if (refusal == null && watchers.incrementAndGet() > MAX_WATCHERS) {
            watchers.decrementAndGet();
            refusal = "already " + MAX_WATCHERS + " watches running";
        }
        if (refusal != null) {
            out.write(("error " + refusal + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return false;
        }
        out.write("ok stream\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        int interval = intervalMs;
        Thread.ofPlatform().name("ferry-control-watch").daemon().start(() -> watch(ch, interval));
        return true;
    }

    private void watch(SocketChannel ch, int intervalMs) {
        try (ch) {
            OutputStream out = Channels.newOutputStream(ch);
            while (!closed) {
                // A line that cannot be made (the loop did not answer in time) ends the watch:
                // the client sees the stream end and can say so, rather than read stale data.
                byte[] line = watcher.line();
                out.write(line);
                out.write('\n');
                out.flush();
                if (closing.await(intervalMs, java.util.concurrent.TimeUnit.MILLISECONDS)) break;
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("watch ended: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watchers.decrementAndGet();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (sb.length() >= MAX_REQUEST) throw new IOException("control request too long");
            sb.append((char) c);
        }
        return sb.toString();
    }

    @Override
    public void close() {
        closed = true;
        closing.countDown();
        try {
            server.close();
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // Leftovers are replaced by the next compositor on this socket name.
        }
    }
}
