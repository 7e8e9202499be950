package dev.ferry.compositor.syncobj;

import dev.ferry.client.DmabufWindow;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WpCommitTimerV1;
import dev.ferry.protocol.interfaces.WpCommitTimingManagerV1;
import dev.ferry.protocol.interfaces.WpFifoManagerV1;
import dev.ferry.protocol.interfaces.WpFifoV1;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.ferry.compositor.syncobj.SyncFerry.MS;
import static dev.ferry.compositor.syncobj.SyncFerry.PERIOD_NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * wp_fifo_v1 and wp_commit_timing_v1 on the kms backend with the virtual clock: a client commits
 * frames back to back, far faster than the 60 Hz panel, and checks when each was presented.
 */
class FifoAndCommitTimingKmsTest {
    private static final int FRAMES = 5;
    private SyncFerry ferry;

    @BeforeEach
    void start() throws Exception {
        ferry = new SyncFerry(1000 * MS);
    }

    @AfterEach
    void stop() throws Exception {
        ferry.close();
    }

    /** Commits FRAMES frames at once (no waiting in between), then moves the clock until each is answered. */
    private List<Long> burst(SyncFerry.Player p) throws Exception {
        long first = p.frame;
        for (int i = 0; i < FRAMES; i++) p.commit(0x111111 * (i + 1), MS, MS);
        assertTrue(ferry.stepUntil(() -> {
            for (long n = first; n < first + FRAMES; n++) if (p.presentedAt(n) == -1) return false;
            return true;
        }, 40 * PERIOD_NS, p), "every frame answered");
        List<Long> times = new ArrayList<>();
        for (long n = first; n < first + FRAMES; n++) times.add(p.presentedAt(n));
        return times;
    }

    @Test
    void fifoShowsEveryFrameForARefreshInOrder() throws Exception {
        try (SyncFerry.Player p = ferry.new Player("fifo", true, DmabufWindow.Sync.IMPLICIT, FRAMES + 2)) {
            ferry.warmUp(0x808080, p);
            Proxy fifo = WpFifoManagerV1.getFifo(p.client.bind(WpFifoManagerV1.INTERFACE, 1), p.window.surface());
            p.window.setCommitHook((frame, buf) -> {
                WpFifoV1.waitBarrier(fifo);
                WpFifoV1.setBarrier(fifo);
            });
            List<Long> times = burst(p);
            for (int i = 0; i < FRAMES; i++) assertTrue(times.get(i) > 0, "frame " + i + " presented, not dropped: " + times);
            for (int i = 1; i < FRAMES; i++) {
                assertEquals(PERIOD_NS, times.get(i) - times.get(i - 1), "one refresh each, in order: " + times);
            }
        }
    }

    @Test
    void withoutFifoTheBurstCollapsesToItsLastFrame() throws Exception {
        try (SyncFerry.Player p = ferry.new Player("mailbox", true, DmabufWindow.Sync.IMPLICIT, FRAMES + 2)) {
            ferry.warmUp(0x808080, p);
            List<Long> times = burst(p);
            long dropped = times.stream().filter(t -> t == -2).count();
            assertTrue(dropped >= FRAMES - 2, "frames replaced before a vblank are dropped: " + times);
            assertTrue(times.getLast() > 0, "the last one is shown");
        }
    }

    @Test
    void aTargetTimeHoldsTheCommitUntilTheVblankThatPresentsItAtOrAfterIt() throws Exception {
        try (SyncFerry.Player p = ferry.new Player("timed", true, DmabufWindow.Sync.IMPLICIT, FRAMES + 2)) {
            ferry.warmUp(0x808080, p);
            Proxy timer = WpCommitTimingManagerV1.getTimer(p.client.bind(WpCommitTimingManagerV1.INTERFACE, 1), p.window.surface());
            long lastVblank = p.presentedAt(p.frame - 1);
            long first = p.frame;
            // 30 frames a second on a 60 Hz panel: every other vblank, the targets 3 ms after a
            // vblank so that "at or after" means the next one.
            long[] target = new long[FRAMES];
            for (int i = 0; i < FRAMES; i++) target[i] = lastVblank + 2L * (i + 1) * PERIOD_NS + 3 * MS;
            p.window.setCommitHook((frame, buf) -> {
                long t = target[(int) (frame - first)];
                WpCommitTimerV1.setTimestamp(timer, (int) ((t / 1_000_000_000L) >>> 32), (int) (t / 1_000_000_000L), (int) (t % 1_000_000_000L));
            });
            List<Long> times = burst(p);
            for (int i = 0; i < FRAMES; i++) {
                long expected = lastVblank + (2L * (i + 1) + 1) * PERIOD_NS;
                assertEquals(expected, (long) times.get(i), "frame " + i + " at the first vblank at or after its target: " + times);
            }
            // A target in the past applies at once: the next vblank.
            long now = ferry.clock.nowNs();
            long past = now - 1_000_000_000L;
            long n = p.frame;
            p.window.setCommitHook((frame, buf) ->
                    WpCommitTimerV1.setTimestamp(timer, 0, (int) (past / 1_000_000_000L), (int) (past % 1_000_000_000L)));
            p.commit(0xffffff, MS, MS);
            assertTrue(ferry.stepUntil(() -> p.presentedAt(n) > 0, 10 * PERIOD_NS, p));
            long lastFlip = times.getLast();
            long nextVblank = lastFlip + ((now - lastFlip) / PERIOD_NS + 1) * PERIOD_NS;
            assertEquals(nextVblank, p.presentedAt(n), "a past timestamp is presented at the next vblank");
        }
    }
}
