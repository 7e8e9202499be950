package dev.ferry.compositor.semantics;

import dev.ferry.compositor.scene.Window;
import dev.ferry.compositor.semantics.TestClient.Buf;
import dev.ferry.compositor.semantics.TestClient.Frame;
import dev.ferry.compositor.semantics.TestClient.Toplevel;
import dev.ferry.posix.MonotonicClock;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlSurface;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.ferry.compositor.semantics.TestClient.BLUE;
import static dev.ferry.compositor.semantics.TestClient.GREEN;
import static dev.ferry.compositor.semantics.TestClient.RED;
import static dev.ferry.compositor.semantics.TestClient.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frame callbacks and buffer release on a real Ferry (60 Hz headless output): done comes with
 * the frame that shows the commit, on the monotonic clock; a surface nobody shows is answered at
 * the refresh rate, not never and not at once; wl_buffer.release never for the buffer shown.
 */
@Timeout(60)
class FrameCallbackTest extends OnOneFerry {
    private static final long REFRESH_NS = 16_666_666L;

    @Test
    void doneComesWithTheFrameThatShowsTheCommitOnTheMonotonicClock() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel t = c.mappedToplevel("frames", 64, 64, RED);
            Window w = ferry.window("frames");
            long lastMs = -1;
            int[] colours = {GREEN, BLUE, RED, GREEN, BLUE, RED};
            for (int colour : colours) {
                c.roundtrip();
                long beforeMs = MonotonicClock.nowNs() / 1_000_000L;
                long sentNs = System.nanoTime();
                Frame f = c.commitBuffer(t.surface, c.solid(64, 64, colour));
                c.awaitFrame(f);
                long afterMs = MonotonicClock.nowNs() / 1_000_000L;
                // The frame that answered it shows it, already when the callback arrives.
                assertEquals(hex(colour), hex(ferry.screenshot().at(w.x() + 32, w.y() + 32)), "done before the frame showed the commit");
                assertTrue(f.timeMs >= beforeMs - 1 && f.timeMs <= afterMs, "done time " + f.timeMs + " ms outside [" + beforeMs + ", " + afterMs + "]");
                assertTrue(f.timeMs > lastMs, "frame times must increase: " + lastMs + " then " + f.timeMs);
                lastMs = f.timeMs;
                long latencyNs = f.receivedNs - sentNs;
                assertTrue(latencyNs < 6 * REFRESH_NS, "done took " + latencyNs / 1_000_000.0 + " ms; about one refresh expected");
            }
        }
    }

    @Test
    void aSurfaceNobodyShowsIsAnsweredAtTheRefreshRate() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Proxy hidden = c.surface(); // no role: never shown
            Buf buf = c.solid(32, 32, RED);
            long startNs = System.nanoTime();
            int frames = 10;
            for (int i = 0; i < frames; i++) {
                Frame f = c.commitBuffer(hidden, buf);
                c.awaitFrame(f); // answered, so a client drawing to it does not hang
            }
            long elapsedNs = System.nanoTime() - startNs;
            assertTrue(elapsedNs > (frames - 2) * REFRESH_NS,
                    frames + " frame callbacks of an unshown surface took only " + elapsedNs / 1_000_000.0 + " ms: not throttled");
        }
    }

    @Test
    void releaseComesForTheReplacedBufferAndNeverForTheOneShown() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel t = c.toplevel("release");
            Buf a = c.solid(64, 64, RED), b = c.solid(64, 64, GREEN);
            t.show(a);
            c.idle(100);
            assertEquals(0, a.releases, "the buffer on screen was released");
            Frame f = c.commitBuffer(t.surface, b);
            c.awaitFrame(f);
            c.await(() -> a.releases == 1, "release of the replaced buffer");
            c.idle(100);
            assertEquals(1, a.releases, "one release per use");
            assertEquals(0, b.releases, "the buffer on screen was released");
            // Committing damage only keeps b on screen: still no release.
            WlSurface.damageBuffer(t.surface, 0, 0, 8, 8);
            Frame g = c.frame(t.surface);
            WlSurface.commit(t.surface);
            c.awaitFrame(g);
            c.idle(100);
            assertEquals(0, b.releases, "a commit without attach released the shown buffer");
            // Re-attaching the same buffer is not a replacement either.
            c.awaitFrame(c.commitBuffer(t.surface, b));
            c.idle(100);
            assertEquals(0, b.releases, "re-attaching the shown buffer released it");
            c.awaitFrame(c.commitBuffer(t.surface, a));
            c.await(() -> b.releases == 1, "release of b once a replaced it");
            assertEquals(1, a.releases, "a is shown again and must not be released");
        }
    }
}
