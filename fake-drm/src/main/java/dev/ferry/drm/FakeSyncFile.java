package dev.ferry.drm;

import dev.ferry.posix.OwnedFd;

/**
 * fake-drm's sync file: a {@link Wakeup} armed at the fence's signal time on the kernel clock,
 * so it becomes readable exactly when the fence signals (and never for a fence that never does).
 */
final class FakeSyncFile implements SyncFile {
    private final KernelClock clock;
    private final long signalAtNs;
    private final Wakeup wakeup;

    FakeSyncFile(KernelClock clock, long signalAtNs) {
        this.clock = clock;
        this.signalAtNs = signalAtNs;
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

    @Override
    public void close() {
        wakeup.close();
    }
}
