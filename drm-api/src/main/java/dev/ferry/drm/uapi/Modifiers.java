package dev.ferry.drm.uapi;

/**
 * Format modifiers (drm_fourcc.h). LINEAR and INVALID are the kernel's values. The tiled
 * layouts are fake-drm's own vendor (0x0f, not used by any real driver): each really arranges
 * the bytes differently, so reading a buffer with the wrong modifier scrambles the picture.
 */
public final class Modifiers {
    private Modifiers() {}

    public static final long LINEAR = 0L;
    /** "Implicit": the layout is whatever the driver chose out of band. */
    public static final long INVALID = 0x00ffffffffffffffL;

    private static final long FAKE_VENDOR = 0x0fL;

    private static long fake(long code) {
        return (FAKE_VENDOR << 56) | code;
    }

    /** 4x4-pixel tiles (64 bytes at 4 bytes per pixel), tiles in row-major order. */
    public static final long FAKE_TILED_4X4 = fake(1);
    /** 16x16-pixel tiles, tiles in row-major order, pixels inside a tile column-major. */
    public static final long FAKE_TILED_16X16_COLUMN = fake(2);

    public static String name(long modifier) {
        if (modifier == LINEAR) return "LINEAR";
        if (modifier == INVALID) return "INVALID";
        if (modifier == FAKE_TILED_4X4) return "FAKE_TILED_4X4";
        if (modifier == FAKE_TILED_16X16_COLUMN) return "FAKE_TILED_16X16_COLUMN";
        return String.format("0x%016x", modifier);
    }

    public static long parse(String name) {
        return switch (name.toUpperCase(java.util.Locale.ROOT)) {
            case "LINEAR" -> LINEAR;
            case "INVALID", "IMPLICIT" -> INVALID;
            case "FAKE_TILED_4X4", "TILED_4X4" -> FAKE_TILED_4X4;
            case "FAKE_TILED_16X16_COLUMN", "TILED_16X16_COLUMN" -> FAKE_TILED_16X16_COLUMN;
            default -> Long.decode(name);
        };
    }
}
