package dev.ferry.client;

import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WpCommitTimerV1;
import dev.ferry.protocol.interfaces.WpCommitTimingManagerV1;
import dev.ferry.protocol.interfaces.WpFifoManagerV1;
import dev.ferry.protocol.interfaces.WpFifoV1;

import java.io.IOException;

/**
 * How a surface's commits are paced by the compositor rather than by the client: wp_fifo_v1 (each
 * commit waits for the previous one to be presented once, none dropped) and wp_commit_timing_v1
 * (frame n is not presented before start + n * interval). Owns its protocol objects.
 */
public final class FramePacing implements AutoCloseable {
    private final Proxy fifoManager;
    private final Proxy fifo;
    private final Proxy timingManager;
    private final Proxy timer;
    private final long intervalNs;
    private long startNs;

    /**
     * @param fifo       use wp_fifo_v1 (IOException if the compositor lacks it)
     * @param intervalNs with wp_commit_timing_v1, the time between frames' targets; 0 for none
     */
    public FramePacing(WaylandClient client, Proxy surface, boolean fifo, long intervalNs) throws IOException {
        if (fifo && client.global(WpFifoManagerV1.NAME) == null) throw new IOException("the compositor has no wp_fifo_manager_v1");
        if (intervalNs > 0 && client.global(WpCommitTimingManagerV1.NAME) == null) {
            throw new IOException("the compositor has no wp_commit_timing_manager_v1");
        }
        fifoManager = fifo ? client.bind(WpFifoManagerV1.INTERFACE, 1) : null;
        this.fifo = fifo ? WpFifoManagerV1.getFifo(fifoManager, surface) : null;
        timingManager = intervalNs > 0 ? client.bind(WpCommitTimingManagerV1.INTERFACE, 1) : null;
        timer = intervalNs > 0 ? WpCommitTimingManagerV1.getTimer(timingManager, surface) : null;
        this.intervalNs = intervalNs;
    }

    /** The target presentation time of frame n (presentation clock), or 0 without commit timing. */
    public long targetNs(long frame) {
        return intervalNs > 0 && startNs > 0 ? startNs + frame * intervalNs : 0;
    }

    /** Before frame n's commit: its barrier and its target time (the first frame's fixes the start). */
    public void beforeCommit(long frame, long nowNs) {
        if (fifo != null) {
            WpFifoV1.waitBarrier(fifo);
            WpFifoV1.setBarrier(fifo);
        }
        if (timer != null) {
            if (startNs == 0) startNs = nowNs - frame * intervalNs;
            long t = targetNs(frame);
            long sec = t / 1_000_000_000L;
            WpCommitTimerV1.setTimestamp(timer, (int) (sec >>> 32), (int) sec, (int) (t % 1_000_000_000L));
        }
    }

    @Override
    public void close() {
        if (fifo != null && !fifo.isDestroyed()) WpFifoV1.destroy(fifo);
        if (fifoManager != null && !fifoManager.isDestroyed()) WpFifoManagerV1.destroy(fifoManager);
        if (timer != null && !timer.isDestroyed()) WpCommitTimerV1.destroy(timer);
        if (timingManager != null && !timingManager.isDestroyed()) WpCommitTimingManagerV1.destroy(timingManager);
    }
}
