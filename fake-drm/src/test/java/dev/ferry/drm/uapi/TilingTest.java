package dev.ferry.drm.uapi;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TilingTest {
    private static final long[] LAYOUTS = {Modifiers.LINEAR, Modifiers.FAKE_TILED_4X4, Modifiers.FAKE_TILED_16X16_COLUMN};

    @Test
    void everyLayoutIsABijectionOntoThePlane() {
        for (long m : LAYOUTS) {
            for (int cpp : new int[] {1, 2, 4}) {
                int w = 40, h = 35;
                int stride = Tiling.minStride(m, w, cpp);
                long bytes = Tiling.planeBytes(m, stride, h);
                Set<Long> seen = new HashSet<>();
                for (int y = 0; y < Tiling.paddedHeight(m, h); y++) {
                    for (int x = 0; x < stride / cpp; x++) {
                        long off = Tiling.byteOffset(m, x, y, stride, cpp);
                        assertTrue(off >= 0 && off + cpp <= bytes, Modifiers.name(m) + " offset " + off);
                        assertEquals(0, off % cpp);
                        assertTrue(seen.add(off), Modifiers.name(m) + " reuses " + off);
                    }
                }
                assertEquals(bytes / cpp, seen.size());
            }
        }
    }

    @Test
    void layoutsReallyDiffer() {
        int stride = 64 * 4;
        assertEquals(4 * 4, Tiling.byteOffset(Modifiers.LINEAR, 4, 0, stride, 4));
        assertEquals(16 * 4, Tiling.byteOffset(Modifiers.FAKE_TILED_4X4, 4, 0, stride, 4));
        assertEquals(4 * 4, Tiling.byteOffset(Modifiers.FAKE_TILED_4X4, 0, 1, stride, 4));
        assertEquals(16 * 4, Tiling.byteOffset(Modifiers.FAKE_TILED_16X16_COLUMN, 1, 0, stride, 4));
        assertEquals(4, Tiling.byteOffset(Modifiers.FAKE_TILED_16X16_COLUMN, 0, 1, stride, 4));
    }

    @Test
    void pixelFormatsRoundTrip() {
        int[] formats = {Fourcc.ARGB8888, Fourcc.ABGR8888, Fourcc.ARGB2101010};
        for (int f : formats) {
            for (int argb : new int[] {0xff123456, 0x80fedcba, 0x00000000, 0xffffffff}) {
                int back = PixelFormats.decode(f, PixelFormats.encode(f, argb));
                if (f == Fourcc.ARGB2101010) {
                    assertEquals(argb & 0xffffff, back & 0xffffff, Fourcc.name(f));
                } else {
                    assertEquals(argb, back, Fourcc.name(f));
                }
            }
        }
        assertEquals(0xff102030, PixelFormats.decode(Fourcc.XRGB8888, PixelFormats.encode(Fourcc.XRGB8888, 0x00102030)));
        assertEquals(0x30, PixelFormats.encode(Fourcc.ABGR8888, 0xff102030) >>> 16 & 0xff);
    }
}
