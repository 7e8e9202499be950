package dev.ferry.kms;

/** How a surface's pixels reached an output in one frame, cheapest first. */
public enum PathKind {
    /** The client's buffer is on a KMS plane: no copy at all. */
    DIRECT_SCANOUT("direct-scanout"),
    /** The client's buffer is on an overlay (or cursor) plane above or below the composed primary: no copy for it. */
    OVERLAY_PLANE("overlay-plane"),
    /**
     * Nested: the client's own buffer handed to the host compositor on a host subsurface (the
     * nested "direct scanout"): Ferry copies and composes nothing for it.
     */
    HOST_PASSTHROUGH("host-passthrough"),
    /** The render GPU sampled the buffer and drew the frame. */
    GPU_COMPOSITION("gpu-composition"),
    /** The CPU read the buffer (bracketed) and composed it into a buffer the display reads. */
    CPU_COPY("system-ram-copy"),
    /** Nothing could read the buffer: the surface was left out, with a reason. */
    NOT_SHOWN("not-shown");

    private final String label;

    PathKind(String label) {
        this.label = label;
    }

    /** The name used in statistics and reports. */
    public String label() { return label; }
}
