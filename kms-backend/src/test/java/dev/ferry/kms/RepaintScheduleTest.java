package dev.ferry.kms;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The repaint schedule alone: when a frame starts, from what the frames before it measured. */
class RepaintScheduleTest {
    private static final long MS = 1_000_000L;
    private static final long PERIOD = 16_666_667L;
    private static final long FLIP = 1000 * MS;
    private static final long VBLANK = FLIP + PERIOD;

    private final RepaintSchedule schedule = new RepaintSchedule();

    /** One frame meant to start at plannedNs, committed workNs later, presented at presentedNs. */
    private void frame(long plannedNs, long workNs, long targetNs, long presentedNs) {
        schedule.started(plannedNs, targetNs);
        schedule.committed(plannedNs + workNs);
        schedule.presented(presentedNs, PERIOD);
    }

    @Test
    void withNothingMeasuredAFrameStartsAtOnce() {
        assertEquals(0, schedule.marginNs());
        assertEquals(FLIP + MS, schedule.startNs(FLIP + MS, VBLANK, PERIOD));
    }

    @Test
    void aMeasuredFrameStartsAtTheDeadlineTheLongestRecentWorkAndHalfAgainBeforeTheVblank() {
        frame(FLIP - 10 * MS, MS, FLIP, FLIP);
        assertEquals(RepaintSchedule.MIN_MARGIN_NS, schedule.marginNs(), "quick frames: the floor");
        assertEquals(VBLANK - RepaintSchedule.MIN_MARGIN_NS, schedule.startNs(FLIP + MS, VBLANK, PERIOD));
        frame(VBLANK - 2 * MS, 4 * MS, VBLANK, VBLANK + PERIOD);
        frame(VBLANK + PERIOD - 6 * MS, MS, VBLANK + 2 * PERIOD, VBLANK + 2 * PERIOD);
        assertEquals(6 * MS, schedule.marginNs(), "the 4 ms frame, half again, still counts");
        for (int i = 0; i < RepaintSchedule.WINDOW; i++) frame(FLIP, MS, FLIP, FLIP);
        assertEquals(RepaintSchedule.MIN_MARGIN_NS, schedule.marginNs(), "out of the window, it no longer does");
    }

    @Test
    void afterAMissedVblankTheNextFrameStartsAtOnceAndThenOnScheduleAgain() {
        frame(FLIP - 3 * MS, MS, FLIP, FLIP);
        frame(VBLANK - 3 * MS, 5 * MS, VBLANK, VBLANK + PERIOD);
        assertTrue(schedule.lastMissed());
        long now = VBLANK + PERIOD + MS;
        assertEquals(now, schedule.startNs(now, VBLANK + 2 * PERIOD, PERIOD), "a frame late once is not made to wait again");
        frame(now, MS, VBLANK + 2 * PERIOD, VBLANK + 2 * PERIOD);
        assertFalse(schedule.lastMissed());
        assertTrue(schedule.startNs(now, VBLANK + 2 * PERIOD, PERIOD) > now);
    }

    @Test
    void aPassedDeadlineOrWorkLongerThanARefreshStartsAtOnce() {
        frame(FLIP - 3 * MS, MS, FLIP, FLIP);
        long late = VBLANK - MS;
        assertEquals(late, schedule.startNs(late, VBLANK, PERIOD), "never held back a refresh for the schedule's sake");
        frame(FLIP, 12 * MS, FLIP + PERIOD, FLIP + PERIOD);
        assertTrue(schedule.marginNs() >= PERIOD);
        assertEquals(FLIP + MS, schedule.startNs(FLIP + MS, VBLANK, PERIOD));
    }

    @Test
    void contentIsDueAtTheFramesStartOrTheNextOneIfThatPassed() {
        assertEquals(VBLANK - RepaintSchedule.MIN_MARGIN_NS, schedule.contentDeadlineNs(FLIP + MS, VBLANK, PERIOD), "nothing measured: the floor");
        frame(FLIP - 3 * MS, 3 * MS, FLIP, FLIP);
        long start = schedule.startNs(FLIP + MS, VBLANK, PERIOD);
        assertEquals(start, schedule.contentDeadlineNs(FLIP + MS, VBLANK, PERIOD), "the hint is when the frame starts");
        assertEquals(start + PERIOD, schedule.contentDeadlineNs(start + MS, VBLANK, PERIOD), "too late for it: the next frame's");
        assertEquals(0, schedule.contentDeadlineNs(FLIP, 0, PERIOD), "no vblank known yet, no hint");
    }

    @Test
    void aFrameThatNeverFlippedIsNotMeasured() {
        schedule.started(FLIP, VBLANK);
        schedule.abandoned();
        schedule.committed(FLIP + 50 * MS);
        assertEquals(0, schedule.marginNs());
    }
}
