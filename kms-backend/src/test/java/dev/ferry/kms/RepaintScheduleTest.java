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
        long afterOne = schedule.marginNs();
        assertTrue(afterOne > 5 * MS && afterOne < 6 * MS, "the 4 ms frame, half again, still counts, a quick frame later: " + afterOne);
        for (int i = 0; i < 5 * RepaintSchedule.FADE_FRAMES; i++) frame(FLIP, MS, FLIP, FLIP);
        assertEquals(RepaintSchedule.MIN_MARGIN_NS, schedule.marginNs(), "seconds of quick frames later, it no longer does");
    }

    /**
     * A slow frame every second or so (a busy machine's) finds the margin still raised: after a
     * 6 ms frame and a second of 1 ms ones, the margin still covers most of 6 ms, not the floor.
     */
    @Test
    void aSlowFrameIsAllowedForAboutASecondAfter() {
        for (int i = 0; i < 30; i++) frame(FLIP, MS, FLIP, FLIP);
        assertEquals(RepaintSchedule.MIN_MARGIN_NS, schedule.marginNs());
        frame(FLIP, 6 * MS, FLIP, FLIP);
        assertEquals(9 * MS, schedule.marginNs(), "risen at once");
        for (int i = 0; i < 60; i++) frame(FLIP, MS, FLIP, FLIP);
        long m = schedule.marginNs();
        assertTrue(m > 4 * MS && m < 9 * MS, "60 quick frames later, fading: " + m);
        for (int i = 0; i < 300; i++) frame(FLIP, MS, FLIP, FLIP);
        assertEquals(RepaintSchedule.MIN_MARGIN_NS, schedule.marginNs(), "five seconds later, the floor again");
    }

    @Test
    void aFrameCountsForAtMostARefresh() {
        schedule.startNs(FLIP, VBLANK, PERIOD);
        frame(FLIP, 300 * MS, FLIP, FLIP);
        assertEquals(PERIOD + PERIOD / 2, schedule.marginNs(), "a cold first frame counts as one refresh's work");
        for (int i = 0; i < 2 * RepaintSchedule.FADE_FRAMES; i++) frame(FLIP, MS, FLIP, FLIP);
        assertTrue(schedule.marginNs() < PERIOD / 2, "and two seconds later leaves most of the refresh to clients: " + schedule.marginNs());
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
