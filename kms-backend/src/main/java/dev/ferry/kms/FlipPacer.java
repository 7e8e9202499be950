package dev.ferry.kms;

import java.util.function.LongConsumer;

/**
 * Paces one pipe's page flips: one flip in flight at a time, the next frame started when it
 * completes, and a watchdog that gives up on a flip that never completes (after {@link
 * #FLIP_TIMEOUT_NS}), so the output is never waited on forever. It also predicts the vblank a
 * frame started now is presented at, from the last completed flip. The frame type is the
 * driver's; the watchdog is the driver's timer (armed at an absolute time, 0 disarms), fired
 * both for a flip given up and for a retry after a refused commit.
 */
public final class FlipPacer<F> {
    /** A flip not completed after this long is treated as lost. */
    public static final long FLIP_TIMEOUT_NS = 500_000_000L;

    private final LongConsumer watchdog;
    private F pending;
    private long lastFlipNs;
    /** A flip was given up and none has completed since. */
    private boolean stalled;

    public FlipPacer(LongConsumer watchdog) {
        this.watchdog = watchdog;
    }

    /** The frame whose flip is queued and not yet completed, or null. */
    public F pending() { return pending; }

    /** A flip was given up and none has completed since: the CRTC's busy refusals are that stall's. */
    public boolean stalled() { return stalled; }

    /** The kernel time of the last completed flip; 0 before the first. */
    public long lastFlipNs() { return lastFlipNs; }

    /** A flip showing f was queued at nowNs: the watchdog guards it. */
    public void queued(F f, long nowNs) {
        pending = f;
        watchdog.accept(nowNs + FLIP_TIMEOUT_NS);
    }

    /** A retry after a refused commit, one refresh later, so a broken device cannot spin the loop. */
    public void retryAfter(long nowNs, long refreshNs) {
        watchdog.accept(nowNs + Math.max(1_000_000L, refreshNs));
    }

    /**
     * The queued flip took effect at timeNs: its frame (null when none was pending, an event for
     * a flip already given up). A stall ends here.
     */
    public F completed(long timeNs) {
        F f = pending;
        if (f == null) return null;
        pending = null;
        watchdog.accept(0);
        stalled = false;
        lastFlipNs = timeNs;
        return f;
    }

    /**
     * The watchdog found the pending flip not completed: it is given up, its frame returned (null
     * if none was pending). {@link #stalled} holds from here until a flip completes.
     */
    public F giveUp() {
        F f = pending;
        pending = null;
        stalled = f != null || stalled;
        return f;
    }

    /** Forgets the pending flip without giving it up (the device is gone, the output closes): its frame. */
    public F takePending() {
        F f = pending;
        pending = null;
        return f;
    }

    /**
     * The vblank (kernel clock) a frame started now would be presented at: the next one after the
     * last flip, or the one after if a frame is already being drawn (drawing) or waiting for its
     * flip. 0 before the first flip.
     */
    public long nextPresentationNs(long nowNs, long periodNs, boolean drawing) {
        if (periodNs <= 0 || lastFlipNs == 0) return 0;
        // As the device latches: the first vblank strictly after the commit.
        long vblank = lastFlipNs + (Math.floorDiv(nowNs - lastFlipNs, periodNs) + 1) * periodNs;
        return pending != null || drawing ? vblank + periodNs : vblank;
    }
}
