package dev.ferry.drm;

/**
 * Why a syncobj operation was refused (the errno a DRM_IOCTL_SYNCOBJ_* would return, named).
 * Each has exactly one condition that produces it.
 */
public enum SyncobjRejection {
    NOT_SUPPORTED("the device has no syncobj support (no render engine: DRIVER_SYNCOBJ_TIMELINE is not set)"),
    UNKNOWN_HANDLE("no syncobj has this handle on this device (never created, or destroyed)"),
    NOT_A_SYNCOBJ("the fd is not a fake-drm syncobj (unknown memfd name, not sealed, or the wrong size)"),
    BINARY_POINT("a binary syncobj has only point 0"),
    POINT_REGRESSION("a timeline point may only be added above the timeline's last point"),
    NO_FENCE("the point has no fence yet (nothing submitted for it) and the call does not wait for submission"),
    TIMELINE_FULL("too many unsignalled points on one timeline"),
    TIMED_OUT("the wait's timeout passed before its points signalled");

    private final String reason;

    SyncobjRejection(String reason) {
        this.reason = reason;
    }

    /** A sentence for logs and errors. */
    public String reason() { return reason; }
}
