package dev.ferry.drm;

import dev.ferry.posix.OwnedFd;

/**
 * fake-drm's sync file: a {@link Wakeup} armed at the fence's signal time on the kernel clock,
 * so it becomes readable exactly when the fence signals (and never for a fence that never does).
 * A deadline hint ({@link #setDeadline}) reaches the job through the shared page that holds its
 * fence and re-arms the wakeup to the job's new end.
 */
final class FakeSyncFile implements SyncFile {
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

    FakeSyncFile(KernelClock clock, long signalAtNs) {
        this(clock, signalAtNs, null);
    }

    FakeSyncFile(KernelClock clock, long signalAtNs, DeadlineTarget target) {
        this.clock = clock;
        this.signalAtNs = signalAtNs;
        this.target = target;
        this.wakeup = Wakeup.forClock(clock);
        wakeup.armAt(signalAtNs == ImplicitFence.NO_FENCE ? 1 : signalAtNs);
    }

    @Override
    public OwnedFd fd() { return wakeup.fd(); }

    @Override
    public boolean isSignalled() {
        return ImplicitFence.signalled(signalAtNs, clock.nowNs());
    }

    @Override
    public long signalAtNs() { return signalAtNs; }

    /**
     * SYNC_IOC_SET_DEADLINE. True if the hint made the job finish earlier than it would have;
     * a fence already signalled, one that never signals, or a job that cannot go faster is left
     * as it is.
     */
    @Override
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

    @Override
    public synchronized boolean boosted() { return boosted; }

    @Override
    public void close() {
        wakeup.close();
    }
}
