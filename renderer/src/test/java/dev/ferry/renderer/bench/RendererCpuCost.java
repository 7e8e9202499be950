package dev.ferry.renderer.bench;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.posix.MonotonicClock;
import dev.ferry.renderer.RenderTarget;
import dev.ferry.renderer.Renderer;
import dev.ferry.renderer.SceneSurface;
import dev.ferry.renderer.Texture;
import dev.ferry.renderer.cpu.CpuRenderer;
import dev.ferry.renderer.gles.GlesRenderer;
import dev.ferry.renderer.testing.TestPixels;
import dev.ferry.renderer.vulkan.VulkanRenderer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * CPU milliseconds per composed frame (the whole process's CPU clock, every thread: the
 * renderer's own thread and the driver's worker threads, lavapipe's and llvmpipe's included)
 * and wall milliseconds, for CompositionBenchmark's scenes (1, 4, 16 surfaces, full damage)
 * at 1080p and 4K: Vulkan, GLES, CPU and memcpy of the same frame, in one JVM, one case after
 * another. JMH measures wall time per call; on software drivers that run on several threads
 * the CPU they burn is the cost that matters to a compositor sharing the machine.
 *
 * <p>Run: {@code bench/renderer-cpu [frames]}
 */
public final class RendererCpuCost {
    public static void main(String[] args) throws Exception {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        // -Dbench.only=vulkan,memcpy, -Dbench.sizes=1920x1080 and -Dbench.surfaces=16 narrow a run while profiling.
        List<String> only = List.of(System.getProperty("bench.only", "memcpy,vulkan,gles,cpu").split(","));
        List<String> sizes = List.of(System.getProperty("bench.sizes", "1920x1080,3840x2160").split(","));
        List<String> counts = List.of(System.getProperty("bench.surfaces", "1,4,16").split(","));
        CpuRenderer cpu = new CpuRenderer();
        GlesRenderer gles = GlesRenderer.start();
        VulkanRenderer vulkan = VulkanRenderer.start();
        System.out.println("vulkan: " + vulkan.description());
        System.out.println("gles:   " + gles.description());
        System.out.printf(Locale.ROOT, "%-10s %-3s %-8s %10s %10s%n", "size", "n", "renderer", "cpu ms", "wall ms");
        for (String sizeArg : sizes) {
            int[] size = {Integer.parseInt(sizeArg.split("x")[0]), Integer.parseInt(sizeArg.split("x")[1])};
            for (int n : counts.stream().mapToInt(Integer::parseInt).toArray()) {
                try (Arena arena = Arena.ofShared()) {
                    int w = size[0], h = size[1];
                    MemorySegment frame = arena.allocate(4L * w * h, 4096);
                    MemorySegment copy = arena.allocate(4L * w * h, 4096);
                    RenderTarget target = RenderTarget.full(frame, w, h, w * 4, Fourcc.XRGB8888);
                    List<Texture> textures = new ArrayList<>();
                    String label = w + "x" + h;
                    if (only.contains("memcpy")) measure(label, n, "memcpy", frames, () -> MemorySegment.copy(frame, 0, copy, 0, frame.byteSize()));
                    if (only.contains("memcpy") && n == 1) {
                        // The copy the CPU renderer's one-surface frame is: from a client-like
                        // buffer (TestPixels, as the scene's) into the target.
                        MemorySegment client = TestPixels.packed(arena, Fourcc.XRGB8888, w, h, TestPixels.gradient(w, h, 255)).plane(0).memory();
                        measure(label, n, "memcpy-in", frames, () -> MemorySegment.copy(client, 0, frame, 0, frame.byteSize()));
                        if (only.contains("cpu")) {
                            // The same frame from an unpadded buffer (stride = 4 x width, as
                            // GStreamer's 1080p 7680): the CPU renderer copies it as one block.
                            // The scene's TestPixels buffers are padded, so "cpu" copies row by row.
                            Texture flat = cpu.importMemory(dev.ferry.renderer.PixelSource.packed(client, w, h, 4 * w, Fourcc.XRGB8888)).get().textureOrThrow();
                            List<SceneSurface> one = List.of(SceneSurface.at(flat, 0, 0).opaqueEverywhere());
                            measure(label, n, "cpu-unpadded", frames, () -> {
                                if (!cpu.compose(one, target).get().isComposed()) throw new IllegalStateException("cpu-unpadded");
                            });
                            flat.close();
                        }
                    }
                    for (Renderer r : List.<Renderer>of(vulkan, gles, cpu)) {
                        if (!only.contains(r.name())) continue;
                        List<SceneSurface> scene = CompositionBenchmark.scene(r, arena, w, h, n, textures);
                        measure(label, n, r.name(), frames, () -> {
                            var result = r.compose(scene, target).get(60, TimeUnit.SECONDS);
                            if (!result.isComposed()) throw new IllegalStateException(r.name() + ": " + result);
                        });
                    }
                    textures.forEach(Texture::close);
                }
            }
        }
        var c = vulkan.counters();
        System.out.println("vulkan imports: in place " + c.texturesInPlace() + ", copied " + c.texturesCopied()
                + "; targets in place " + c.targetsInPlace() + ", copied " + c.targetsCopied() + "; bytes copied " + c.bytesCopied());
        vulkan.close();
        gles.close();
        cpu.close();
    }

    interface Frame {
        void run() throws Exception;
    }

    private static void measure(String size, int n, String name, int frames, Frame f) throws Exception {
        for (int i = 0; i < Math.max(5, frames / 4); i++) f.run();
        long cpu0 = MonotonicClock.processCpuNs(), wall0 = System.nanoTime();
        for (int i = 0; i < frames; i++) f.run();
        long cpuNs = MonotonicClock.processCpuNs() - cpu0, wallNs = System.nanoTime() - wall0;
        System.out.printf(Locale.ROOT, "%-10s %-3d %-8s %10.3f %10.3f%n", size, n, name, cpuNs / 1e6 / frames, wallNs / 1e6 / frames);
    }
}
