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

    /** Pixels per run that {@link #overArgbRow} classifies as all opaque, all clear or mixed. */
    private static final int RUN = 64;

    /**
     * {@link #over} of n premultiplied ARGB8888 texels read straight from {@code src}: runs of
     * {@value #RUN} whose alpha bytes are all 255 are copied (what {@code over} stores for them),
     * runs that are all zero skipped (what {@code over} skips), mixed runs converted into
     * {@code px} and blended.
     */
    static void overArgbRow(MemorySegment src, long srcOff, MemorySegment dst, long dstOff, int n, int[] px) {
        for (int i = 0; i < n; i += RUN) {
            int k = Math.min(RUN, n - i);
            long s = srcOff + 4L * i, d = dstOff + 4L * i;
            int and = -1, or = 0;
            for (int j = 0; j < k; j++) {
                int v = src.get(TexelSampler.INT_LE, s + 4L * j);
                and &= v;
                or |= v;
            }
            if ((and >>> 24) == 255) {
                MemorySegment.copy(src, s, dst, d, 4L * k);
            } else if (or != 0) {
                for (int j = 0; j < k; j++) px[j] = src.get(TexelSampler.INT_LE, s + 4L * j);
                over(dst, d, px, k);
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
