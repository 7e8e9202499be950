package dev.ferry.kms;

/**
 * How a frame rendered on the primary GPU reaches an output driven by another device, tried
 * in this order (Mutter's order), each falling to the next for good when it fails.
 */
public enum CopyMode {
    /** The display device scans out the primary's rendered buffer itself: no copy. */
    ZERO_COPY("zero-copy"),
    /** The display device's own GPU copies the imported frame into its scanout buffers. */
    SECONDARY_GPU("secondary-gpu-copy"),
    /** The primary GPU copies into buffers the display device owns and exported to it. */
    PRIMARY_GPU("primary-gpu-copy"),
    /** The CPU reads the frame and writes it into the display device's dumb buffers. */
    CPU("cpu-copy");

    private final String label;

    CopyMode(String label) {
        this.label = label;
    }

    public String label() { return label; }

    /** Accepts "zero", "secondary-gpu", "primary-gpu", "cpu" and the labels. */
    public static CopyMode parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "zero", "zero-copy" -> ZERO_COPY;
            case "secondary-gpu", "secondary-gpu-copy", "secondary" -> SECONDARY_GPU;
            case "primary-gpu", "primary-gpu-copy", "primary" -> PRIMARY_GPU;
            case "cpu", "cpu-copy" -> CPU;
            default -> throw new IllegalArgumentException("copy mode '" + s + "' (zero, secondary-gpu, primary-gpu, cpu)");
        };
    }

    /** Whether the copy may be limited to damage (GPU copies), or is always the full frame. */
    public boolean damageLimited() {
        return this == SECONDARY_GPU || this == PRIMARY_GPU;
    }
}
