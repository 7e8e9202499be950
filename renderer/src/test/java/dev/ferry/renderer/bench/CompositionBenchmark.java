package dev.ferry.renderer.bench;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.renderer.FrameResult;
import dev.ferry.renderer.Rect;
import dev.ferry.renderer.Renderer;
import dev.ferry.renderer.SceneSurface;
import dev.ferry.renderer.Texture;
import dev.ferry.renderer.gles.GlesRenderer;
import dev.ferry.renderer.testing.TestPixels;
import dev.ferry.renderer.vulkan.VulkanRenderer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

/**
 * Milliseconds per composed frame, full-frame damage, for 1, 4 and 16 surfaces: surface 1 is
 * a fullscreen opaque XRGB8888 buffer (with one surface, the opaque fast path), the others
 * translucent ARGB8888 windows a third of the output each way, staggered, so 16 surfaces
 * blend about 1.7 outputs' worth of pixels. Contents are static (no buffer damage, so GLES
 * uploads nothing); GLES time includes the hand-off to its render thread and glReadPixels
 * into the target; Vulkan time includes the hand-off and the fence wait, and nothing else (it
 * samples the buffers and writes the target in place). {@code memcpy} is MemorySegment.copy of one frame: the floor for any path
 * that copies the frame through the CPU.
 *
 * <p>Run: {@code bench/jmh renderer CompositionBenchmark -f 1 -wi 3 -i 5}
 */
public class CompositionBenchmark extends FullFrameBenchmark {
    @Param({"1", "4", "16"})
    public int surfaces;

    private MemorySegment frame, copyTarget;
    private GlesRenderer gles;
    private VulkanRenderer vulkan;
    private List<SceneSurface> cpuScene, glesScene, vulkanScene;
    private final List<Texture> textures = new ArrayList<>();

    @Override
    protected void prepare() throws Exception {
        frame = target.memory();
        copyTarget = arena.allocate(4L * width * height, 64);
        gles = GlesRenderer.start();
        cpuScene = scene(cpu, arena, width, height, surfaces, textures);
        glesScene = scene(gles, arena, width, height, surfaces, textures);
        vulkan = VulkanRenderer.start();
        vulkanScene = scene(vulkan, arena, width, height, surfaces, textures);
    }

    static List<SceneSurface> scene(Renderer r, Arena arena, int width, int height, int surfaces, List<Texture> textures) throws Exception {
        List<SceneSurface> scene = new ArrayList<>();
        var bg = TestPixels.packed(arena, Fourcc.XRGB8888, width, height, TestPixels.gradient(width, height, 255));
        Texture t = r.importMemory(bg).get().textureOrThrow();
        textures.add(t);
        scene.add(SceneSurface.at(t, 0, 0).opaqueEverywhere());
        int ww = width / 3, wh = height / 3;
        var win = TestPixels.packed(arena, Fourcc.ARGB8888, ww, wh, TestPixels.translucent(ww, wh));
        Texture wt = r.importMemory(win).get().textureOrThrow();
        textures.add(wt);
        for (int i = 1; i < surfaces; i++) {
            int x = (i * 97) % (width - ww), y = (i * 61) % (height - wh);
            scene.add(SceneSurface.at(wt, 0, 0).withDestination(new Rect(x, y, ww, wh)));
        }
        return scene;
    }

    @Override
    protected void release() {
        textures.forEach(Texture::close);
        gles.close();
        vulkan.close();
    }

    @Benchmark
    public MemorySegment memcpy() {
        MemorySegment.copy(frame, 0, copyTarget, 0, frame.byteSize());
        return copyTarget;
    }

    @Benchmark
    public FrameResult cpu() {
        return cpu.composeNow(cpuScene, target);
    }

    @Benchmark
    public FrameResult gles() throws Exception {
        return gles.compose(glesScene, target).get();
    }

    @Benchmark
    public FrameResult vulkan() throws Exception {
        return vulkan.compose(vulkanScene, target).get();
    }
}
