package dev.ferry.renderer.core;

/**
 * BT.709 Y'CbCr to R'G'B', limited ("video") range, for 8-bit samples normalised to 0..1 as a
 * GPU samples them. The CPU sampler and the GLES shader both read these constants so that the
 * two renderers compute the same expression in the same order.
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
}
