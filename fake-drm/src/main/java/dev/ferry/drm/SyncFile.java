package dev.ferry.drm;

import dev.ferry.posix.OwnedFd;

/**
 * A sync-file-like fd for one fence: poll it for POLLIN, which it reports once the fence has
 * signalled (and then forever). A fence that never signals never makes it readable, so a
 * caller that polls it with a timeout, as every Ferry wait does, notices and moves on.
 * The owner closes it.
 */
public final class SyncFile implements AutoCloseable {
    private final KernelClock clock;
    private final long signalAtNs;
    private final Wakeup wakeup;

    SyncFile(KernelClock clock, long signalAtNs) {
        this.clock = clock;
        this.signalAtNs = signalAtNs;
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

    @Override
    public void close() {
        wakeup.close();
    }
}
