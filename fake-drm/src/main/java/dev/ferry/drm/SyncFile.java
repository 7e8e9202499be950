package dev.ferry.drm;

import dev.ferry.posix.OwnedFd;

/**
 * A sync-file-like fd for one fence: poll it for POLLIN, which it reports once the fence has
 * signalled (and then forever). A fence that never signals never makes it readable, so a
 * caller that polls it with a timeout, as every Ferry wait does, notices and moves on.
 * The owner closes it.
 *
 * <p>{@link #setDeadline} is SYNC_IOC_SET_DEADLINE: it tells the job behind the fence when its
 * result is needed; a job that can finish sooner is boosted (its fence signals no later than
 * the deadline, or as early as the job can) and the fd re-arms to the new time.
 */
public final class SyncFile implements AutoCloseable {
    /** Where a deadline hint goes: the job's fence, in whatever shared page holds it. */
    interface DeadlineTarget {
        /** Applies the hint; returns when the fence now signals. */
        long boost(long deadlineNs);
    }

    private final KernelClock clock;
    private volatile long signalAtNs;
    private final Wakeup wakeup;
    private final DeadlineTarget target;
    private boolean boosted;

    SyncFile(KernelClock clock, long signalAtNs) {
        this(clock, signalAtNs, null);
    }

    SyncFile(KernelClock clock, long signalAtNs, DeadlineTarget target) {
        this.clock = clock;
        this.signalAtNs = signalAtNs;
        this.target = target;
        this.wakeup = Wakeup.forClock(clock);
        wakeup.armAt(signalAtNs == ImplicitFence.NO_FENCE ? 1 : signalAtNs);
    }

    /** The pollable fd; owned by this object. */
    public OwnedFd fd() { return wakeup.fd(); }

    public boolean isSignalled() {
        return ImplicitFence.signalled(signalAtNs, clock.nowNs());
    }

    /** When it signals (or signalled), {@link Long#MAX_VALUE} if never. */
    public long signalAtNs() { return signalAtNs; }

    /**
     * SYNC_IOC_SET_DEADLINE. True if the hint made the job finish earlier than it would have;
     * a fence already signalled, one that never signals, or a job that cannot go faster is left
     * as it is.
     */
    public synchronized boolean setDeadline(long deadlineNs) {
        long before = signalAtNs;
        if (target == null || before == ImplicitFence.NEVER || ImplicitFence.signalled(before, clock.nowNs())) return false;
        long after = target.boost(deadlineNs);
        if (after >= before) return false;
        signalAtNs = after;
        wakeup.armAt(after);
        boosted = true;
        return true;
    }

    /** Whether a deadline hint through this fd boosted the job. */
    public synchronized boolean boosted() { return boosted; }

    @Override
    public void close() {
        wakeup.close();
    }
}
