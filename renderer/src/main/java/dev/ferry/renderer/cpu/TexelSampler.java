package dev.ferry.renderer.cpu;

import dev.ferry.renderer.core.BufferMapping;
import dev.ferry.drm.uapi.Bt709;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Fills a row of 0xAARRGGBB samples (as stored, not yet premultiplied) for output pixels
 * (x0 .. x0+n-1, y) of one surface. Sample positions come from the surface's
 * {@link BufferMapping} at pixel centres; edges clamp, like GL_CLAMP_TO_EDGE.
 *
 * <p>Bilinear weights are quantised to {@value #WEIGHT_BITS} bits, as GPU texture units (and
 * llvmpipe) quantise them; this keeps the CPU within the stated bound of the GPU picture.
 */
final class TexelSampler {
    private TexelSampler() {}

    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final int WEIGHT_BITS = 8;
    private static final int ONE = 1 << WEIGHT_BITS;

    static void sampleRow(CpuTexture t, BufferMapping m, boolean bilinear, int y, int x0, int n, int[] out) {
        if (t.kind == TexelKind.NV12) {
            nv12Row(t, m, bilinear, y, x0, n, out);
        } else if (bilinear) {
            packedBilinearRow(t, m, y, x0, n, out);
        } else {
            packedNearestRow(t, m, y, x0, n, out);
        }
    }

    /** Converts n texels of an unscaled row starting at buffer texel (bx, by); the caller has checked bounds. */
    static void convertRow(CpuTexture t, int bx, int by, int n, int[] out) {
        MemorySegment p = t.plane0;
        long off = (long) by * t.stride0 + 4L * bx;
        int kind = t.kind;
        if (kind == TexelKind.ARGB8888) {
            for (int i = 0; i < n; i++) out[i] = p.get(INT_LE, off + 4L * i);
        } else if (kind == TexelKind.XRGB8888) {
            for (int i = 0; i < n; i++) out[i] = p.get(INT_LE, off + 4L * i) | 0xff000000;
        } else {
            for (int i = 0; i < n; i++) out[i] = TexelKind.toArgb(kind, p.get(INT_LE, off + 4L * i));
        }
    }

    private static void packedNearestRow(CpuTexture t, BufferMapping m, int y, int x0, int n, int[] out) {
        MemorySegment p = t.plane0;
        int stride = t.stride0;
        int maxX = t.width() - 1;
        int maxY = t.height() - 1;
        int kind = t.kind;
        double oy = y + 0.5;
        double bx0 = m.a * (x0 + 0.5) + m.b * oy + m.c;
        double by0 = m.d * (x0 + 0.5) + m.e * oy + m.f;
        for (int i = 0; i < n; i++) {
            int ix = clamp((int) Math.floor(bx0 + i * m.a), maxX);
            int iy = clamp((int) Math.floor(by0 + i * m.d), maxY);
            out[i] = TexelKind.toArgb(kind, p.get(INT_LE, (long) iy * stride + 4L * ix));
        }
    }

    private static void packedBilinearRow(CpuTexture t, BufferMapping m, int y, int x0, int n, int[] out) {
        MemorySegment p = t.plane0;
        int stride = t.stride0;
        int maxX = t.width() - 1;
        int maxY = t.height() - 1;
        int kind = t.kind;
        double oy = y + 0.5;
        double u0 = m.a * (x0 + 0.5) + m.b * oy + m.c - 0.5;
        double v0 = m.d * (x0 + 0.5) + m.e * oy + m.f - 0.5;
        for (int i = 0; i < n; i++) {
            double u = u0 + i * m.a;
            double v = v0 + i * m.d;
            int ix = (int) Math.floor(u);
            int iy = (int) Math.floor(v);
            int wx = weight(u - ix);
            int wy = weight(v - iy);
            int xa = clamp(ix, maxX), xb = clamp(ix + 1, maxX);
            long ra = (long) clamp(iy, maxY) * stride, rb = (long) clamp(iy + 1, maxY) * stride;
            int c00 = TexelKind.toArgb(kind, p.get(INT_LE, ra + 4L * xa));
            int c10 = TexelKind.toArgb(kind, p.get(INT_LE, ra + 4L * xb));
            int c01 = TexelKind.toArgb(kind, p.get(INT_LE, rb + 4L * xa));
            int c11 = TexelKind.toArgb(kind, p.get(INT_LE, rb + 4L * xb));
            out[i] = lerp2(c00, c10, c01, c11, wx, wy);
        }
    }

