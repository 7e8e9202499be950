package dev.ferry.drm;

import dev.ferry.drm.topology.ModeSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One CRTC's vblank grid: when a flip latches, and how vblanks are counted. */
class CrtcTimelineTest {
    private static final ModeSpec MODE = new ModeSpec(64, 48, 60000);
    private static final long PERIOD = MODE.periodNs();

    @Test
    void aFlipLatchesAtTheFirstVblankAfterItsCommit() {
        CrtcTimeline t = new CrtcTimeline();
        t.commitNs = 1000 + 3 * PERIOD + 5;
        assertEquals(1000 + 4 * PERIOD, t.firstVblankAfterCommit(1000, PERIOD, 0));
        t.commitNs = 1000 + 3 * PERIOD;
        assertEquals(1000 + 4 * PERIOD, t.firstVblankAfterCommit(1000, PERIOD, 0), "a commit on a vblank waits for the next");
    }

    @Test
    void aFlipWaitsForTheVblankAfterItsFenceSignals() {
        CrtcTimeline t = new CrtcTimeline();
        t.commitNs = 10;
        assertEquals(3 * PERIOD, t.firstVblankAfterCommit(0, PERIOD, 2 * PERIOD + 1));
        assertEquals(2 * PERIOD, t.firstVblankAfterCommit(0, PERIOD, 2 * PERIOD), "a fence signalling on a vblank makes it");
    }

    @Test
    void vblanksCountOnlyWhileLit() {
        CrtcTimeline t = new CrtcTimeline();
        t.vblankBaseNs = 500;
        t.sequenceBase = 7;
        assertEquals(7 + 10, t.sequenceAt(true, MODE, 500 + 10 * PERIOD + 1));
        assertEquals(7, t.sequenceAt(false, MODE, 500 + 10 * PERIOD));
        assertEquals(7, t.sequenceAt(true, MODE, 400), "no negative counts before the base");
    }
}
