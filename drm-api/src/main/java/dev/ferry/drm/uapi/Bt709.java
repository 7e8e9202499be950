package dev.ferry.drm.uapi;

/**
 * BT.709 Y'CbCr to R'G'B', limited ("video") range, for 8-bit samples normalised to 0..1 as a
 * GPU samples them. The CPU sampler, the GLES and Vulkan shaders and fake-drm's display engine
 * (a plane's default COLOR_ENCODING, BT.709 limited range, as i915 and amdgpu set it) all read
 * these constants, so that a plane's picture of an NV12 buffer equals its composition.
 *
 * <p>Limited range: Y' spans 16..235 (219 steps), Cb and Cr span 16..240 (224 steps) around
 * 128. Kr = 0.2126, Kb = 0.0722, Kg = 1 - Kr - Kb.
 */
public final class Bt709 {
    private Bt709() {}

    public static final double KR = 0.2126;
    public static final double KB = 0.0722;
    public static final double KG = 1.0 - KR - KB;

    public static final float Y_OFFSET = 16f / 255f;
    public static final float C_OFFSET = 128f / 255f;
    public static final float Y_SCALE = 255f / 219f;
    public static final float C_SCALE = 255f / 224f;

    public static final float R_FROM_CR = (float) (2 * (1 - KR) * C_SCALE);
    public static final float G_FROM_CB = (float) (-2 * KB * (1 - KB) / KG * C_SCALE);
    public static final float G_FROM_CR = (float) (-2 * KR * (1 - KR) / KG * C_SCALE);
    public static final float B_FROM_CB = (float) (2 * (1 - KB) * C_SCALE);

    /** Normalised samples to opaque ARGB: the shaders' expression, rounded half up as a unorm colour output is. */
    public static int toArgb(float luma, float cb, float cr) {
        float yy = (luma - Y_OFFSET) * Y_SCALE;
        float u = cb - C_OFFSET;
        float v = cr - C_OFFSET;
        int r = toByte(yy + R_FROM_CR * v);
        int g = toByte(yy + G_FROM_CB * u + G_FROM_CR * v);
        int b = toByte(yy + B_FROM_CB * u);
        return 0xff000000 | r << 16 | g << 8 | b;
    }

    /** 8-bit samples to opaque ARGB. */
    public static int toArgb(int luma, int cb, int cr) {
        return toArgb(luma / 255f, cb / 255f, cr / 255f);
    }

    /** ARGB to the 8-bit luma sample (the inverse, for writers of NV12). */
    public static int luma(int argb) {
        return clamp(Math.round(16 + 219 * lumaNorm(argb)));
    }

    public static int cb(int argb) {
        double b = (argb & 0xff) / 255.0;
        return clamp(Math.round(128 + 224 * (b - lumaNorm(argb)) / (2 * (1 - KB))));
    }

    public static int cr(int argb) {
        double r = ((argb >>> 16) & 0xff) / 255.0;
        return clamp(Math.round(128 + 224 * (r - lumaNorm(argb)) / (2 * (1 - KR))));
    }

    private static double lumaNorm(int argb) {
        return (KR * ((argb >>> 16) & 0xff) + KG * ((argb >>> 8) & 0xff) + KB * (argb & 0xff)) / 255.0;
    }

    private static int toByte(float v) {
        int i = (int) (v * 255f + 0.5f);
        return i < 0 ? 0 : Math.min(i, 255);
    }

    private static int clamp(long v) {
        return (int) (v < 0 ? 0 : Math.min(v, 255));
    }
}
