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
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    private static final int MAX_REQUEST = 4096;

    /** Answers one request line with bytes, or throws with a message for the client. */
    public interface Handler extends Function<String, byte[]> {}

    private final Path dir;
    private final Path path;
    private final ServerSocketChannel server;
    private final Thread thread;
    private volatile boolean closed;

    public ControlServer(Path runtimeDir, String waylandSocketName, Handler handler) throws IOException {
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
            try (SocketChannel ch = server.accept()) {
                InputStream in = Channels.newInputStream(ch);
                OutputStream out = Channels.newOutputStream(ch);
                String request = readLine(in);
                byte[] answer;
                try {
                    answer = handler.apply(request.strip());
                    out.write(("ok " + answer.length + "\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(answer);
                } catch (RuntimeException e) {
                    String msg = e.getMessage() == null ? e.toString() : e.getMessage();
                    out.write(("error " + msg.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
                }
                out.flush();
            } catch (IOException e) {
                if (!closed) LOG.debug("control connection failed: {}", e.getMessage());
            }
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
        try {
            server.close();
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // Leftovers are replaced by the next compositor on this socket name.
        }
    }
}
