package dev.ferry.renderer.testing;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.renderer.PixelSource;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Deterministic test buffers in native memory: patterns where every transform and crop shows. */
public final class TestPixels {
    private TestPixels() {}

    public static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** A pixel function: (x, y) to premultiplied 0xAARRGGBB. */
    public interface Pattern {
        int argb(int x, int y);
    }

    /** Gradients plus a hash so no two neighbouring texels are equal and no symmetry hides a wrong transform. */
    public static Pattern gradient(int w, int h, int alpha) {
        return (x, y) -> {
            int r = x * 255 / Math.max(1, w - 1);
            int g = y * 255 / Math.max(1, h - 1);
            int b = ((x * 7 + y * 13) * 37) & 0xff;
            return premultiply(alpha, r, g, b);
        };
    }

    public static Pattern solid(int argb) {
        return (x, y) -> argb;
    }

    /** Alpha varying across the buffer, colour premultiplied. */
    public static Pattern translucent(int w, int h) {
        return (x, y) -> {
            int a = 40 + (x * 200 / Math.max(1, w - 1));
            int r = (x * 11 + y * 3) & 0xff, g = (y * 9) & 0xff, b = (x * 5 + 128) & 0xff;
            return premultiply(a, r, g, b);
        };
    }

    public static int premultiply(int a, int r, int g, int b) {
        return a << 24 | (r * a / 255) << 16 | (g * a / 255) << 8 | (b * a / 255);
    }

    /** A packed 32-bit buffer in the given format, with extra stride padding to catch stride bugs. */
    public static PixelSource packed(Arena arena, int fourcc, int w, int h, Pattern p) {
        int stride = w * 4 + 16;
        MemorySegment m = arena.allocate((long) stride * h, 64);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                m.set(INT_LE, (long) y * stride + 4L * x, encode(fourcc, p.argb(x, y)));
            }
        }
        return PixelSource.packed(m, w, h, stride, fourcc);
    }

    /** 0xAARRGGBB to the format's little-endian word (X formats get a junk X byte, which must be ignored). */
    public static int encode(int fourcc, int argb) {
        int a = argb >>> 24, r = argb >>> 16 & 0xff, g = argb >>> 8 & 0xff, b = argb & 0xff;
        if (fourcc == Fourcc.ARGB8888) return argb;
        if (fourcc == Fourcc.XRGB8888) return 0x5a << 24 | (argb & 0xffffff);
        if (fourcc == Fourcc.ABGR8888) return a << 24 | b << 16 | g << 8 | r;
        if (fourcc == Fourcc.XBGR8888) return 0x33 << 24 | b << 16 | g << 8 | r;
        if (fourcc == Fourcc.ARGB2101010 || fourcc == Fourcc.XRGB2101010) {
            int a2 = fourcc == Fourcc.ARGB2101010 ? (a + 42) / 85 : 1;
            // Spread 8 bits to 10 with varying low bits so the 10-to-8 rounding is exercised.
            return a2 << 30 | (r << 2 | r >>> 6) << 20 | (g << 2 | (g & 3)) << 10 | (b << 2 | 1);
        }
        throw new IllegalArgumentException(Fourcc.name(fourcc));
    }

    /** NV12 with limited-range luma and chroma that sweep the gamut (including values that clip). */
    public static PixelSource nv12(Arena arena, int w, int h) {
        int ys = w + 8, cs = ((w + 1) / 2) * 2 + 8;
        int cw = (w + 1) / 2, ch = (h + 1) / 2;
        MemorySegment yp = arena.allocate((long) ys * h, 64);
        MemorySegment cp = arena.allocate((long) cs * ch, 64);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                yp.set(ValueLayout.JAVA_BYTE, (long) y * ys + x, (byte) (16 + ((x * 219 / Math.max(1, w - 1) + y * 3) % 220)));
            }
        }
        for (int y = 0; y < ch; y++) {
            for (int x = 0; x < cw; x++) {
                cp.set(ValueLayout.JAVA_BYTE, (long) y * cs + 2L * x, (byte) (16 + x * 224 / Math.max(1, cw - 1)));
                cp.set(ValueLayout.JAVA_BYTE, (long) y * cs + 2L * x + 1, (byte) (240 - y * 224 / Math.max(1, ch - 1)));
            }
        }
        return PixelSource.nv12(yp, ys, cp, cs, w, h);
    }

    public static MemorySegment target(Arena arena, int w, int h) {
        return arena.allocate((long) w * h * 4, 64);
    }
}
