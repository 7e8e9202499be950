package dev.ferry.renderer.cpu;

/** 8-bit channel arithmetic shared by the CPU blend and sample stages. */
final class PixelMath {
    private PixelMath() {}

    /** round(x * y / 255) for 0 <= x, y <= 255, exactly, without a division. */
    static int mul255(int x, int y) {
        int t = x * y + 128;
        return (t + (t >>> 8)) >>> 8;
    }

    /** Straight alpha to premultiplied, rounding each channel to nearest. */
    static int premultiply(int argb) {
        int a = argb >>> 24;
        if (a == 255) return argb;
        int r = mul255(argb >>> 16 & 0xff, a);
        int g = mul255(argb >>> 8 & 0xff, a);
        int b = mul255(argb & 0xff, a);
        return a << 24 | r << 16 | g << 8 | b;
    }

    /** Premultiplied source over destination: s + d * (1 - sa), saturating like a unorm8 blender. */
    static int over(int s, int d) {
        int inv = 255 - (s >>> 24);
        int a = Math.min(255, (s >>> 24) + mul255(d >>> 24, inv));
        int r = Math.min(255, (s >>> 16 & 0xff) + mul255(d >>> 16 & 0xff, inv));
        int g = Math.min(255, (s >>> 8 & 0xff) + mul255(d >>> 8 & 0xff, inv));
        int b = Math.min(255, (s & 0xff) + mul255(d & 0xff, inv));
        return a << 24 | r << 16 | g << 8 | b;
    }

    /**
     * {@link #over} for a valid premultiplied source (no colour above alpha, so no channel can
     * overflow): two channels per multiply, each lane rounded exactly as {@link #mul255} rounds.
     */
    static int overPremultiplied(int s, int d) {
        int inv = 255 - (s >>> 24);
        int rb = (d & 0x00ff00ff) * inv + 0x00800080;
        rb = ((rb + ((rb >>> 8) & 0x00ff00ff)) >>> 8) & 0x00ff00ff;
        int ag = ((d >>> 8) & 0x00ff00ff) * inv + 0x00800080;
        ag = (ag + ((ag >>> 8) & 0x00ff00ff)) & 0xff00ff00;
        return s + (rb | ag);
    }

    /** True when no colour channel exceeds alpha, which premultiplied content guarantees. */
    static boolean isValidPremultiplied(int s) {
        int a = s >>> 24;
        return (s >>> 16 & 0xff) <= a && (s >>> 8 & 0xff) <= a && (s & 0xff) <= a;
    }

    static int clampToByte(float v) {
        // Round half up, as the unorm conversion of a GPU's colour output does.
        int i = (int) (v * 255f + 0.5f);
        return i < 0 ? 0 : Math.min(i, 255);
    }
}
