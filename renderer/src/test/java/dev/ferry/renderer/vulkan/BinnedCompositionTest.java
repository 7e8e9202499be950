package dev.ferry.renderer.vulkan;

import static dev.ferry.renderer.testing.TestPixels.gradient;
import static dev.ferry.renderer.testing.TestPixels.packed;
import static dev.ferry.renderer.testing.TestPixels.translucent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.renderer.Filter;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The tile-binned dispatch draws a stack of 1:1 windows exactly as the CPU renderer does
 * (maximum channel difference 0, not the blending tolerance): across tile edges, under and
 * over an opaque window that hides what is below it in some tiles, beside surfaces it cannot
 * draw (scaled, straight alpha), with twenty distinct buffers, and over partial damage; with
 * the validation layer on and no error.
 */
class BinnedCompositionTest {
    @RegisterExtension
    static final TestRenderers renderers = new TestRenderers();
    private static final int W = 300, H = 200;

    private static List<PixelSource> sources() {
        List<PixelSource> s = new ArrayList<>();
        s.add(packed(renderers.arena(), Fourcc.XRGB8888, W, H, gradient(W, H, 255)));
        s.add(packed(renderers.arena(), Fourcc.ARGB8888, 90, 70, translucent(90, 70)));
        s.add(packed(renderers.arena(), Fourcc.ARGB8888, 70, 40, TestPixels.solid(TestPixels.premultiply(128, 255, 40, 10))));
        s.add(packed(renderers.arena(), Fourcc.XRGB8888, 140, 50, gradient(140, 50, 255)));
        s.add(packed(renderers.arena(), Fourcc.ARGB8888, 60, 60, translucent(60, 60)));
        return s;
    }

    /** Background, translucent windows over tile edges, an opaque XRGB window covering whole tiles, windows over it and off the edges. */
    private static List<SceneSurface> stack(List<Texture> t, int shift) {
        return List.of(
                SceneSurface.at(t.get(0), 0, 0).opaqueEverywhere(),
                SceneSurface.at(t.get(1), 13 + shift, 9),
                SceneSurface.at(t.get(2), 50, 30 + shift),
                SceneSurface.at(t.get(1), 61, 17),
                SceneSurface.at(t.get(3), 40 + shift, 70),
                SceneSurface.at(t.get(4), 100, 80),
                SceneSurface.at(t.get(2), 150 - shift, 100),
                SceneSurface.at(t.get(1), 250, 160),
                SceneSurface.at(t.get(4), 190, 5 + shift));
    }

    @Test
    void aStackOfTranslucentWindowsIsDrawnInOneBinnedDispatchExactlyAsTheCpuRenderer() {
        long before = renderers.vulkan().binnedDispatches(), surfacesBefore = renderers.vulkan().binnedSurfaces();
        assertExact("stack", sources(), t -> stack(t, 0), Region.full(W, H), null);
        assertEquals(1, renderers.vulkan().binnedDispatches() - before, "one binned dispatch for the one damage rectangle");
        assertEquals(8, renderers.vulkan().binnedSurfaces() - surfacesBefore, "every window above the background");
    }

    @Test
    void partialDamageOverAnOlderFrameIsRedrawnExactlyInsideItsRectangles() {
        List<PixelSource> sources = sources();
        long before = renderers.vulkan().binnedDispatches();
        assertExact("partial", sources, t -> stack(t, 7), Region.of(new Rect(30, 20, 90, 60), new Rect(140, 90, 130, 100)),
                t -> stack(t, 0));
        assertEquals(3, renderers.vulkan().binnedDispatches() - before, "one for the earlier full frame, then one per damage rectangle");
    }

    @Test
    void aSurfaceTheBinnedShaderCannotDrawSplitsTheStackAndTheTopIsStillBinned() {
        long before = renderers.vulkan().binnedSurfaces();
        assertExact("split", sources(), t -> {
            List<SceneSurface> s = new ArrayList<>(stack(t, 0));
            // Scaled (bilinear) and straight alpha: drawn surface by surface, below the binned run.
            s.add(3, SceneSurface.at(t.get(4), 0, 0).withDestination(new Rect(20, 40, 150, 90)).withFilter(Filter.BILINEAR));
            s.add(4, SceneSurface.at(t.get(1), 120, 30).withPremultiplied(false));
            return s;
        }, Region.full(W, H), null);
        assertEquals(6, renderers.vulkan().binnedSurfaces() - before, "the six windows above the straight-alpha one");
    }

    @Test
    void twentyWindowsFromTwentyBuffersAreDrawnInOneDispatchExactly() {
        List<PixelSource> sources = new ArrayList<>();
        sources.add(packed(renderers.arena(), Fourcc.XRGB8888, W, H, gradient(W, H, 255)));
        int windows = 20;
        for (int i = 0; i < windows; i++) sources.add(packed(renderers.arena(), Fourcc.ARGB8888, 40 + i, 30, translucent(40 + i, 30)));
        long before = renderers.vulkan().binnedSurfaces();
        assertExact("planes", sources, t -> {
            List<SceneSurface> s = new ArrayList<>();
            s.add(SceneSurface.at(t.get(0), 0, 0).opaqueEverywhere());
            for (int i = 0; i < windows; i++) s.add(SceneSurface.at(t.get(1 + i), (i * 37) % (W - 60), (i * 23) % (H - 30)));
            return s;
        }, Region.full(W, H), null);
        assertEquals(windows, renderers.vulkan().binnedSurfaces() - before, "every window, each read through its own buffer's address");
    }

    /**
     * Composes {@code layout} over {@code damage} on both renderers (after a full frame of
     * {@code earlier} where given) and asserts the two pictures are the same to the bit.
     */
    private static void assertExact(String name, List<PixelSource> sources, Function<List<Texture>, List<SceneSurface>> layout, Region damage,
                                    Function<List<Texture>, List<SceneSurface>> earlier) {
        MemorySegment expected = render(renderers.cpu(), sources, layout, damage, earlier);
        MemorySegment actual = render(renderers.vulkan(), sources, layout, damage, earlier);
        PixelCompare.Difference d = PixelCompare.compare(expected, actual, W, H, W * 4, Fourcc.XRGB8888, 0);
        assertTrue(d.pixelsOver() == 0, name + ": " + d.describe(0));
        VulkanFixture.assertNoValidationErrors(renderers.vulkan());
    }

    private static MemorySegment render(Renderer r, List<PixelSource> sources, Function<List<Texture>, List<SceneSurface>> layout, Region damage,
                                        Function<List<Texture>, List<SceneSurface>> earlier) {
        List<Texture> textures = new ArrayList<>();
        try {
            for (PixelSource s : sources) textures.add(r.importMemory(s).get(30, TimeUnit.SECONDS).textureOrThrow());
            MemorySegment memory = TestPixels.target(renderers.arena(), W, H);
            memory.fill((byte) 0x77);
            if (earlier != null) compose(r, earlier.apply(textures), memory, Region.full(W, H));
            compose(r, layout.apply(textures), memory, damage);
            return memory;
        } catch (Exception e) {
            throw new AssertionError(r.name() + ": " + e, e);
        } finally {
            textures.forEach(Texture::close);
        }
    }

    private static void compose(Renderer r, List<SceneSurface> scene, MemorySegment memory, Region damage) throws Exception {
        RenderTarget target = new RenderTarget(W, H, Fourcc.XRGB8888, memory, W * 4, damage, RenderTarget.OPAQUE_BLACK);
        var result = r.compose(scene, target).get(30, TimeUnit.SECONDS);
        assertTrue(result.isComposed(), r.name() + ": " + result);
    }
}
