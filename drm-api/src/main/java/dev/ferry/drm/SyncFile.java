package dev.ferry.drm;

import dev.ferry.posix.OwnedFd;

/**
 * A sync-file fd for one fence: poll it for POLLIN, which it reports once the fence has
 * signalled (and then forever). A fence that never signals never makes it readable, so a
 * caller that polls it with a timeout, as every Ferry wait does, notices and moves on.
 * The owner closes it.
 */
public interface SyncFile extends AutoCloseable {
    /** The pollable fd; owned by this object. */
    OwnedFd fd();

    boolean isSignalled();

    /** When it signals (or signalled), {@link Long#MAX_VALUE} if never. */
    long signalAtNs();

    /**
     * SYNC_IOC_SET_DEADLINE: tells the job behind the fence when its result is needed, so a
     * driver that can hurry (raise clocks) does. True if the hint made the fence signal earlier
     * than it would have; a fence already signalled, one that never signals, or a job that cannot
     * go faster is left as it is.
     */
    boolean setDeadline(long deadlineNs);

    /** Whether a deadline hint through this fd hurried the job. */
    boolean boosted();

    @Override
    void close();
}
