package dev.ferry.renderer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.renderer.cpu.CpuRenderer;
import dev.ferry.renderer.gles.GlesRenderer;
import dev.ferry.renderer.testing.GlesFixture;
import dev.ferry.renderer.testing.PixelCompare;
import dev.ferry.renderer.testing.Scene;
import dev.ferry.renderer.testing.SceneCorpus;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The GPU and CPU renderers draw every scene of the corpus alike, within the scene's stated tolerance. */
class ParityTest {
    private static Arena arena;
    private static GlesRenderer gles;
    private static CpuRenderer cpu;

    @BeforeAll
    static void start() {
        arena = Arena.ofShared();
        cpu = new CpuRenderer();
        gles = GlesFixture.start();
    }

    @AfterAll
    static void stop() {
        if (gles != null) gles.close();
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
        MemorySegment expected = scene.render(cpu, arena);
        MemorySegment actual = scene.render(gles, arena);
        PixelCompare.Difference d = PixelCompare.compare(expected, actual, scene.width(), scene.height(), scene.width() * 4,
                scene.targetFourcc(), scene.tolerance());
        System.out.printf("parity %-34s max channel difference %d%n", scene.name(), d.maxChannelDelta());
        assertTrue(d.pixelsOver() == 0, scene.name() + ": " + d.describe(scene.tolerance()));
    }
}
