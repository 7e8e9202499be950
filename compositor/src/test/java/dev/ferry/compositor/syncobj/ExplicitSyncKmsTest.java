package dev.ferry.compositor.syncobj;

import dev.ferry.client.DmabufAllocator;
import dev.ferry.client.DmabufWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.fence.FenceDeadlines;
import dev.ferry.compositor.scene.Window;
import dev.ferry.drm.ImplicitFence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static dev.ferry.compositor.syncobj.SyncFerry.MS;
import static dev.ferry.compositor.syncobj.SyncFerry.PERIOD_NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Explicit sync on the kms backend, on the virtual clock: a client's render jobs signal its
 * acquire points at known times, vblanks come when the test moves the clock, and what the fake
 * CRTC scans out is read back.
 */
class ExplicitSyncKmsTest {
    private static final long ACQUIRE_DEADLINE_NS = 100 * MS;

    private SyncFerry ferry;

    @BeforeEach
    void start() throws Exception {
        ferry = new SyncFerry(ACQUIRE_DEADLINE_NS);
    }

    @AfterEach
    void stop() throws Exception {
        ferry.close();
    }

    private int centre() {
        Compositor.Screenshot s = ferry.compositor.screenshot("eDP-1");
        return s.at(s.width() / 2, s.height() / 2) & 0xffffff;
    }

    private Map<String, Object> explicitStats() {
        return ferry.onLoop(() -> ferry.compositor.syncobj().statsTree());
    }

    @Test
    void aFrameIsLatchedOnlyAfterItsAcquirePoint() throws Exception {
        try (SyncFerry.Player p = ferry.player("latch", true, DmabufWindow.Sync.EXPLICIT)) {
            ferry.warmUp(0xff0000, p);
            assertEquals(0xff0000, centre());
            long committedNs = ferry.clock.nowNs();
            long second = p.commit(0x00ff00, 10 * MS, 10 * MS);
            ferry.settle(p);
            assertEquals(1, explicitStats().get("waiting"), "the commit waits for its acquire point");
            ferry.clock.advanceNs(9 * MS);
            ferry.settle(p);
            assertEquals(0xff0000, centre(), "9 ms in, the job is still running: the old frame stays");
            assertEquals(-1, p.presentedAt(second));
            assertTrue(ferry.stepUntil(() -> p.presentedAt(second) > 0, 100 * MS, p));
            assertEquals(0x00ff00, centre());
            assertTrue(p.presentedAt(second) >= committedNs + 10 * MS, "presented after the acquire point signalled");
            assertEquals(0L, explicitStats().get("timeouts"));
        }
    }

    @Test
    void aNeverSignallingAcquirePointKeepsThePreviousFrameWhileAnotherClientPlays() throws Exception {
        try (SyncFerry.Player hung = ferry.player("hung", false, DmabufWindow.Sync.EXPLICIT);
             SyncFerry.Player other = ferry.player("other", false, DmabufWindow.Sync.EXPLICIT)) {
            ferry.warmUp(0x0000ff, hung, other);
            long o0 = other.frame - 1;
            long never = hung.commit(0xff00ff, ImplicitFence.NEVER, ImplicitFence.NEVER);
            // The other client plays a frame per refresh while the hung one waits out its deadline (kernel clock).
            long previous = other.presentedAt(o0);
            long maxGap = 0;
            List<Double> gaps = new java.util.ArrayList<>();
            long waitedFrom = ferry.clock.nowNs();
            while (ferry.clock.nowNs() - waitedFrom < 2 * ACQUIRE_DEADLINE_NS) {
                long n = other.commit(0x00ffff ^ (int) (other.frame & 0xff), MS, MS);
                assertTrue(ferry.stepUntil(() -> other.presentedAt(n) > 0, 100 * MS, hung, other), "the other client's frame " + n);
                long gap = other.presentedAt(n) - previous;
                gaps.add(gap / 100_000 / 10.0);
                maxGap = Math.max(maxGap, gap);
                previous = other.presentedAt(n);
            }
            assertTrue(other.frame > 10, "the other client played on: " + other.frame + " frames");
            // Also at the hung commit's deadline: the frame its callbacks are owed starts at the
            // repaint deadline, after this client (paced by the last flip) committed, not at the flip.
            assertTrue(maxGap <= PERIOD_NS, "frame gaps within one refresh, longest " + maxGap + " ns: " + gaps);
            ferry.settle(hung, other);
            assertEquals(-2, hung.presentedAt(never), "the hung frame is discarded, never shown");
            Window w = ferry.onLoop(() -> ferry.compositor.scene().windows().stream()
                    .filter(x -> x.title().equals("hung")).findFirst().orElseThrow());
            int[] at = ferry.onLoop(() -> new int[] {w.x() + 10, w.y() + 10});
            Compositor.Screenshot s = ferry.compositor.screenshot("eDP-1");
            assertEquals(0x0000ff, s.at(at[0], at[1]) & 0xffffff, "the hung surface keeps its previous frame");
            assertEquals(1L, explicitStats().get("timeouts"));
            // The fault log names it once: which surface, how Ferry recovered, one frame lost.
            var faults = ferry.onLoop(() -> ferry.compositor.faults().entries());
            assertEquals(1, faults.size(), faults.toString());
            var e = faults.getFirst();
            assertEquals(dev.ferry.compositor.stats.FaultLog.Kind.FENCE_NEVER_SIGNALS, e.kind());
            assertTrue(e.where().contains("wl_surface"), e.where());
            assertTrue(e.recovery().matches("acquire point \\d+ not signalled within the 100 ms deadline: .*"), e.recovery());
            assertEquals(1, e.framesLost());
        }
    }

