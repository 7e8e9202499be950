package dev.ferry.drm;

/**
 * Why an atomic commit (TEST_ONLY or real) was refused. Checked in declaration order; the
 * request records which object failed ({@link AtomicRequest#rejectedObject()}).
 */
public enum CommitRejection {
    DEVICE_GONE("the device has been unplugged"),
    INJECTED_FAULT("commit failed by fault injection"),
    NO_SUCH_OBJECT("a plane, CRTC, connector or framebuffer id does not exist on this device"),
    BUSY("a page flip is still pending on a CRTC this commit touches (EBUSY)"),
    MODESET_REQUIRED("the commit changes a mode, activation or connector routing without ALLOW_MODESET"),
    CRTC_NOT_POSSIBLE("the plane or connector cannot be attached to that CRTC"),
    PLANE_IN_USE("the plane is already in use on another CRTC"),
    INCOMPLETE_PLANE("a plane has a framebuffer without a CRTC or a CRTC without a framebuffer"),
    CRTC_INACTIVE("a plane is enabled on a CRTC that is not active"),
    NO_CONNECTOR("an active CRTC drives no connected connector, or has no mode"),
    FORMAT_NOT_ON_PLANE("the framebuffer's format is not supported by the plane"),
    MODIFIER_NOT_ON_PLANE("the framebuffer's modifier is not supported by the plane with that format"),
    MEMORY_NOT_SCANNABLE("the framebuffer's memory cannot be scanned out by this device"),
    SOURCE_OUT_OF_FB("the source rectangle is not inside the framebuffer"),
    SCALING_UNSUPPORTED("source and destination sizes differ on a plane that cannot scale"),
    PLANE_SIZE_LIMIT("the source or destination is larger than the plane allows");

    private final String reason;

    CommitRejection(String reason) {
        this.reason = reason;
    }

    public String reason() { return reason; }
}
