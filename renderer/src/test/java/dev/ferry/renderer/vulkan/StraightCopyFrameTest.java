package dev.ferry.renderer.vulkan;

import static dev.ferry.renderer.testing.TestPixels.gradient;
import static dev.ferry.renderer.testing.TestPixels.packed;
import static dev.ferry.renderer.testing.TestPixels.translucent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.renderer.PixelSource;
import dev.ferry.renderer.Rect;
import dev.ferry.renderer.Region;
import dev.ferry.renderer.RenderTarget;
import dev.ferry.renderer.Renderer;
import dev.ferry.renderer.SceneSurface;
import dev.ferry.renderer.Texture;
import dev.ferry.renderer.testing.PixelCompare;
import dev.ferry.renderer.testing.TestPixels;
import dev.ferry.renderer.testing.TestRenderers;
import dev.ferry.renderer.testing.VulkanFixture;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On a CPU Vulkan device (lavapipe, as here and in CI) a frame that is only the straight copy
 * of a fullscreen opaque buffer is copied by the render thread, with no submission; anything
 * drawn over it sends the frame to the device. Both give the CPU renderer's pixels exactly.
 */
class StraightCopyFrameTest {
    @RegisterExtension
    static final TestRenderers renderers = new TestRenderers();
    private static final int W = 200, H = 120;

    @Test
    void aFullscreenOpaqueFrameOverPartialDamageIsCopiedByTheRenderThread() throws Exception {
        PixelSource bg = packed(renderers.arena(), Fourcc.XRGB8888, W, H, gradient(W, H, 255));
        Region damage = Region.of(new Rect(0, 0, W, H / 2), new Rect(30, 70, 50, 20));
        long before = renderers.vulkan().threadCopies();
        assertSame(List.of(bg), damage, 1, 0);
        assertEquals(1, renderers.vulkan().threadCopies() - before, "copied on the render thread");
    }

    @Test
    void aWindowOverTheCopyTakesTheDevice() throws Exception {
        PixelSource bg = packed(renderers.arena(), Fourcc.XRGB8888, W, H, gradient(W, H, 255));
        PixelSource win = packed(renderers.arena(), Fourcc.ARGB8888, 60, 40, translucent(60, 40));
        long before = renderers.vulkan().threadCopies();
        assertSame(List.of(bg, win), Region.full(W, H), 2, 0);
        assertEquals(0, renderers.vulkan().threadCopies() - before);
    }

    /** Composes the sources (the first fullscreen and opaque, the rest at (20, 30)) on both renderers and compares them to the bit. */
    private static void assertSame(List<PixelSource> sources, Region damage, int surfaces, int tolerance) throws Exception {
        MemorySegment expected = render(renderers.cpu(), sources, damage);
        MemorySegment actual = render(renderers.vulkan(), sources, damage);
        PixelCompare.Difference d = PixelCompare.compare(expected, actual, W, H, W * 4, Fourcc.XRGB8888, tolerance);
        assertTrue(d.pixelsOver() == 0, d.describe(tolerance));
        VulkanFixture.assertNoValidationErrors(renderers.vulkan());
    }

    private static MemorySegment render(Renderer r, List<PixelSource> sources, Region damage) throws Exception {
        MemorySegment memory = TestPixels.target(renderers.arena(), W, H);
        memory.fill((byte) 0x77);
        Texture[] textures = new Texture[sources.size()];
        for (int i = 0; i < textures.length; i++) textures[i] = r.importMemory(sources.get(i)).get(30, TimeUnit.SECONDS).textureOrThrow();
        try {
            List<SceneSurface> scene = new java.util.ArrayList<>();
            scene.add(SceneSurface.at(textures[0], 0, 0).opaqueEverywhere());
            for (int i = 1; i < textures.length; i++) scene.add(SceneSurface.at(textures[i], 20, 30));
            RenderTarget target = new RenderTarget(W, H, Fourcc.XRGB8888, memory, W * 4, damage, RenderTarget.OPAQUE_BLACK);
            assertTrue(r.compose(scene, target).get(30, TimeUnit.SECONDS).isComposed());
            return memory;
        } finally {
            for (Texture t : textures) t.close();
        }
    }
}
