package dev.ferry.drm;

/** Why an allocation failed. */
public enum AllocationFailure {
    DEVICE_GONE("the device has been unplugged"),
    INJECTED_FAULT("allocation failed by fault injection"),
    NO_DISPLAY("scanout usage on a device without a display engine"),
    FORMAT("the device cannot allocate this format for this usage"),
    MODIFIER("none of the allowed modifiers is supported for this format and usage"),
    NO_SUITABLE_MEMORY("no memory domain of the device satisfies the usage"),
    SIZE("the size is zero or larger than the device allows"),
    SYSTEM("the system call behind the allocation failed");

    private final String reason;

    AllocationFailure(String reason) {
        this.reason = reason;
    }

    public String reason() { return reason; }
}
