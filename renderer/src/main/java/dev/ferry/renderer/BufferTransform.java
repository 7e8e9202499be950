package dev.ferry.renderer;

/**
 * wl_output.transform, as a client declares it with wl_surface.set_buffer_transform: the
 * transformation the client has already applied to its content. The compositor applies the
 * inverse when it shows the buffer. Rotations are counter-clockwise; flips are around the
 * vertical axis, applied before the rotation.
 */
public enum BufferTransform {
    NORMAL(0), ROTATE_90(1), ROTATE_180(2), ROTATE_270(3),
    FLIPPED(4), FLIPPED_90(5), FLIPPED_180(6), FLIPPED_270(7);

    private final int wireValue;

    BufferTransform(int wireValue) {
        this.wireValue = wireValue;
    }

    public int wireValue() {
        return wireValue;
    }

    public static BufferTransform fromWire(int value) {
        if (value < 0 || value > 7) throw new IllegalArgumentException("wl_output.transform " + value);
        return values()[value];
    }

    /** True when the buffer's width runs along the surface's height. */
    public boolean swapsAxes() {
        return (wireValue & 1) != 0;
    }
}
