package dev.ferry.renderer.core;

import dev.ferry.drm.uapi.Fourcc;

/** The formats both renderers sample; one list so the CPU and GPU paths cannot drift apart. */
public final class SampledFormats {
    private SampledFormats() {}

    private static final int[] ALL = {
        Fourcc.ARGB8888, Fourcc.XRGB8888, Fourcc.ABGR8888, Fourcc.XBGR8888,
        Fourcc.ARGB2101010, Fourcc.XRGB2101010, Fourcc.NV12,
    };

    public static int[] all() {
        return ALL.clone();
    }

    public static boolean isSampled(int fourcc) {
        for (int f : ALL) if (f == fourcc) return true;
        return false;
    }

    /** Formats whose alpha is ignored: every pixel is opaque. */
    public static boolean isOpaqueFormat(int fourcc) {
        return !Fourcc.hasAlpha(fourcc);
    }
}
