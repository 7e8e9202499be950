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

    /**
     * n pixels of one colour: one stored, then the filled part copied onto the rest, doubling.
     * A pixel loop through a var handle is fast only once the JIT has compiled it; a new
     * compositor clears its outputs' first frames (5.7 M pixels on hybrid-laptop) in the
     * interpreter, where that loop took most of the CPU between the socket and the first frame.
     * Bulk copies cost the same, compiled or not.
     */
    static void fill(MemorySegment dst, long off, int argb, int n) {
        if (n <= 0) return;
        dst.set(TexelSampler.INT_LE, off, argb);
        for (long done = 1; done < n; done *= 2) {
            MemorySegment.copy(dst, off, dst, off + 4L * done, 4L * Math.min(done, n - done));
        }
    }

    /** A w x h rectangle of one colour: its first row {@link #fill}ed, then copied to the others. */
    static void fillRect(MemorySegment dst, long first, long stride, int argb, int w, int h) {
        if (h <= 0) return;
        fill(dst, first, argb, w);
        for (int j = 1; j < h; j++) MemorySegment.copy(dst, first, dst, first + j * stride, 4L * w);
    }

    static void premultiply(int[] px, int n) {
        for (int i = 0; i < n; i++) px[i] = PixelMath.premultiply(px[i]);
    }
}
