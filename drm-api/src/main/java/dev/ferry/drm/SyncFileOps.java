package dev.ferry.drm;

import dev.ferry.posix.PosixException;

/** What the kernel answers about a dma-buf's implicit fence (DMA_BUF_IOCTL_EXPORT_SYNC_FILE, poll). */
public interface SyncFileOps {
    /** Whether the buffer's last write has completed (a buffer without a fence has). */
    boolean writeFenceSignalled(DmaBuf buf) throws PosixException;

    /**
     * A pollable fd for the buffer's current write fence (a snapshot: later jobs do not change
     * it). The caller owns it.
     */
    SyncFile exportSyncFile(DmaBuf buf) throws PosixException;
}
