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
 * An opaque buffer as wide as the output, both without row padding, is copied as one block
 * over the damaged rows: the same pixels as the row-by-row copy, nothing outside the damage.
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
}
