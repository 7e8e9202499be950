package dev.ferry.protocol.loop;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A loop on a clock that moves only when the test moves it: its timers fire in the cycle after
 * the clock reaches their deadline, never in real time, whatever the real clock does meanwhile.
 */
class EventLoopVirtualClockTest {
    private static final long MS = 1_000_000L;

    /** The test's clock. */
    private long now = 1_000 * MS;
    private final EventLoop loop = new EventLoop(() -> now);
    private final List<Long> fired = new ArrayList<>();

    EventLoopVirtualClockTest() throws Exception {}

    @AfterEach
    void tearDown() {
        loop.close();
    }

    private void advance(long ns) throws Exception {
        now += ns;
        loop.clockAdvanced();
        loop.dispatch(1000);  // the advance woke it: returns at once
    }

    @Test
    void aTimerFiresWhenTheClockReachesItsDeadlineAndNotBefore() throws Exception {
        EventLoop.Timer t = loop.timer(() -> fired.add(now));
        t.armAt(now + 20 * MS);
        long realStart = System.nanoTime();
        loop.dispatch(50);
        assertEquals(List.of(), fired, "real time passing fires nothing");
        advance(19 * MS);
        assertEquals(List.of(), fired);
        advance(1 * MS);
        assertEquals(List.of(1_020 * MS), fired);
        advance(100 * MS);
        assertEquals(1, fired.size(), "one-shot");
        assertEquals(true, System.nanoTime() - realStart < 5_000_000_000L);
        t.close();
    }

    @Test
    void aPastDeadlineFiresInTheSameCycleAndAChainedOneToo() throws Exception {
        EventLoop.Timer[] second = new EventLoop.Timer[1];
        second[0] = loop.timer(() -> fired.add(-now));
        EventLoop.Timer first = loop.timer(() -> {
            fired.add(now);
            second[0].armAt(now);  // due at once: the same pass fires it
        });
        first.armAt(now - 5 * MS);
        loop.dispatch(0);
        assertEquals(List.of(now, -now), fired);
        first.close();
        second[0].close();
    }

    @Test
    void aDisarmedOrClosedTimerNeverFires() throws Exception {
        EventLoop.Timer a = loop.timer(() -> fired.add(1L));
        EventLoop.Timer b = loop.timer(() -> fired.add(2L));
        a.armAt(now + MS);
        b.armAt(now + MS);
        a.disarm();
        b.close();
        advance(10 * MS);
        assertEquals(List.of(), fired);
        a.armAt(now + MS);
        advance(MS);
        assertEquals(List.of(1L), fired);
        a.close();
    }

    @Test
    void theLoopTellsTheTimeOfItsClock() {
        assertEquals(now, loop.nowNs());
        now += 7;
        assertEquals(now, loop.nowNs());
    }
}
