package dev.ferry.renderer.bench;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.posix.MonotonicClock;
import dev.ferry.renderer.PixelSource;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * <p>Run: {@code bench/renderer-cpu [frames]}; {@code -Dbench.rounds=N} (BENCH_OPTS) measures
 * every case of a size and count N times in turn and prints each case's median.
 */
public final class RendererCpuCost {
    public static void main(String[] args) throws Exception {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        // -Dbench.only=vulkan,memcpy, -Dbench.sizes=1920x1080 and -Dbench.surfaces=16 narrow a run while profiling.
        List<String> only = List.of(System.getProperty("bench.only", "memcpy,vulkan,vulkan-per-surface,gles,cpu").split(","));
        List<String> sizes = List.of(System.getProperty("bench.sizes", "1920x1080,3840x2160").split(","));
        List<String> counts = List.of(System.getProperty("bench.surfaces", "1,4,16").split(","));
        CpuRenderer cpu = new CpuRenderer();
        GlesRenderer gles = GlesRenderer.start();
        VulkanRenderer vulkan = VulkanRenderer.start();
        // The same renderer without the tile-binned dispatch (every surface its own dispatch), measured beside it.
        VulkanRenderer perSurface = null;
        if (only.contains("vulkan-per-surface")) {
            System.setProperty("ferry.vulkan.binning", "false");
            perSurface = VulkanRenderer.start();
            System.clearProperty("ferry.vulkan.binning");
        }
        System.out.println("vulkan: " + vulkan.description());
        System.out.println("gles:   " + gles.description());
        System.out.printf(Locale.ROOT, "%-10s %-3s %-18s %10s %10s%n", "size", "n", "renderer", "cpu ms", "wall ms");
        int rounds = Integer.getInteger("bench.rounds", 1);
        List<String> summary = new ArrayList<>();
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
                    // Every case of this size and count, measured in turn, round after round (-Dbench.rounds), so the
                    // machine's load drifts over all of them alike; the summary takes each case's median.
                    Map<String, Frame> cases = new LinkedHashMap<>();
                    if (only.contains("memcpy")) cases.put("memcpy", () -> MemorySegment.copy(frame, 0, copy, 0, frame.byteSize()));
                    if (only.contains("memcpy") && n == 1) {
                        // The copy the CPU renderer's one-surface frame is: from a client-like
                        // buffer (TestPixels, as the scene's) into the target.
                        MemorySegment client = TestPixels.packed(arena, Fourcc.XRGB8888, w, h, TestPixels.gradient(w, h, 255)).plane(0).memory();
                        cases.put("memcpy-in", () -> MemorySegment.copy(client, 0, frame, 0, frame.byteSize()));
                        // The same frame from an unpadded buffer (stride = 4 x width, as GStreamer's 1080p 7680): the CPU
                        // renderer copies it as one block, Vulkan as one copy region. The scene's TestPixels buffers are
                        // padded, so "cpu" and "vulkan" copy row by row.
                        PixelSource flatSource = PixelSource.packed(client, w, h, 4 * w, Fourcc.XRGB8888);
                        for (Renderer r : List.<Renderer>of(cpu, vulkan)) {
                            if (!only.contains(r.name())) continue;
                            Texture flat = r.importMemory(flatSource).get().textureOrThrow();
                            textures.add(flat);
                            List<SceneSurface> one = List.of(SceneSurface.at(flat, 0, 0).opaqueEverywhere());
                            cases.put(r.name() + "-unpadded", () -> {
                                if (!r.compose(one, target).get().isComposed()) throw new IllegalStateException(r.name() + "-unpadded");
                            });
                        }
                    }
                    List<Renderer> renderers = new ArrayList<>(List.<Renderer>of(vulkan, gles, cpu));
                    if (perSurface != null) renderers.add(1, perSurface);
                    for (Renderer r : renderers) {
                        String name = r == perSurface ? "vulkan-per-surface" : r.name();
                        if (!only.contains(name)) continue;
                        List<SceneSurface> scene = CompositionBenchmark.scene(r, arena, w, h, n, textures);
                        cases.put(name, () -> {
                            var result = r.compose(scene, target).get(60, TimeUnit.SECONDS);
                            if (!result.isComposed()) throw new IllegalStateException(name + ": " + result);
                        });
                    }
                    Map<String, List<Double>> cpuMs = new LinkedHashMap<>();
                    for (int round = 0; round < rounds; round++) {
                        for (var e : cases.entrySet()) {
                            cpuMs.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(measure(label, n, e.getKey(), frames, e.getValue()));
                        }
                    }
                    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-10s %-3d", label, n));
                    Map<String, Double> median = new LinkedHashMap<>();
                    cpuMs.forEach((k, v) -> median.put(k, median(v)));
                    median.forEach((k, v) -> line.append(String.format(Locale.ROOT, " %s %.2f", k, v)));
                    for (String a : List.of("vulkan", "vulkan-per-surface")) {
                        if (median.containsKey(a) && median.containsKey("gles")) line.append(String.format(Locale.ROOT, " | %s/gles %.2f", a, median.get(a) / median.get("gles")));
                    }
                    for (String a : List.of("vulkan", "vulkan-unpadded")) {
                        if (median.containsKey(a) && median.containsKey("memcpy")) line.append(String.format(Locale.ROOT, " | %s/memcpy %.2f", a, median.get(a) / median.get("memcpy")));
                    }
                    summary.add(line.toString());
                    textures.forEach(Texture::close);
                }
            }
        }
        System.out.println("medians of " + rounds + " rounds (cpu ms per frame):");
        summary.forEach(System.out::println);
        var c = vulkan.counters();
        System.out.println("vulkan imports: in place " + c.texturesInPlace() + ", copied " + c.texturesCopied()
                + "; targets in place " + c.targetsInPlace() + ", copied " + c.targetsCopied() + "; bytes copied " + c.bytesCopied());
        vulkan.close();
        if (perSurface != null) perSurface.close();
        gles.close();
        cpu.close();
    }

    interface Frame {
        void run() throws Exception;
    }

    private static double median(List<Double> v) {
        List<Double> sorted = new ArrayList<>(v);
        sorted.sort(null);
        int m = sorted.size();
        return m % 2 == 1 ? sorted.get(m / 2) : (sorted.get(m / 2 - 1) + sorted.get(m / 2)) / 2;
    }

    /** Prints and returns one case's CPU ms per frame. */
    private static double measure(String size, int n, String name, int frames, Frame f) throws Exception {
        for (int i = 0; i < Math.max(5, frames / 4); i++) f.run();
        long cpu0 = MonotonicClock.processCpuNs(), wall0 = System.nanoTime();
        for (int i = 0; i < frames; i++) f.run();
        long cpuNs = MonotonicClock.processCpuNs() - cpu0, wallNs = System.nanoTime() - wall0;
        System.out.printf(Locale.ROOT, "%-10s %-3d %-18s %10.3f %10.3f%n", size, n, name, cpuNs / 1e6 / frames, wallNs / 1e6 / frames);
        return cpuNs / 1e6 / frames;
    }
}
