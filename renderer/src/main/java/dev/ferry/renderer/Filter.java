package dev.ferry.renderer;

/** How a scaled surface is sampled. */
public enum Filter {
    NEAREST,
    /** Linear between the four nearest texel centres, clamped at the buffer's edges. */
    BILINEAR
}
