package dev.ferry.renderer.testing;

import dev.ferry.drm.uapi.Fourcc;
import java.lang.foreign.MemorySegment;

/** Per-channel comparison of two frames, ignoring the X byte of XRGB frames. */
public final class PixelCompare {
    private PixelCompare() {}

    public record Difference(int maxChannelDelta, int pixelsOver, int firstX, int firstY, int expected, int actual) {
        public String describe(int tolerance) {
            return String.format("max channel difference %d (allowed %d), %d pixels over; first at (%d,%d): expected %08x, got %08x",
                    maxChannelDelta, tolerance, pixelsOver, firstX, firstY, expected, actual);
        }
    }

    public static Difference compare(MemorySegment expected, MemorySegment actual, int w, int h, int stride, int fourcc, int tolerance) {
        int mask = fourcc == Fourcc.XRGB8888 ? 0x00ffffff : 0xffffffff;
        int max = 0, over = 0, fx = -1, fy = -1, fe = 0, fa = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                long off = (long) y * stride + 4L * x;
                int e = expected.get(TestPixels.INT_LE, off) & mask;
                int a = actual.get(TestPixels.INT_LE, off) & mask;
                if (e == a) continue;
                int d = 0;
                for (int s = 0; s < 32; s += 8) d = Math.max(d, Math.abs((e >>> s & 0xff) - (a >>> s & 0xff)));
                max = Math.max(max, d);
                if (d > tolerance) {
                    if (over++ == 0) { fx = x; fy = y; fe = e; fa = a; }
                }
            }
        }
        return new Difference(max, over, fx, fy, fe, fa);
    }
}