    @Test
    void releasePointsAreNeverSignalledWhileTheBufferIsOnAPlane() throws Exception {
        try (SyncFerry.Player p = ferry.player("scanout", true, DmabufWindow.Sync.EXPLICIT)) {
            ferry.warmUp(0x808080, p);
            for (int i = 0; i < 40; i++) {
                long n = p.commit(0x101010 * (i % 15 + 1), MS, MS);
                assertTrue(ferry.stepUntil(() -> p.presentedAt(n) > 0, 200 * MS, p), "frame " + n);
            }
            p.window.awaitPresentation(1000);
            assertTrue(p.window.zeroCopyPresented() >= 30, "direct scanout: " + p.window.zeroCopyPresented() + " zero-copy frames");
            assertTrue(p.window.scannedOutReleases() >= 25, "releases of scanned-out buffers checked: " + p.window.scannedOutReleases());
            assertEquals(0, p.window.releasesBeforeReplaced(), "a release came before the flip that replaced its buffer");
            long releasedByCompositor = ferry.onLoop(() -> ferry.compositor.syncobj().releasesSignalled());
            assertTrue(releasedByCompositor >= p.window.releases());
        }
    }

    @Test
    void aDeadlineHintMakesAJobThatWouldFinish8msLateMakeItsVblank() throws Exception {
        try (SyncFerry.Player p = ferry.player("deadline", true, DmabufWindow.Sync.EXPLICIT)) {
            ferry.warmUp(0x808080, p);
            long last = -1;
            for (int i = 0; i < 10; i++) {
                long n = p.commit(0x202020 * (i % 7 + 1), MS, MS);
                assertTrue(ferry.stepUntil(() -> p.presentedAt(n) > 0, 200 * MS, p));
                last = n;
            }
            FenceDeadlines.Counts before = ferry.onLoop(() -> ferry.compositor.fenceDeadlines().counts());
            long boostsBefore = p.window.deadlineBoosts();
            // The aimed-for vblank is one period after the last flip; the job would end 8 ms after it.
            long lastFlip = p.presentedAt(last);
            ferry.clock.advanceTo(lastFlip + MS);
            long vblank = lastFlip + PERIOD_NS;
            long late = p.commit(0xabcdef, vblank + 8 * MS - ferry.clock.nowNs(), 4 * MS);
            assertTrue(ferry.stepUntil(() -> p.presentedAt(late) > 0, 100 * MS, p));
            assertEquals(vblank, p.presentedAt(late), "presented at the vblank it aimed for");
            FenceDeadlines.Counts after = ferry.onLoop(() -> ferry.compositor.fenceDeadlines().counts());
            assertEquals(before.boosted() + 1, after.boosted());
            assertEquals(before.set() + 1, after.set());
            assertEquals(before.met() + 1, after.met());
            assertEquals(boostsBefore + 1, p.window.deadlineBoosts(), "the client sees its job was boosted");
            // The twin: a job that cannot go faster misses that vblank and makes the next.
            long flip = p.presentedAt(late);
            ferry.clock.advanceTo(flip + MS);
            long slow = p.commit(0x123456, flip + PERIOD_NS + 8 * MS - ferry.clock.nowNs(), Long.MAX_VALUE);
            assertTrue(ferry.stepUntil(() -> p.presentedAt(slow) > 0, 100 * MS, p));
            assertEquals(flip + 2 * PERIOD_NS, p.presentedAt(slow), "without a boost the frame is a refresh late");
            assertFalse(ferry.onLoop(() -> ferry.compositor.fenceDeadlines().counts()).met() > after.met());
        }
    }
}
