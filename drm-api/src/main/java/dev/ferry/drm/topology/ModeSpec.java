package dev.ferry.drm.topology;

/** A display mode: active size and refresh rate in millihertz (60 Hz = 60000). */
public record ModeSpec(int width, int height, int refreshMhz) {
    public ModeSpec {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("mode " + width + "x" + height);
        if (refreshMhz <= 0) refreshMhz = 60000;
    }

    /** Time between two vblanks. */
    public long periodNs() {
        return 1_000_000_000_000L / refreshMhz;
    }
}
