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
    void timersTheClockJumpedPastFireEarliestDeadlineFirst() throws Exception {
        List<String> order = new ArrayList<>();
        EventLoop.Timer late = loop.timer(() -> order.add("late"));
        EventLoop.Timer early = loop.timer(() -> order.add("early"));
        late.armAt(now + 10 * MS);
        early.armAt(now + 5 * MS);
        advance(20 * MS);
        assertEquals(List.of("early", "late"), order, "in deadline order, not the order they were made in");
        assertEquals(0L, loop.nextTimerNs());
        late.close();
        early.close();
    }

    @Test
    void aTaskPostedAfterTheClockPassedADeadlineRunsAfterThatTimer() throws Exception {
        // The bug: tasks run before the cycle's timers, and a task posted during the drain runs in
        // the same drain, so a test's "let the loop settle" (a posted task) came back before the
        // due timer fired; the test moved the clock again, and the timer fired many moves late.
        List<String> order = new ArrayList<>();
        EventLoop.Timer t = loop.timer(() -> order.add("timer@" + now / MS));
        t.armAt(now + 5 * MS);
        assertEquals(now + 5 * MS, loop.nextTimerNs());
        now += 3 * MS;
        loop.execute(() -> order.add("before@" + now / MS));  // posted before the deadline: runs first
        now += 17 * MS;
        loop.execute(() -> {
            order.add("after@" + now / MS);
            now += MS;
            // Posted by a task during the drain, past a deadline armed meanwhile: still after that timer.
            t.armAt(now - 1);
            loop.execute(() -> order.add("chained@" + now / MS));
        });
        loop.clockAdvanced();
        loop.dispatch(1000);
        assertEquals(List.of("before@1020", "timer@1020", "after@1020", "timer@1021", "chained@1021"), order);
        t.close();
    }

    @Test
    void aTaskPostedAtATimersDeadlineRunsBeforeIt() throws Exception {
        // Work that became ready at the deadline (a fence signalled then) is handled before the
        // timer, as an fd ready at that time would be.
        List<String> order = new ArrayList<>();
        EventLoop.Timer t = loop.timer(() -> order.add("timer"));
        t.armAt(now + 5 * MS);
        now += 5 * MS;
        loop.execute(() -> order.add("task"));
        loop.clockAdvanced();
        loop.dispatch(1000);
        assertEquals(List.of("task", "timer"), order);
        t.close();
    }

    @Test
    void theLoopTellsTheTimeOfItsClock() {
        assertEquals(now, loop.nowNs());
        now += 7;
        assertEquals(now, loop.nowNs());
    }
}
