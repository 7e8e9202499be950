package dev.ferry.compositor.backend.kms;

import dev.ferry.compositor.core.RectSet;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a buffer drawn for frame n must redraw, whatever showed the frames after it. */
class DamageHistoryTest {
    private static final int W = 100, H = 50;

    @Test
    void aBufferRedrawsEveryFrameItMissedIncludingScannedOutOnes() {
        DamageHistory h = new DamageHistory();
        long composed = h.record(RectSet.of(0, 0, 10, 10));       // composed into slot A
        h.record(RectSet.of(20, 0, 10, 10));                       // direct scanout: A not drawn
        h.record(RectSet.of(40, 0, 10, 10));                       // composed into slot B
        h.record(RectSet.of(60, 0, 10, 10));                       // this frame, into A again
        RectSet redraw = h.since(composed, W, H);
        assertEquals(300, redraw.area(), "the three frames after A's: " + redraw);
        assertTrue(redraw.contains(20, 0, 10, 10), "the scanned-out frame's damage");
        assertEquals(100, h.since(h.newest() - 1, W, H).area(), "a buffer holding the previous frame: this frame only");
    }

    @Test
    void unknownOrTooOldContentsAreRedrawnWhole() {
        DamageHistory h = new DamageHistory();
        h.record(RectSet.of(0, 0, 1, 1));
        assertEquals((long) W * H, h.since(0, W, H).area(), "never drawn");
        long old = h.newest();
        for (int i = 0; i < DamageHistory.DEPTH; i++) h.record(RectSet.of(1, 1, 1, 1));
        assertEquals(1, h.since(old, W, H).area(), "exactly DEPTH frames old: still known");
        h.record(RectSet.of(2, 2, 1, 1));
        assertEquals((long) W * H, h.since(old, W, H).area(), "older than the history");
    }
}
