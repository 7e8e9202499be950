package dev.ferry.renderer.cpu;

import java.lang.foreign.MemorySegment;

/** The last stage of a CPU row: store, blend or fill 0xAARRGGBB pixels into the target's memory. */
final class RowWriter {
    private RowWriter() {}

    static void store(MemorySegment dst, long off, int[] px, int n) {
        for (int i = 0; i < n; i++) dst.set(TexelSampler.INT_LE, off + 4L * i, px[i]);
    }

    /** Premultiplied "over": opaque texels are stored, fully transparent black ones skipped. */
    static void over(MemorySegment dst, long off, int[] px, int n) {
        for (int i = 0; i < n; i++) {
            int s = px[i];
            int sa = s >>> 24;
            if (sa == 255) {
                dst.set(TexelSampler.INT_LE, off + 4L * i, s);
            } else if (s != 0) {
                long at = off + 4L * i;
                int d = dst.get(TexelSampler.INT_LE, at);
                dst.set(TexelSampler.INT_LE, at, PixelMath.isValidPremultiplied(s) ? PixelMath.overPremultiplied(s, d) : PixelMath.over(s, d));
            }
        }
    }

    static void fill(MemorySegment dst, long off, int argb, int n) {
        for (int i = 0; i < n; i++) dst.set(TexelSampler.INT_LE, off + 4L * i, argb);
    }

    static void premultiply(int[] px, int n) {
        for (int i = 0; i < n; i++) px[i] = PixelMath.premultiply(px[i]);
    }
}
