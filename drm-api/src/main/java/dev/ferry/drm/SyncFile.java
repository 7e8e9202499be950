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

    @Override
    void close();
}
