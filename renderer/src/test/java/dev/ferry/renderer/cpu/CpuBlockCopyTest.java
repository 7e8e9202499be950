package dev.ferry.renderer.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.renderer.PixelSource;
import dev.ferry.renderer.Region;
import dev.ferry.renderer.RenderTarget;
import dev.ferry.renderer.SceneSurface;
import dev.ferry.renderer.Texture;
import dev.ferry.renderer.testing.TestPixels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An opaque buffer as wide as the output is copied as one block over the damaged rows where the
 * strides allow (the same stride on both sides: unpadded, or padded alike with the target's
 * whole rows damaged): the same pixels as the row-by-row copy, nothing outside the damage.
 */
class CpuBlockCopyTest {
    private static final int W = 64, H = 48;

    @Test
    void fullWidthDamageBandIsCopiedExactly() throws Exception {
        try (Arena arena = Arena.ofShared(); CpuRenderer cpu = new CpuRenderer()) {
            PixelSource src = TestPixels.packed(arena, Fourcc.XRGB8888, W, H, TestPixels.gradient(W, H, 255));
            Texture t = cpu.importMemory(src).get().textureOrThrow();
            MemorySegment out = TestPixels.target(arena, W, H);
            for (long i = 0; i < out.byteSize(); i += 4) out.set(TestPixels.INT_LE, i, 0xff123456);
            RenderTarget target = RenderTarget.full(out, W, H, W * 4, Fourcc.XRGB8888).withDamage(Region.of(0, 10, W, 20));
            assertTrue(cpu.compose(List.of(SceneSurface.at(t, 0, 0)), target).get().isComposed());
            MemorySegment in = src.plane(0).memory();
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int v = out.get(TestPixels.INT_LE, 4L * (y * W + x));
                    if (y >= 10 && y < 30) assertEquals(in.get(TestPixels.INT_LE, (long) y * src.plane(0).stride() + 4L * x) & 0xffffff, v & 0xffffff, "(" + x + "," + y + ")");
                    else assertEquals(0xff123456, v, "outside the damage (" + x + "," + y + ")");
                }
            }
            t.close();
        }
    }

    /** A padded buffer (stride 4 x width + 16) over a target padded alike: whole damaged rows go as one block. */
    @Test
    void paddedRowsOfTheTargetsOwnStrideAreCopiedExactly() throws Exception {
        assertPaddedCopy(Region.of(0, 10, W, 20), 0, W);
    }

    /** The same strides but part of each row damaged: the block would overwrite pixels beside the damage, so rows go one by one. */
    @Test
    void aPartialRowDamageOverPaddedRowsLeavesThePixelsBesideIt() throws Exception {
        assertPaddedCopy(Region.of(8, 10, 32, 20), 8, 40);
    }

    private static void assertPaddedCopy(Region damage, int x0, int x1) throws Exception {
        try (Arena arena = Arena.ofShared(); CpuRenderer cpu = new CpuRenderer()) {
            PixelSource src = TestPixels.packed(arena, Fourcc.XRGB8888, W, H, TestPixels.gradient(W, H, 255));
            int stride = src.plane(0).stride();
            assertTrue(stride > 4 * W, "the test buffer is padded");
            Texture t = cpu.importMemory(src).get().textureOrThrow();
            MemorySegment out = arena.allocate((long) stride * H, 64);
            for (long i = 0; i < out.byteSize(); i += 4) out.set(TestPixels.INT_LE, i, 0xff123456);
            RenderTarget target = RenderTarget.full(out, W, H, stride, Fourcc.XRGB8888).withDamage(damage);
            assertTrue(cpu.compose(List.of(SceneSurface.at(t, 0, 0)), target).get().isComposed());
            MemorySegment in = src.plane(0).memory();
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < stride / 4; x++) {
                    int v = out.get(TestPixels.INT_LE, (long) y * stride + 4L * x);
                    boolean damaged = y >= 10 && y < 30 && x >= x0 && x < x1;
                    if (damaged) assertEquals(in.get(TestPixels.INT_LE, (long) y * stride + 4L * x) & 0xffffff, v & 0xffffff, "(" + x + "," + y + ")");
                    // Row padding inside the damaged band may take the source's padding; everything else is untouched.
                    else if (!(x >= W && y >= 10 && y < 30)) assertEquals(0xff123456, v, "outside the damage (" + x + "," + y + ")");
                }
            }
            t.close();
        }
    }
}