    private static void nv12Row(CpuTexture t, BufferMapping m, boolean bilinear, int y, int x0, int n, int[] out) {
        MemorySegment yp = t.plane0;
        MemorySegment cp = t.plane1;
        int ys = t.stride0, cs = t.stride1;
        int w = t.width(), h = t.height();
        int cw = (w + 1) / 2, ch = (h + 1) / 2;
        // The chroma plane is sampled at the same normalised position as luma, as a GPU samples two textures.
        double cxScale = (double) cw / w, cyScale = (double) ch / h;
        double oy = y + 0.5;
        double bx0 = m.a * (x0 + 0.5) + m.b * oy + m.c;
        double by0 = m.d * (x0 + 0.5) + m.e * oy + m.f;
        for (int i = 0; i < n; i++) {
            double bx = bx0 + i * m.a;
            double by = by0 + i * m.d;
            float luma, cb, cr;
            if (bilinear) {
                luma = bilinearByte(yp, ys, 1, 0, w, h, bx - 0.5, by - 0.5);
                double cu = bx * cxScale - 0.5, cv = by * cyScale - 0.5;
                cb = bilinearByte(cp, cs, 2, 0, cw, ch, cu, cv);
                cr = bilinearByte(cp, cs, 2, 1, cw, ch, cu, cv);
            } else {
                int ix = clamp((int) Math.floor(bx), w - 1), iy = clamp((int) Math.floor(by), h - 1);
                luma = (yp.get(ValueLayout.JAVA_BYTE, (long) iy * ys + ix) & 0xff) / 255f;
                int jx = clamp((int) Math.floor(bx * cxScale), cw - 1), jy = clamp((int) Math.floor(by * cyScale), ch - 1);
                int pair = cp.get(SHORT_LE, (long) jy * cs + 2L * jx);
                cb = (pair & 0xff) / 255f;
                cr = (pair >>> 8 & 0xff) / 255f;
            }
            out[i] = yuvToArgb(luma, cb, cr);
        }
    }

    /** BT.709 limited range, normalised inputs; the same expression as the GLES shader. */
    static int yuvToArgb(float luma, float cb, float cr) {
        return Bt709.toArgb(luma, cb, cr);
    }

    /** Bilinear sample of one byte channel, normalised to 0..1 (not rounded back to 8 bits, as a GPU keeps it). */
    private static float bilinearByte(MemorySegment p, int stride, int bpp, int channel, int w, int h, double u, double v) {
        int ix = (int) Math.floor(u), iy = (int) Math.floor(v);
        int wx = weight(u - ix), wy = weight(v - iy);
        long xa = (long) clamp(ix, w - 1) * bpp + channel, xb = (long) clamp(ix + 1, w - 1) * bpp + channel;
        long ra = (long) clamp(iy, h - 1) * stride, rb = (long) clamp(iy + 1, h - 1) * stride;
        int c00 = p.get(ValueLayout.JAVA_BYTE, ra + xa) & 0xff;
        int c10 = p.get(ValueLayout.JAVA_BYTE, ra + xb) & 0xff;
        int c01 = p.get(ValueLayout.JAVA_BYTE, rb + xa) & 0xff;
        int c11 = p.get(ValueLayout.JAVA_BYTE, rb + xb) & 0xff;
        int sum = (c00 * (ONE - wx) + c10 * wx) * (ONE - wy) + (c01 * (ONE - wx) + c11 * wx) * wy;
        return sum / (255f * ONE * ONE);
    }

    private static int weight(double frac) {
        return (int) (frac * ONE);
    }

    private static int lerp2(int c00, int c10, int c01, int c11, int wx, int wy) {
        int result = 0;
        for (int shift = 0; shift < 32; shift += 8) {
            int a = c00 >>> shift & 0xff, b = c10 >>> shift & 0xff, c = c01 >>> shift & 0xff, d = c11 >>> shift & 0xff;
            int sum = (a * (ONE - wx) + b * wx) * (ONE - wy) + (c * (ONE - wx) + d * wx) * wy;
            result |= ((sum + (1 << (2 * WEIGHT_BITS - 1))) >>> (2 * WEIGHT_BITS)) << shift;
        }
        return result;
    }

    private static int clamp(int v, int max) {
        return v < 0 ? 0 : Math.min(v, max);
    }
}
