package dev.ferry.renderer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.renderer.cpu.CpuRenderer;
import dev.ferry.renderer.testing.GlesFixture;
import dev.ferry.renderer.testing.PixelCompare;
import dev.ferry.renderer.testing.TestPixels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The tiled-modifier hook: with a {@link TileLayout} registered for a modifier, both renderers
 * de-tile through it and show the same picture as the linear buffer. The layout here is a
 * test double under a private modifier, not fake-drm's: fake-drm registers its own.
 */
class TiledLayoutTest {
    /** Test-only modifier: 8x8-pixel tiles, tiles in row-major order, pixels in a tile row-major. */
    static final long TEST_TILED_8X8 = 0x0e00_0000_0000_0001L;
    private static final int TILE = 8;

    static final class Tiled8x8 implements TileLayout {
        @Override public long modifier() { return TEST_TILED_8X8; }

        @Override
        public long planeBytes(int width, int height, int stride, int bpp) {
            if (stride != width * bpp || width % TILE != 0 || height % TILE != 0) return -1;
            return (long) stride * height;
        }

        static long offset(int x, int y, int stride, int bpp) {
            int tilesPerRow = stride / bpp / TILE;
            long tile = (long) (y / TILE) * tilesPerRow + x / TILE;
            return (tile * TILE * TILE + (y % TILE) * TILE + x % TILE) * bpp;
        }

        @Override
        public void copyToLinear(MemorySegment tiled, int tiledStride, int bpp, int x, int y, int w, int h, MemorySegment linear, int linearStride) {
            for (int row = y; row < y + h; row++) {
                for (int col = x; col < x + w; col++) {
                    linear.set(ValueLayout.JAVA_INT_UNALIGNED, (long) row * linearStride + (long) col * bpp,
                            tiled.get(ValueLayout.JAVA_INT_UNALIGNED, offset(col, row, tiledStride, bpp)));
                }
            }
        }
    }

    @AfterEach
    void unregister() {
        TileLayouts.unregister(TEST_TILED_8X8);
    }

    @Test
    void tiledBufferLooksLikeItsLinearTwin() throws Exception {
        TileLayouts.register(new Tiled8x8());
        int w = 48, h = 32;
        try (Arena arena = Arena.ofShared(); CpuRenderer cpu = new CpuRenderer(); var gles = GlesFixture.start()) {
            PixelSource linear = TestPixels.packed(arena, Fourcc.ARGB8888, w, h, TestPixels.gradient(w, h, 255));
            MemorySegment tiledMem = arena.allocate(4L * w * h);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    tiledMem.set(ValueLayout.JAVA_INT_UNALIGNED, Tiled8x8.offset(x, y, w * 4, 4),
                            linear.plane(0).memory().get(ValueLayout.JAVA_INT_UNALIGNED, (long) y * linear.plane(0).stride() + 4L * x));
                }
            }
            PixelSource tiled = new PixelSource(w, h, Fourcc.ARGB8888, TEST_TILED_8X8, List.of(new PixelPlane(tiledMem, w * 4)), CpuAccess.NONE);
            for (Renderer r : List.of(cpu, gles)) {
                MemorySegment a = draw(r, linear, arena, w, h), b = draw(r, tiled, arena, w, h);
                assertEquals(0, PixelCompare.compare(a, b, w, h, w * 4, Fourcc.XRGB8888, 0).pixelsOver(), r.name());
            }
        }
    }

    private static MemorySegment draw(Renderer r, PixelSource s, Arena arena, int w, int h) throws Exception {
        Texture t = r.importMemory(s).get().textureOrThrow();
        MemorySegment out = TestPixels.target(arena, w, h);
        r.compose(List.of(SceneSurface.at(t, 0, 0)), RenderTarget.full(out, w, h, w * 4, Fourcc.XRGB8888)).get();
        t.close();
        return out;
    }
}
