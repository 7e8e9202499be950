package dev.ferry.compositor.syncobj;

import dev.ferry.client.DmabufWindow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.ferry.compositor.syncobj.SyncFerry.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When explicit-sync release points are signalled, on the kms backend and the virtual clock: a
 * composed buffer as soon as the composition that sampled it completed and the client replaced
 * it (not when the composed frame left the screen), a scanned-out one only after the flip that
 * took it off the plane, one replaced before it was ever shown at once.
 */
class ReleaseTimingKmsTest {
    private static final int FRAMES = 20;

    private SyncFerry ferry;

    @BeforeEach
    void start() throws Exception {
        ferry = new SyncFerry(100 * MS);
    }

    @AfterEach
    void stop() throws Exception {
        ferry.close();
    }

    /** Plays FRAMES frames, one per presentation, each committed when the last was presented; the clock at each commit. */
    private long[] play(SyncFerry.Player p) throws Exception {
        ferry.warmUp(0x404040, p);
        long first = p.frame;
        long[] committedAt = new long[FRAMES];
        for (int i = 0; i < FRAMES; i++) {
            committedAt[i] = ferry.clock.nowNs();
            long n = p.commit(0x010101 * (i + 1), MS, MS);
            assertEquals(first + i, n);
            assertTrue(ferry.stepUntil(() -> p.presentedAt(n) > 0, 100 * MS, p), "frame " + n);
        }
        return committedAt;
    }

    private static Map<Long, Long> releases(SyncFerry.Player p) {
        Map<Long, Long> at = new HashMap<>();
        for (DmabufWindow.Released r : p.window.releaseLog()) at.put(r.frame(), r.atNs());
        return at;
    }

    @Test
    void aComposedBufferIsReleasedOnceItsCompositionCompletedAndTheClientReplacedIt() throws Exception {
        try (SyncFerry.Player p = ferry.player("composed", false, DmabufWindow.Sync.EXPLICIT);
             SyncFerry.Player cover = ferry.player("cover", false, DmabufWindow.Sync.IMPLICIT)) {
            // A window over its corner keeps it off the overlays: it is composed.
            ferry.warmUp(0x808080, p, cover);
            ferry.onLoop(() -> {
                var scene = ferry.compositor.scene();
                var under = scene.windows().stream().filter(w -> w.title().equals("composed")).findFirst().orElseThrow();
                var over = scene.windows().stream().filter(w -> w.title().equals("cover")).findFirst().orElseThrow();
                scene.move(under, 100, 100);
                scene.move(over, 300, 250);
                return null;
            });
            long[] committedAt = play(p);
            long first = p.frame - FRAMES;
            Map<Long, Long> released = releases(p);
            int checked = 0;
            for (int i = 0; i + 1 < FRAMES; i++) {
                long n = first + i;
                assertFalse(p.window.presentedLog().stream().anyMatch(x -> x.frame() == n && x.zeroCopy()), "frame " + n + " composed");
                Long at = released.get(n);
                assertTrue(at != null, "frame " + n + "'s buffer released: " + released);
                // Its composition completed before its own flip; the surface let go of it when the
                // next commit (acquire point 1 ms after it) was applied. Not a refresh later, when the
                // frame that replaced it on screen was presented, as before.
                long replacedOnScreen = p.presentedAt(n + 1);
                assertTrue(at >= committedAt[i + 1] + MS, "frame " + n + " released at " + at + ", before its replacement was ready at "
                        + (committedAt[i + 1] + MS));
                assertTrue(at < replacedOnScreen, "frame " + n + " released at " + at + ", not at the flip replacing it on screen ("
                        + replacedOnScreen + ")");
                assertTrue(at > p.presentedAt(n) - SyncFerry.PERIOD_NS, "never before its own composition");
                checked++;
            }
            assertEquals(FRAMES - 1, checked);
        }
    }

    @Test
    void aScannedOutBufferIsReleasedOnlyAfterTheFlipThatReplacedIt() throws Exception {
        try (SyncFerry.Player p = ferry.player("scanout", true, DmabufWindow.Sync.EXPLICIT)) {
            play(p);
            long first = p.frame - FRAMES;
            Map<Long, Long> released = releases(p);
            int checked = 0;
            for (int i = 0; i + 1 < FRAMES; i++) {
                long n = first + i;
                if (p.window.presentedLog().stream().noneMatch(x -> x.frame() == n && x.zeroCopy())) continue;
                Long at = released.get(n);
                assertTrue(at != null, "frame " + n + "'s buffer released: " + released);
                assertTrue(at >= p.presentedAt(n + 1), "frame " + n + " released at " + at + ", before the flip replacing it at "
                        + p.presentedAt(n + 1));
                checked++;
            }
            assertTrue(checked >= FRAMES - 4, "scanned-out frames checked: " + checked);
        }
    }

    @Test
    void aBufferReplacedBeforeItWasEverShownIsReleasedAtOnce() throws Exception {
        try (SyncFerry.Player p = ferry.player("mailbox", false, DmabufWindow.Sync.EXPLICIT)) {
            ferry.warmUp(0x404040, p);
            long committed = ferry.clock.nowNs();
            // b's job ends first; a's, a millisecond later, lets both apply in one go: a is replaced
            // by b before any frame takes it.
            long a = p.commit(0x112233, 2 * MS, 2 * MS);
            long b = p.commit(0x445566, MS, MS);
            assertTrue(ferry.stepUntil(() -> p.presentedAt(b) > 0, 100 * MS, p));
            assertEquals(-2, p.presentedAt(a), "never shown");
            long at = releases(p).get(a);
            assertTrue(at < p.presentedAt(b) && at <= committed + 3 * MS, "released at " + at + ", committed at " + committed);
            // The buffer shown before them was composed, its composition long complete: it goes back
            // when a replaced it (a's 2 ms job done), not before, and not only with b's flip.
            long shownBefore = a - 1, shownBeforeAt = releases(p).get(shownBefore);
            assertTrue(shownBeforeAt >= committed + 2 * MS && shownBeforeAt <= at, "the frame before: " + p.window.releaseLog());
        }
    }
}
