package dev.ferry.renderer;

import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** Each GPU renderer (GLES, Vulkan) and the CPU renderer draw every scene of the corpus alike, within the scene's stated tolerance. */
class ParityTest {
    @RegisterExtension
    static final TestRenderers renderers = new TestRenderers();

    static List<Scene> scenes() {
        // Sources live in their own arena: the parameter list is built before the class's renderers start.
        return SceneCorpus.all(Arena.ofAuto());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenes")
    void glesMatchesCpu(Scene scene) {
        assertMatchesCpu(scene, renderers.gles());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenes")
    void vulkanMatchesCpu(Scene scene) {
        assertMatchesCpu(scene, renderers.vulkan());
        VulkanFixture.assertNoValidationErrors(renderers.vulkan());
    }

    private static void assertMatchesCpu(Scene scene, Renderer gpu) {
        MemorySegment expected = scene.render(renderers.cpu(), renderers.arena());
        MemorySegment actual = scene.render(gpu, renderers.arena());
        PixelCompare.Difference d = PixelCompare.compare(expected, actual, scene.width(), scene.height(), scene.width() * 4,
                scene.targetFourcc(), scene.tolerance());
        System.out.printf("parity %-7s %-34s max channel difference %d%n", gpu.name(), scene.name(), d.maxChannelDelta());
        assertTrue(d.pixelsOver() == 0, gpu.name() + " " + scene.name() + ": " + d.describe(scene.tolerance()));
    }
}
