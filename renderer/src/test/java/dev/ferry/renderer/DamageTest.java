package dev.ferry.renderer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.renderer.cpu.CpuRenderer;
import dev.ferry.renderer.testing.GlesFixture;
import dev.ferry.renderer.testing.PixelCompare;
import dev.ferry.renderer.testing.SceneCorpus;
import dev.ferry.renderer.testing.TestPixels;
import dev.ferry.renderer.testing.VulkanFixture;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Only damaged target pixels are written, and a GPU texture is re-uploaded only where the
 * buffer was damaged: pixels the client changed outside its damage stay stale on the GPU
 * (exactly what damage means), and both renderers agree on the redrawn picture.
 */
class DamageTest {
    private static final int W = 120, H = 80;

    @Test
    void onlyDamagedPixelsAreWritten() throws Exception {
        try (Arena arena = Arena.ofShared(); CpuRenderer cpu = new CpuRenderer(); var gles = GlesFixture.start(); var vulkan = VulkanFixture.start()) {
            for (Renderer r : List.of(cpu, gles, vulkan)) {
                PixelSource bg = TestPixels.packed(arena, Fourcc.XRGB8888, W, H, TestPixels.gradient(W, H, 255));
                PixelSource win = TestPixels.packed(arena, Fourcc.ARGB8888, 50, 40, TestPixels.translucent(50, 40));
                Texture tb = r.importMemory(bg).get().textureOrThrow();
                Texture tw = r.importMemory(win).get().textureOrThrow();
                MemorySegment out = TestPixels.target(arena, W, H);
                for (long i = 0; i < out.byteSize(); i += 4) out.set(TestPixels.INT_LE, i, 0xff123456);
                Region damage = SceneCorpus.partialDamage();
                RenderTarget target = RenderTarget.full(out, W, H, W * 4, Fourcc.XRGB8888).withDamage(damage);
                assertTrue(r.compose(List.of(SceneSurface.at(tb, 0, 0), SceneSurface.at(tw, 30, 20)), target).get().isComposed());
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        boolean damaged = damage.anyContains(x, y, 1, 1);
                        int v = out.get(TestPixels.INT_LE, 4L * (y * W + x));
                        if (!damaged) assertEquals(0xff123456, v, r.name() + " wrote undamaged (" + x + "," + y + ")");
                        else assertTrue(v != 0xff123456, r.name() + " did not write damaged (" + x + "," + y + ")");
                    }
                }
                tb.close();
                tw.close();
            }
        }
    }

    @Test
    void bufferDamageLimitsTheUpload() throws Exception {
        try (Arena arena = Arena.ofShared(); CpuRenderer cpu = new CpuRenderer(); var gles = GlesFixture.start()) {
            PixelSource src = TestPixels.packed(arena, Fourcc.XRGB8888, W, H, TestPixels.solid(0xff000080));
            Texture gt = gles.importMemory(src).get().textureOrThrow();
            Texture ct = cpu.importMemory(src).get().textureOrThrow();
            // The client paints the whole buffer white but reports only a 10x10 square as damaged.
            MemorySegment m = src.plane(0).memory();
            int stride = src.plane(0).stride();
            for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) m.set(TestPixels.INT_LE, (long) y * stride + 4L * x, 0xffffffff);
            Region bufferDamage = Region.of(20, 30, 10, 10);
            MemorySegment gout = TestPixels.target(arena, W, H), cout = TestPixels.target(arena, W, H);
            gles.compose(List.of(SceneSurface.at(gt, 0, 0).withBufferDamage(bufferDamage)), RenderTarget.full(gout, W, H, W * 4, Fourcc.XRGB8888)).get();
            cpu.compose(List.of(SceneSurface.at(ct, 0, 0).withBufferDamage(bufferDamage)), RenderTarget.full(cout, W, H, W * 4, Fourcc.XRGB8888)).get();
            // The GPU copy is white only inside the damage; the CPU renderer samples client memory directly and sees it all.
            assertEquals(0xffffff, gout.get(TestPixels.INT_LE, 4L * (35 * W + 25)) & 0xffffff);
            assertEquals(0x000080, gout.get(TestPixels.INT_LE, 4L * (5 * W + 5)) & 0xffffff);
            assertEquals(0xffffff, cout.get(TestPixels.INT_LE, 4L * (5 * W + 5)) & 0xffffff);
            gt.close();
            ct.close();
        }
    }

    @Test
    void partialRedrawMatchesAcrossRenderers() throws Exception {
        try (Arena arena = Arena.ofShared(); CpuRenderer cpu = new CpuRenderer(); var gles = GlesFixture.start(); var vulkan = VulkanFixture.start()) {
            List<Renderer> renderers = List.of(cpu, gles, vulkan);
            MemorySegment[] outs = new MemorySegment[renderers.size()];
            for (int i = 0; i < renderers.size(); i++) {
                Renderer r = renderers.get(i);
                Texture tb = r.importMemory(TestPixels.packed(arena, Fourcc.XRGB8888, W, H, TestPixels.gradient(W, H, 255))).get().textureOrThrow();
                Texture tw = r.importMemory(TestPixels.packed(arena, Fourcc.ARGB8888, 50, 40, TestPixels.translucent(50, 40))).get().textureOrThrow();
                outs[i] = TestPixels.target(arena, W, H);
                RenderTarget full = RenderTarget.full(outs[i], W, H, W * 4, Fourcc.XRGB8888);
                r.compose(List.of(SceneSurface.at(tb, 0, 0)), full).get();
                // The window appears: only its area is damaged.
                r.compose(List.of(SceneSurface.at(tb, 0, 0), SceneSurface.at(tw, 30, 20)), full.withDamage(Region.of(30, 20, 50, 40))).get();
                tb.close();
                tw.close();
            }
            for (int i = 1; i < renderers.size(); i++) {
                PixelCompare.Difference d = PixelCompare.compare(outs[0], outs[i], W, H, W * 4, Fourcc.XRGB8888, 1);
                assertEquals(0, d.pixelsOver(), renderers.get(i).name() + ": " + d.describe(1));
            }
            VulkanFixture.assertNoValidationErrors(vulkan);
        }
    }

    @Test
    void damageOutsideTheTargetIsClippedWhereTheTargetIsMade() {
        try (Arena arena = Arena.ofConfined()) {
            RenderTarget target = RenderTarget.full(TestPixels.target(arena, 40, 30), 40, 30, 40 * 4, Fourcc.XRGB8888);
            // Over the top-left corner, over the bottom-right one, wholly to the right, inside.
            Region damage = Region.of(Rect.of(-10, -10, 20, 20), Rect.of(35, 25, 20, 20), Rect.of(100, 0, 5, 5), Rect.of(5, 5, 4, 4));
            assertEquals(Region.of(Rect.of(0, 0, 10, 10), Rect.of(35, 25, 5, 5), Rect.of(5, 5, 4, 4)), target.withDamage(damage).damage());
            assertEquals(Region.of(0, 0, 40, 30), new RenderTarget(40, 30, Fourcc.XRGB8888, target.memory(), 40 * 4,
                    Region.of(-5, -5, 100, 100), RenderTarget.OPAQUE_BLACK).damage());
            // A damage inside the target, as every frame's is, is kept as it is: nothing allocated per frame.
            Region inside = Region.of(Rect.of(0, 0, 40, 30), Rect.of(39, 29, 1, 1));
            assertSame(inside, target.withDamage(inside).damage());
            assertSame(inside, target.withDamage(inside).withClear(0xff102030).readingBackOnDemand().damage());
        }
    }

    @Test
    void everyRendererDrawsOnlyTheClippedDamage() throws Exception {
        int w = 40, h = 30, stride = 48 * 4;
        Region damage = Region.of(Rect.of(-10, -10, 20, 20), Rect.of(35, 25, 20, 20), Rect.of(100, 0, 5, 5), Rect.of(5, 5, 4, 4));
        try (Arena arena = Arena.ofShared(); CpuRenderer cpu = new CpuRenderer(); var gles = GlesFixture.start(); var vulkan = VulkanFixture.start()) {
            for (Renderer r : List.of(cpu, gles, vulkan)) {
                Texture t = r.importMemory(TestPixels.packed(arena, Fourcc.XRGB8888, w, h, TestPixels.gradient(w, h, 255))).get().textureOrThrow();
                // Eight pixels of padding to the right of each row: a rectangle left unclipped would write there.
                MemorySegment out = arena.allocate((long) stride * h, 64);
                for (long i = 0; i < out.byteSize(); i += 4) out.set(TestPixels.INT_LE, i, 0xff123456);
                RenderTarget target = new RenderTarget(w, h, Fourcc.XRGB8888, out, stride, damage, RenderTarget.OPAQUE_BLACK);
                FrameResult result = r.compose(List.of(SceneSurface.at(t, 0, 0)), target).get();
                assertEquals(new FrameResult.Composed(3, 3), result, r.name());
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < 48; x++) {
                        boolean damaged = x < w && target.damage().anyContains(x, y, 1, 1);
                        int v = out.get(TestPixels.INT_LE, (long) y * stride + 4L * x);
                        if (!damaged) assertEquals(0xff123456, v, r.name() + " wrote outside the clipped damage (" + x + "," + y + ")");
                        else assertTrue(v != 0xff123456, r.name() + " did not write damaged (" + x + "," + y + ")");
                    }
                }
                t.close();
            }
            VulkanFixture.assertNoValidationErrors(vulkan);
        }
    }
}
