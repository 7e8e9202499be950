package dev.ferry.compositor.robustness;

import dev.ferry.client.ShmPool;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.FerryServer;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlDisplay;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.server.Client;
import dev.ferry.protocol.server.ClientLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compositor's copies of unsealed wl_shm pools: one per pool, shared by every buffer over
 * it, as large as the pool's file really is, and counted against the client's shm-copy-bytes
 * limit.
 */
class UnsealedPoolCopiesTest {
    private static final int SIDE = 512;
    private static final int BUFFER_BYTES = SIDE * SIDE * 4; // 1 MiB
    private FerryServer ferry;

    @BeforeEach
    void start() throws Exception {
        ferry = new FerryServer("cpu");
    }

    @AfterEach
    void stop() throws Exception {
        ferry.close();
    }

    private WaylandClient connect() throws IOException {
        return WaylandClient.connect(ferry.runtimeDir().resolve(ferry.socketName()).toString());
    }

    /** What the only connected client holds of shm copies, asked on the loop. */
    private long heldCopies() {
        return ferry.compositor().onLoop(() -> {
            long most = 0;
            for (Client c : ferry.compositor().display().clients()) most = Math.max(most, c.held(ClientLimits.Kind.SHM_COPY_BYTES));
            return most;
        });
    }

    /** n surfaces each showing a buffer at offset 0 of one unsealed pool. */
    private static void showBuffersOverTheSameBytes(WaylandClient c, ShmPool pool, int n) throws IOException {
        Proxy compositor = c.bind(WlCompositor.INTERFACE, 4);
        for (int i = 0; i < n; i++) {
            Proxy surface = WlCompositor.createSurface(compositor);
            WlSurface.attach(surface, pool.buffer(0, SIDE, SIDE, SIDE * 4, WlShm.FORMAT_XRGB8888), 0, 0);
            WlSurface.commit(surface);
        }
    }

    @Test
    void fourBuffersOverTheSameBytesShareOneCopyOfThePool() throws Exception {
        try (WaylandClient c = connect()) {
            ShmPool pool = new ShmPool(c.bind(WlShm.INTERFACE, 1), BUFFER_BYTES, false);
            showBuffersOverTheSameBytes(c, pool, 4);
            c.roundtrip();
            // One buffer's worth, not four (each buffer used to get its own copy).
            assertEquals(BUFFER_BYTES, heldCopies());
        }
        assertTrue(FerryServer.eventually(java.time.Duration.ofSeconds(5), () -> heldCopies() == 0), "copies not given back");
    }

    @Test
    void aCopyIsAsLargeAsThePoolsFileNotItsDeclaredSize() throws Exception {
        try (WaylandClient c = connect()) {
            // A pool declared at 64 MiB over a file of 1 MiB: one small buffer at its start.
            ShmPool pool = new ShmPool(c.bind(WlShm.INTERFACE, 1), BUFFER_BYTES, false);
            dev.ferry.posix.Memfd.truncate(pool.fd(), BUFFER_BYTES);
            Proxy big = WlShm.createPool(c.bind(WlShm.INTERFACE, 1), pool.fd(), 64 << 20);
            Proxy compositor = c.bind(WlCompositor.INTERFACE, 4);
            Proxy surface = WlCompositor.createSurface(compositor);
            WlSurface.attach(surface, dev.ferry.protocol.interfaces.WlShmPool.createBuffer(big, 0, 16, 16, 64, WlShm.FORMAT_XRGB8888), 0, 0);
            WlSurface.commit(surface);
            c.roundtrip();
            assertEquals(BUFFER_BYTES, heldCopies());
        }
    }

    @Test
    void copiesPastTheLimitAreNoMemoryForThatClient() throws Exception {
        ferry.compositor().onLoop(() -> {
            ferry.compositor().display().limits(ClientLimits.DEFAULTS.withShmCopyBytes(BUFFER_BYTES));
            return null;
        });
        try (WaylandClient c = connect(); WaylandClient other = connect()) {
            ShmPool fits = new ShmPool(c.bind(WlShm.INTERFACE, 1), BUFFER_BYTES, false);
            showBuffersOverTheSameBytes(c, fits, 2);
            c.roundtrip();
            ShmPool second = new ShmPool(c.bind(WlShm.INTERFACE, 1), BUFFER_BYTES, false);
            showBuffersOverTheSameBytes(c, second, 1);
            assertThrows(IOException.class, () -> {
                for (int i = 0; i < 20; i++) c.roundtrip();
            });
            assertEquals(WlDisplay.ERROR_NO_MEMORY, c.display().errorCode(), c.display().error());
            assertTrue(c.display().error().contains("shm pool copies"), c.display().error());
            other.roundtrip();
        }
    }
}
