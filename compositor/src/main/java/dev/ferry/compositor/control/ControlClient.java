package dev.ferry.compositor.control;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The `ferry ctl` side of {@link ControlServer}. */
public final class ControlClient {
    private ControlClient() {}

    public static byte[] request(Path controlSocket, String line) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(controlSocket));
            ch.write(java.nio.ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
            InputStream in = Channels.newInputStream(ch);
            StringBuilder head = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') head.append((char) c);
            String h = head.toString();
            if (h.startsWith("error ")) throw new IOException(h.substring(6));
            if (!h.startsWith("ok ")) throw new IOException("unexpected answer from the compositor: " + h);
            int length = Integer.parseInt(h.substring(3).trim());
            byte[] body = in.readNBytes(length);
            if (body.length != length) throw new IOException("answer cut short: " + body.length + " of " + length + " bytes");
            return body;
        }
    }

}
