package dev.ferry.testclients.soak;

import dev.ferry.client.DmabufWindow;
import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.posix.Fds;
import dev.ferry.posix.MessageSocket;
import dev.ferry.posix.PosixException;
import dev.ferry.posix.UnixSockets;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlRegion;
import dev.ferry.testclients.video.VideoClient;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One soak client, in a process of its own (what {@link SoakDriver} starts, and may SIGKILL at
 * any moment): {@code shm} draws a wl_shm window frame after frame, {@code dmabuf} plays a
 * fake-drm dma-buf video, {@code never-reads} floods wl_display.sync and never reads an answer,
 * {@code huge-region} adds tens of thousands of rectangles to one wl_region. Each goes on until
 * its count is done (or it is cut off or killed); the exit status is 0 either way: the
 * compositor's health is measured by the driver, not here.
 *
 * <p>{@code java -cp … dev.ferry.testclients.soak.SoakWorker KIND SOCKET COUNT}
 */
public final class SoakWorker {
    private SoakWorker() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: SoakWorker shm|dmabuf|never-reads|huge-region SOCKET COUNT");
            System.exit(2);
        }
        String socket = args[1];
        int count = Integer.parseInt(args[2]);
        switch (args[0]) {
            case "shm" -> shm(socket, count);
            case "dmabuf" -> dmabuf(socket, count);
            case "never-reads" -> neverReads(socket, count);
            case "huge-region" -> hugeRegion(socket, count);
            default -> {
                System.err.println("unknown soak worker kind " + args[0]);
                System.exit(2);
            }
        }
    }

    private static void shm(String socket, int frames) throws Exception {
        try (WaylandClient c = WaylandClient.connect(socket); ShmWindow w = new ShmWindow(c, "soak-shm", 96, 64, true)) {
            for (int i = 0; i < frames; i++) {
                if (!w.drawWhenFree(ShmWindow.fill(0x203040 + i & 0xffffff), 5000) || !w.awaitFrame(5000)) return;
            }
        }
    }

    private static void dmabuf(String socket, int frames) throws Exception {
        new VideoClient(VideoClient.Options.of(socket).buffers(DmabufWindow.Buffers.DMABUF).size(160, 90).frames(frames)
                .title("soak-dmabuf")).run();
    }

    /** Requests without ever reading: the compositor's answers pile up until it cuts the client off. */
    private static void neverReads(String socket, int syncs) throws Exception {
        try (Raw raw = new Raw(socket)) {
            for (int sent = 0; sent < syncs; sent += 1000) {
                ByteBuffer b = raw.batch(1000 * 12);
                for (int i = 0; i < 1000; i++) b.putInt(1).putInt(12 << 16).putInt(2 + sent + i);
                if (!raw.sendAll(b)) return;
            }
        }
    }

    /** One region with many disjoint rectangles (the client's region limit is what stops it). */
    private static void hugeRegion(String socket, int rects) throws Exception {
        try (WaylandClient c = WaylandClient.connect(socket)) {
            Proxy region = WlCompositor.createRegion(c.bind(WlCompositor.INTERFACE, 4));
            for (int k = 0; k < rects; k++) {
                WlRegion.add(region, 2 * (k % 300), 2 * (k / 300), 1, 1);
                if (k % 1000 == 999) c.flush();
            }
            c.roundtrip();
        } catch (java.io.IOException cutOff) {
            // Past its limit the compositor says no_memory and lets it go: expected.
        }
    }

    /** A bare connection that writes whatever bytes it is given. */
    private static final class Raw implements AutoCloseable {
        private final MessageSocket socket;
        private final Arena arena = Arena.ofConfined();

        Raw(String path) throws PosixException {
            String full = path.contains("/") ? path : System.getenv("XDG_RUNTIME_DIR") + "/" + path;
            socket = new MessageSocket(UnixSockets.connect(full));
        }

        ByteBuffer batch(int bytes) {
            return ByteBuffer.allocate(bytes).order(ByteOrder.nativeOrder());
        }

        /** Sends the batch, waiting for room; false once the compositor has closed the connection. */
        boolean sendAll(ByteBuffer b) throws PosixException {
            int n = b.position();
            MemorySegment seg = arena.allocate(n);
            MemorySegment.copy(b.array(), 0, seg, ValueLayout.JAVA_BYTE, 0, n);
            long off = 0;
            while (off < n) {
                long sent;
                try {
                    sent = socket.send(seg, off, n - off, new int[0], 0);
                } catch (PosixException closed) {
                    return false;
                }
                if (sent > 0) off += sent;
                else if (Fds.poll(socket.fd().fd(), Fds.POLLOUT, 5000) == 0) return false;
            }
            return true;
        }

        /** Reads and drops what has arrived; false once the compositor has closed the connection. */
        boolean drain() throws PosixException {
            MemorySegment buf = arena.allocate(65536);
            while (true) {
                long n;
                try {
                    n = socket.receive(buf, 0, buf.byteSize(), Fds::closeRaw);
                } catch (PosixException reset) {
                    return false;
                }
                if (n == 0) return false;
                if (n < 0) return true;
            }
        }

        @Override
        public void close() {
            socket.close();
            arena.close();
        }
    }
}
