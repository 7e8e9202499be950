package dev.ferry.renderer.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

/** The doubling fill writes exactly its pixels: every length, at an offset, never past its end. */
class RowWriterFillTest {
    private static final int GUARD = 0x5A5A5A5A;

    @Test
    void fillWritesExactlyNPixelsForEveryLength() {
        try (Arena arena = Arena.ofConfined()) {
            for (int n = 0; n <= 70; n++) check(arena, 3, n);
            check(arena, 1, 1920);
            check(arena, 5, 2561);
        }
    }

    private static void check(Arena arena, int at, int n) {
        int total = at + n + 3;
        MemorySegment m = arena.allocate(4L * total);
        for (int i = 0; i < total; i++) m.set(TexelSampler.INT_LE, 4L * i, GUARD);
        RowWriter.fill(m, 4L * at, 0xFF102030, n);
        for (int i = 0; i < total; i++) {
            int want = i >= at && i < at + n ? 0xFF102030 : GUARD;
            assertEquals(Integer.toHexString(want), Integer.toHexString(m.get(TexelSampler.INT_LE, 4L * i)), "n=" + n + " pixel " + i);
        }
    }

    @Test
    void fillRectLeavesThePaddingAndTheOtherColumnsAlone() {
        int width = 13, height = 9, stride = 4 * width + 12; // padded rows
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate((long) stride * height);
            for (long b = 0; b < m.byteSize(); b += 4) m.set(TexelSampler.INT_LE, b, GUARD);
            RowWriter.fillRect(m, 2L * stride + 4L * 3, stride, 0xFF000000, 7, 5);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < stride / 4; x++) {
                    boolean inside = y >= 2 && y < 7 && x >= 3 && x < 10;
                    assertEquals(Integer.toHexString(inside ? 0xFF000000 : GUARD),
                            Integer.toHexString(m.get(TexelSampler.INT_LE, (long) y * stride + 4L * x)), "(" + x + ", " + y + ")");
                }
            }
        }
    }
}
