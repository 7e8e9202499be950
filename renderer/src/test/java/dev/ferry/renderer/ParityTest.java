package dev.ferry.renderer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.renderer.cpu.CpuRenderer;
import dev.ferry.renderer.gles.GlesRenderer;
import dev.ferry.renderer.testing.GlesFixture;
import dev.ferry.renderer.testing.PixelCompare;
import dev.ferry.renderer.testing.Scene;
import dev.ferry.renderer.testing.SceneCorpus;
import dev.ferry.renderer.testing.VulkanFixture;
import dev.ferry.renderer.vulkan.VulkanRenderer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each GPU renderer (GLES, Vulkan) and the CPU renderer draw every scene of the corpus alike, within the scene's stated tolerance. */
class ParityTest {
    private static Arena arena;
    private static GlesRenderer gles;
    private static CpuRenderer cpu;
    private static VulkanRenderer vulkan;

    @BeforeAll
    static void start() {
        arena = Arena.ofShared();
        cpu = new CpuRenderer();
        gles = GlesFixture.start();
        vulkan = VulkanFixture.start();
    }

    @AfterAll
    static void stop() {
        if (gles != null) gles.close();
        if (vulkan != null) vulkan.close();
        cpu.close();
        arena.close();
    }

    static List<Scene> scenes() {
        // Sources live in their own arena: the parameter list is built before @BeforeAll runs.
        return SceneCorpus.all(Arena.ofAuto());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenes")
    void glesMatchesCpu(Scene scene) {
        assertMatchesCpu(scene, gles);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenes")
    void vulkanMatchesCpu(Scene scene) {
        assertMatchesCpu(scene, vulkan);
        VulkanFixture.assertNoValidationErrors(vulkan);
    }

    private static void assertMatchesCpu(Scene scene, Renderer gpu) {
        MemorySegment expected = scene.render(cpu, arena);
        MemorySegment actual = scene.render(gpu, arena);
        PixelCompare.Difference d = PixelCompare.compare(expected, actual, scene.width(), scene.height(), scene.width() * 4,
                scene.targetFourcc(), scene.tolerance());
        System.out.printf("parity %-7s %-34s max channel difference %d%n", gpu.name(), scene.name(), d.maxChannelDelta());
        assertTrue(d.pixelsOver() == 0, gpu.name() + " " + scene.name() + ": " + d.describe(scene.tolerance()));
    }
}
