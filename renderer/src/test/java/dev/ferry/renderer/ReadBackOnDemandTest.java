package dev.ferry.renderer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.renderer.gles.GlesRenderer;
import dev.ferry.renderer.testing.GlesFixture;
import dev.ferry.renderer.testing.TestPixels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GLES reads pixels back only when the CPU side needs them: a target read back on demand (a
 * headless output) is not touched by compose, and {@link Composer#readBack} then reads exactly
 * the rectangles redrawn since the last read-back; an ordinary target (a scanout buffer in
 * system memory) gets its damaged rectangles, and only those, with every frame. Counted in
 * read-back bytes.
 */
class ReadBackOnDemandTest {
    private static final int W = 200, H = 100;
    private static final int STALE = 0xff123456;

    @Test
    void onDemandTargetsAreReadBackOnlyWhenAskedAndOnlyWhatWasRedrawn() throws Exception {
        try (Arena arena = Arena.ofShared(); GlesRenderer gles = GlesFixture.start()) {
            Texture red = gles.importMemory(TestPixels.packed(arena, Fourcc.XRGB8888, W, H, TestPixels.solid(0xffff0000))).get().textureOrThrow();
            Texture blue = gles.importMemory(TestPixels.packed(arena, Fourcc.XRGB8888, 20, 10, TestPixels.solid(0xff0000ff))).get().textureOrThrow();
            MemorySegment out = TestPixels.target(arena, W, H);
            fill(out, STALE);
            RenderTarget target = RenderTarget.full(out, W, H, W * 4, Fourcc.XRGB8888).readingBackOnDemand();
            long before = gles.readBackBytes();

            // Three frames: the whole output, then a 20x10 window redrawn twice at the same place.
            assertTrue(gles.compose(List.of(SceneSurface.at(red, 0, 0)), target).get().isComposed());
            Region window = Region.of(30, 40, 20, 10);
            for (int i = 0; i < 2; i++) {
                assertTrue(gles.compose(List.of(SceneSurface.at(red, 0, 0), SceneSurface.at(blue, 30, 40)), target.withDamage(window)).get().isComposed());
            }
            assertEquals(before, gles.readBackBytes(), "nothing read back while nothing asked");
            assertEquals(STALE, pixel(out, 5, 5), "target memory untouched by compose");

            gles.readBack(target).get();
            assertEquals(before + 4L * W * H, gles.readBackBytes(), "the whole output once: the window lies inside the first frame's damage");
            assertEquals(0xff0000, pixel(out, 5, 5) & 0xffffff);
            assertEquals(0x0000ff, pixel(out, 35, 45) & 0xffffff, "the last frame's window");

            // Another frame of the window: the next read-back is the window alone.
            assertTrue(gles.compose(List.of(SceneSurface.at(red, 0, 0)), target.withDamage(window)).get().isComposed());
            gles.readBack(target).get();
            assertEquals(before + 4L * W * H + 4L * 20 * 10, gles.readBackBytes());
            assertEquals(0xff0000, pixel(out, 35, 45) & 0xffffff);
            gles.readBack(target).get();
            assertEquals(before + 4L * W * H + 4L * 20 * 10, gles.readBackBytes(), "nothing redrawn, nothing read");
            red.close();
            blue.close();
        }
    }

    @Test
    void ordinaryTargetsGetTheDamagedRectanglesOfEveryFrame() throws Exception {
        try (Arena arena = Arena.ofShared(); GlesRenderer gles = GlesFixture.start()) {
            Texture red = gles.importMemory(TestPixels.packed(arena, Fourcc.XRGB8888, W, H, TestPixels.solid(0xffff0000))).get().textureOrThrow();
            MemorySegment out = TestPixels.target(arena, W, H);
            fill(out, STALE);
            long before = gles.readBackBytes();
            RenderTarget target = RenderTarget.full(out, W, H, W * 4, Fourcc.XRGB8888).withDamage(Region.of(10, 10, 16, 8));
            assertTrue(gles.compose(List.of(SceneSurface.at(red, 0, 0)), target).get().isComposed());
            assertEquals(before + 4L * 16 * 8, gles.readBackBytes());
            assertEquals(0xff0000, pixel(out, 12, 12) & 0xffffff);
            assertEquals(STALE, pixel(out, 5, 5), "outside the damage nothing is read");
            gles.readBack(target).get();
            assertEquals(before + 4L * 16 * 8, gles.readBackBytes(), "readBack of an ordinary target reads nothing more");
            assertEquals(before + 4L * 16 * 8, ((Number) gles.memoryStatistics().get("read_back_bytes")).longValue());
            red.close();
        }
    }

    private static void fill(MemorySegment m, int v) {
        for (long i = 0; i < m.byteSize(); i += 4) m.set(TestPixels.INT_LE, i, v);
    }

    private static int pixel(MemorySegment m, int x, int y) {
        return m.get(TestPixels.INT_LE, 4L * (y * W + x));
    }
}
