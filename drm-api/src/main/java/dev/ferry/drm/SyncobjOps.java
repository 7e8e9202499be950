package dev.ferry.drm;

import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;

/**
 * A device's DRM sync objects, as its DRM fd offers them (the DRM_IOCTL_SYNCOBJ_* calls): binary
 * and timeline syncobjs on handles that belong to the calling process, shared with other
 * processes as fds. Points are unsigned 64-bit; a binary syncobj has only point 0. Every refusal
 * is a {@link SyncobjException} naming its {@link SyncobjRejection}; a device without syncobjs
 * refuses everything with {@link SyncobjRejection#NOT_SUPPORTED}.
 *
 * <p>Ownership: fds from {@link #exportFd} and sync files from {@link #exportSyncFile} are the
 * caller's; an fd given to {@link #importFd} or {@link #eventfd} stays the caller's.
 */
public interface SyncobjOps {
    /** DRM_SYNCOBJ_CREATE_SIGNALED: a new binary syncobj holds a signalled fence. */
    int CREATE_SIGNALED = 1;
    /** DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL: every point, not the first. */
    int WAIT_ALL = 1;
    /** DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT: wait for points nothing was submitted for yet. */
    int WAIT_FOR_SUBMIT = 1 << 1;
    /** DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE: a point counts once it has a fence, signalled or not. */
    int WAIT_AVAILABLE = 1 << 2;

    /** Whether the device has syncobjs at all (DRIVER_SYNCOBJ_TIMELINE). */
    boolean supported();

    /** DRM_IOCTL_SYNCOBJ_CREATE of a timeline syncobj (no points yet). */
    int createTimeline() throws SyncobjException, PosixException;

    /** DRM_IOCTL_SYNCOBJ_CREATE of a binary syncobj (flags: {@link #CREATE_SIGNALED}). */
    int createBinary(int flags) throws SyncobjException, PosixException;

    /** DRM_IOCTL_SYNCOBJ_DESTROY; its eventfd registrations go with it, unsignalled. */
    void destroy(int handle) throws SyncobjException;

    /** DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD: an fd any process can import; the caller owns it. */
    OwnedFd exportFd(int handle) throws SyncobjException, PosixException;

    /** DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE: a new handle for the syncobj behind fd. */
    int importFd(OwnedFd fd) throws SyncobjException, PosixException;

    boolean isBinary(int handle) throws SyncobjException;

    /**
     * DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL (SIGNAL for a binary one, at point 0): a signalled fence at
     * the point; a timeline point at or below its last is {@link SyncobjRejection#POINT_REGRESSION}.
     */
    void signal(int handle, long point) throws SyncobjException;

    /** DRM_IOCTL_SYNCOBJ_RESET: the syncobj holds no fence. */
    void reset(int handle) throws SyncobjException;

    /** DRM_IOCTL_SYNCOBJ_QUERY: the last point that signalled (binary: 1 if signalled, else 0). */
    long query(int handle) throws SyncobjException;

    /** Whether the point has signalled (false for one not yet submitted). */
    boolean signalled(int handle, long point) throws SyncobjException;

    /** When the point's fence signals on the devices' clock: {@link ImplicitFence#NEVER} if never, -1 if not submitted yet. */
    long signalTimeNs(int handle, long point) throws SyncobjException;

    /** Whether something was submitted for the point (its fence exists, signalled or not). */
    boolean materialised(int handle, long point) throws SyncobjException;

    /** DRM_IOCTL_SYNCOBJ_TRANSFER: the fence at srcPoint becomes the fence at dstPoint. */
    void transfer(int src, long srcPoint, int dst, long dstPoint) throws SyncobjException;

    /** DRM_IOCTL_SYNCOBJ_IMPORT_SYNC_FILE at a point. */
    void importSyncFile(int handle, long point, SyncFile sync) throws SyncobjException;

    /** DRM_IOCTL_SYNCOBJ_EXPORT_SYNC_FILE at a point: a pollable fd for its fence (the caller owns it). */
    SyncFile exportSyncFile(int handle, long point) throws SyncobjException;

    /**
     * A deadline hint for a point (DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE, or SYNC_IOC_SET_DEADLINE
     * on its sync file): the jobs it waits for are hurried where the driver can. True if one was.
     */
    boolean setDeadline(int handle, long point, long deadlineNs) throws SyncobjException;

    /**
     * DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT until timeoutNs (absolute, devices' clock): all points with
     * {@link #WAIT_ALL}, else the first; returns the index of the first that satisfied it. Blocks:
     * an event loop uses {@link #eventfd}.
     */
    int wait(int[] handles, long[] points, long timeoutNs, int flags) throws SyncobjException;

    /**
     * DRM_IOCTL_SYNCOBJ_EVENTFD: the eventfd is written once the point signals (with
     * {@link #WAIT_AVAILABLE}: once it has a fence), so an event loop never blocks. One-shot.
     */
    void eventfd(int handle, long point, int flags, OwnedFd eventFd) throws SyncobjException, PosixException;
}
