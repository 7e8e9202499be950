package dev.ferry.protocol.loop;

import dev.ferry.posix.MonotonicClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Timers arm their timerfd lazily (a later deadline or a disarm makes no system call); these
 * check that the action still runs exactly when its latest deadline says, never at a deadline
 * it was moved away from.
 */
class EventLoopTimerTest {
    private static final long MS = 1_000_000L;
    private EventLoop loop;
    private final List<Long> fired = new ArrayList<>();
    private EventLoop.Timer timer;

    @BeforeEach
    void setUp() throws Exception {
        loop = new EventLoop();
        timer = loop.timer(() -> fired.add(MonotonicClock.nowNs()));
    }

    @AfterEach
    void tearDown() {
        timer.close();
        loop.close();
    }

    private void runFor(long ns) throws Exception {
        long end = MonotonicClock.nowNs() + ns;
        for (long now; (now = MonotonicClock.nowNs()) < end; ) loop.dispatch((int) Math.max(1, (end - now) / MS));
    }

    @Test
    void firesOnceAtItsDeadline() throws Exception {
        long at = MonotonicClock.nowNs() + 20 * MS;
        timer.armAt(at);
        runFor(80 * MS);
        assertEquals(1, fired.size());
        assertTrue(fired.getFirst() >= at, "fired before its deadline");
    }

    @Test
    void aLaterDeadlineWinsOverTheOneTheTimerfdHolds() throws Exception {
        long start = MonotonicClock.nowNs();
        timer.armAt(start + 10 * MS);
        timer.armAt(start + 60 * MS);
        runFor(40 * MS);
        assertEquals(List.of(), fired, "ran at the deadline it was moved away from");
        runFor(60 * MS);
        assertEquals(1, fired.size());
        assertTrue(fired.getFirst() >= start + 60 * MS);
    }

    @Test
    void anEarlierDeadlineFiresEarly() throws Exception {
        long start = MonotonicClock.nowNs();
        timer.armAt(start + 500 * MS);
        timer.armAt(start + 10 * MS);
        runFor(100 * MS);
        assertEquals(1, fired.size());
        assertTrue(fired.getFirst() < start + 100 * MS);
    }

    @Test
    void disarmedNeverRuns() throws Exception {
        timer.armAt(MonotonicClock.nowNs() + 10 * MS);
        timer.disarm();
        runFor(50 * MS);
        assertEquals(List.of(), fired);
        // And it can be armed again after the timerfd's stale expiry was swallowed.
        long at = MonotonicClock.nowNs() + 10 * MS;
        timer.armAt(at);
        runFor(50 * MS);
        assertEquals(1, fired.size());
        assertTrue(fired.getFirst() >= at);
    }

    @Test
    void aWatchdogPushedBackEveryFrameFiresOnlyAfterTheLastPush() throws Exception {
        long last = 0;
        for (int i = 0; i < 20; i++) {
            last = MonotonicClock.nowNs();
            timer.armAt(last + 30 * MS);
            runFor(5 * MS);
        }
        assertEquals(List.of(), fired, "fired while being pushed back");
        runFor(60 * MS);
        assertEquals(1, fired.size());
        assertTrue(fired.getFirst() >= last + 30 * MS);
    }
}
