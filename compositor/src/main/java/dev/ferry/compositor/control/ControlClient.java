package dev.ferry.compositor.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.function.Predicate;

/** The `ferry ctl` side of {@link ControlServer}. */
public final class ControlClient {
    private ControlClient() {}

    /**
     * The control socket of the Ferry serving Wayland socket name; name null: $WAYLAND_DISPLAY's,
     * else the only Ferry running in $XDG_RUNTIME_DIR.
     */
    public static Path locate(String name) throws IOException {
        Path runtime = dev.ferry.compositor.socket.WaylandSocket.runtimeDir();
        String chosen = name != null ? name : System.getenv("WAYLAND_DISPLAY");
        if (chosen != null && Files.exists(ControlServer.controlDir(runtime, chosen).resolve("control"))) {
            return ControlServer.controlDir(runtime, chosen).resolve("control");
        }
        if (name != null) throw new IOException("no Ferry is serving socket " + name + " (no " + ControlServer.controlDir(runtime, name) + ")");
        List<Path> running;
        try (Stream<Path> s = Files.list(runtime)) {
            running = s.filter(p -> p.getFileName().toString().startsWith("ferry-") && Files.exists(p.resolve("control"))).toList();
        }
        if (running.size() != 1) {
            throw new IOException(running.isEmpty() ? "no Ferry is running in " + runtime
                    : running.size() + " Ferry instances are running; pick one with --socket");
        }
        return running.getFirst().resolve("control");
    }

    public static byte[] request(Path controlSocket, String line) throws IOException {
        try (SocketChannel ch = connect(controlSocket)) {
            InputStream in = send(ch, line);
            String h = head(in);
            if (!h.startsWith("ok ")) throw new IOException("unexpected answer from the compositor: " + h);
            int length = Integer.parseInt(h.substring(3).trim());
            byte[] body = in.readNBytes(length);
            if (body.length != length) throw new IOException("answer cut short: " + body.length + " of " + length + " bytes");
            return body;
        }
    }

    /**
     * Asks for a watch ({@code watch INTERVAL_MS}) and hands each line to onLine until it returns
     * false or the compositor ends the stream; the latter is an IOException saying so.
     */
    public static void watch(Path controlSocket, int intervalMs, Predicate<String> onLine) throws IOException {
        try (SocketChannel ch = connect(controlSocket)) {
            InputStream in = send(ch, "watch " + intervalMs);
            String h = head(in);
            if (!h.equals("ok stream")) throw new IOException("unexpected answer from the compositor: " + h);
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null) {
                if (!onLine.test(line)) return;
            }
            throw new IOException("the compositor ended the stream (it stopped, or did not answer in time)");
        }
    }

    /** Connects, or says in words why not: a socket nobody listens on belongs to a compositor that is gone. */
    private static SocketChannel connect(Path controlSocket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(controlSocket));
            return ch;
        } catch (ConnectException e) {
            ch.close();
            throw new IOException("the compositor is gone: nothing listens on its control socket " + controlSocket
                    + " (left behind by a Ferry that did not exit cleanly; the next Ferry on that socket name replaces it)");
        } catch (SocketException | RuntimeException e) {
            ch.close();
            throw new IOException("cannot reach the compositor at " + controlSocket + ": " + e.getMessage());
        }
    }

    private static InputStream send(SocketChannel ch, String line) throws IOException {
        ch.write(java.nio.ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
        return Channels.newInputStream(ch);
    }

    /** The answer's first line; an {@code error} line becomes an IOException with its message. */
    private static String head(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') head.append((char) c);
        String h = head.toString();
        if (h.startsWith("error ")) throw new IOException(h.substring(6));
        return h;
    }
}
