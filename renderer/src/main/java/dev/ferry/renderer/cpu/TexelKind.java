package dev.ferry.renderer.cpu;

import dev.ferry.drm.uapi.Fourcc;

/**
 * Small dense codes for the sampled formats, so that hot loops switch on a table index
 * instead of a fourcc, and the conversion of one packed texel to 0xAARRGGBB. The Vulkan
 * renderer's compose shader switches on the same numbers.
 */
public final class TexelKind {
    private TexelKind() {}

    public static final int ARGB8888 = 0;
    public static final int XRGB8888 = 1;
    public static final int ABGR8888 = 2;
    public static final int XBGR8888 = 3;
    public static final int ARGB2101010 = 4;
    public static final int XRGB2101010 = 5;
    public static final int NV12 = 6;

    public static int of(int fourcc) {
        if (fourcc == Fourcc.ARGB8888) return ARGB8888;
        if (fourcc == Fourcc.XRGB8888) return XRGB8888;
        if (fourcc == Fourcc.ABGR8888) return ABGR8888;
        if (fourcc == Fourcc.XBGR8888) return XBGR8888;
        if (fourcc == Fourcc.ARGB2101010) return ARGB2101010;
        if (fourcc == Fourcc.XRGB2101010) return XRGB2101010;
        if (fourcc == Fourcc.NV12) return NV12;
        throw new IllegalArgumentException("not sampled: " + Fourcc.name(fourcc));
    }

    /** One packed texel, read as a little-endian 32-bit word, as 0xAARRGGBB with 8-bit channels. */
    public static int toArgb(int kind, int raw) {
        return switch (kind) {
            case ARGB8888 -> raw;
            case XRGB8888 -> raw | 0xff000000;
            case ABGR8888 -> swapRedBlue(raw);
            case XBGR8888 -> swapRedBlue(raw) | 0xff000000;
            case ARGB2101010 -> from2101010(raw, (raw >>> 30) * 85);
            case XRGB2101010 -> from2101010(raw, 255);
            default -> throw new IllegalStateException("not a packed kind: " + kind);
        };
    }

    private static int swapRedBlue(int v) {
        return (v & 0xff00ff00) | ((v >>> 16) & 0xff) | ((v & 0xff) << 16);
    }

    private static int from2101010(int v, int alpha) {
        int r = to8(v >>> 20 & 0x3ff);
        int g = to8(v >>> 10 & 0x3ff);
        int b = to8(v & 0x3ff);
        return alpha << 24 | r << 16 | g << 8 | b;
    }

    /** 10-bit to 8-bit unorm, rounded to nearest as a GPU's float round trip does. */
    private static int to8(int c10) {
        return (c10 * 255 + 511) / 1023;
    }
}
