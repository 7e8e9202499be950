package dev.ferry.drm;

/** Why DRM_IOCTL_MODE_ADDFB2 refused a framebuffer. */
public enum AddFbRejection {
    DEVICE_GONE("the device has been unplugged"),
    NO_DISPLAY("the device has no display engine"),
    NO_SUCH_HANDLE("the buffer handle is not open on this device"),
    FORMAT("no plane of this device supports the format"),
    MODIFIER("no plane of this device supports the format with this modifier"),
    BAD_PLANES("wrong number of planes for the format"),
    PITCH("a pitch is misaligned or too small for the width and layout"),
    SIZE("the framebuffer is larger than the device's limits"),
    OUT_OF_BOUNDS("a plane runs past the end of the buffer");

    private final String reason;

    AddFbRejection(String reason) {
        this.reason = reason;
    }

    public String reason() { return reason; }
}
