package dev.ferry.renderer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.renderer.testing.GoldenImages;
import dev.ferry.renderer.testing.PixelCompare;
import dev.ferry.renderer.testing.Scene;
import dev.ferry.renderer.testing.SceneCorpus;
import dev.ferry.renderer.testing.TestRenderers;
import dev.ferry.renderer.testing.VulkanFixture;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A few scenes against stored PNGs, pixel by pixel: the CPU renderer exactly (it is plain
 * Java, deterministic everywhere), the GLES and Vulkan renderers within the scene's parity tolerance.
 */
class GoldenImageTest {
    @RegisterExtension
    static final TestRenderers renderers = new TestRenderers();

    static List<Scene> scenes() {
        Arena sources = Arena.ofAuto();
        return List.of(SceneCorpus.overlappingTranslucent(sources), SceneCorpus.cropScaleBilinear(sources),
                SceneCorpus.transformed(sources, BufferTransform.FLIPPED_90), SceneCorpus.nv12Unscaled(sources),
                SceneCorpus.formats(sources), SceneCorpus.argbTargetTransparent(sources));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenes")
    void matchesGolden(Scene scene) {
        MemorySegment fromCpu = scene.render(renderers.cpu(), renderers.arena());
        MemorySegment golden = GoldenImages.load(scene.name(), fromCpu, scene.width(), scene.height(), scene.targetFourcc(), renderers.arena());
        int stride = scene.width() * 4;
        PixelCompare.Difference cpuDiff = PixelCompare.compare(golden, fromCpu, scene.width(), scene.height(), stride, scene.targetFourcc(), 0);
        assertEquals(0, cpuDiff.pixelsOver(), "cpu " + scene.name() + ": " + cpuDiff.describe(0));
        for (Renderer gpu : List.<Renderer>of(renderers.gles(), renderers.vulkan())) {
            MemorySegment fromGpu = scene.render(gpu, renderers.arena());
            PixelCompare.Difference d = PixelCompare.compare(golden, fromGpu, scene.width(), scene.height(), stride, scene.targetFourcc(), scene.tolerance());
            assertTrue(d.pixelsOver() == 0, gpu.name() + " " + scene.name() + ": " + d.describe(scene.tolerance()));
        }
        VulkanFixture.assertNoValidationErrors(renderers.vulkan());
    }
}
