package dev.ferry.kms;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The flip pacer alone: what it arms the watchdog at, a stall and its end, the vblank it predicts. */
class FlipPacerTest {
    private static final long MS = 1_000_000L;
    private static final long PERIOD = 16_666_667L;

    private final List<Long> armed = new ArrayList<>();
    private final FlipPacer<String> pacer = new FlipPacer<>(armed::add);

    @Test
    void aQueuedFlipIsGuardedAndItsCompletionDisarms() {
        pacer.queued("f1", 10 * MS);
        assertEquals("f1", pacer.pending());
        assertEquals(List.of(10 * MS + FlipPacer.FLIP_TIMEOUT_NS), armed);
        assertEquals("f1", pacer.completed(20 * MS));
        assertNull(pacer.pending());
        assertEquals(0L, armed.getLast(), "disarmed");
        assertEquals(20 * MS, pacer.lastFlipNs());
        assertNull(pacer.completed(30 * MS), "an event for no pending flip is nobody's");
        assertEquals(20 * MS, pacer.lastFlipNs());
    }

    @Test
    void aFlipGivenUpStallsUntilOneCompletes() {
        pacer.queued("f1", 0);
        assertEquals("f1", pacer.giveUp());
        assertTrue(pacer.stalled());
        assertNull(pacer.pending());
        pacer.retryAfter(600 * MS, PERIOD);
        assertEquals(600 * MS + PERIOD, armed.getLast());
        pacer.queued("f2", 620 * MS);
        assertTrue(pacer.stalled(), "queued is not completed");
        pacer.completed(630 * MS);
        assertFalse(pacer.stalled());
    }

    @Test
    void aRetryIsNeverSoonerThanAMillisecond() {
        pacer.retryAfter(5 * MS, 0);
        assertEquals(6 * MS, armed.getLast());
    }

    @Test
    void theNextPresentationIsTheFirstVblankAfterNowOrTheOneAfterWhenBusy() {
        assertEquals(0, pacer.nextPresentationNs(5 * MS, PERIOD, false), "no flip yet");
        long flip = 1000 * MS;
        pacer.queued("f", flip - MS);
        pacer.completed(flip);
        assertEquals(flip + PERIOD, pacer.nextPresentationNs(flip + MS, PERIOD, false));
        assertEquals(flip + 2 * PERIOD, pacer.nextPresentationNs(flip + MS, PERIOD, true), "a frame being drawn takes the next");
        assertEquals(flip + 3 * PERIOD, pacer.nextPresentationNs(flip + 2 * PERIOD, PERIOD, false), "on a vblank: the one after");
        pacer.queued("g", flip + MS);
        assertEquals(flip + 2 * PERIOD, pacer.nextPresentationNs(flip + MS, PERIOD, false), "a flip waiting takes the next");
    }
}
