package dev.ferry.renderer.bench;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.renderer.Filter;
import dev.ferry.renderer.FrameResult;
import dev.ferry.renderer.Rect;
import dev.ferry.renderer.RenderTarget;
import dev.ferry.renderer.SceneSurface;
import dev.ferry.renderer.Texture;
import dev.ferry.renderer.cpu.CpuRenderer;
import dev.ferry.renderer.testing.TestPixels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU renderer on GStreamer waylandsink's scene (as seen with WAYLAND_DEBUG=1, GStreamer
 * 1.22): a toplevel whose buffer is a 1x1 XRGB8888 black wl_shm buffer stretched by wp_viewport
 * to the window (opaque region set), and a desync video subsurface at (0, 0) with an ARGB8888
 * (BGRA) buffer, alpha 255 everywhere but no opaque region, and its own wp_viewport destination.
 * Both viewports make the compositor ask for bilinear filtering (FrameContent). Full damage, ms
 * per frame. {@code video}: "output" = a video buffer the size of the output (bench/weston-compare's
 * case, viewport 1:1), "1920x1080" = a 1080p video stretched to the output.
 *
 * <p>Run: {@code bench/jmh renderer WaylandsinkSceneBenchmark -f 1 -wi 3 -i 5}
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Benchmark)
public class WaylandsinkSceneBenchmark {
    @Param({"1920x1080", "3840x2160"})
    public String resolution;

    @Param({"output", "1920x1080"})
    public String video;

    private Arena arena;
    private CpuRenderer cpu;
    private Texture black, frame;
    private List<SceneSurface> scene;
    private RenderTarget target;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String[] wh = resolution.split("x");
        int width = Integer.parseInt(wh[0]), height = Integer.parseInt(wh[1]);
        int vw = video.equals("output") ? width : 1920, vh = video.equals("output") ? height : 1080;
        arena = Arena.ofShared();
        MemorySegment out = arena.allocate(4L * width * height, 64);
        target = RenderTarget.full(out, width, height, width * 4, Fourcc.XRGB8888);
        cpu = new CpuRenderer();
        black = cpu.importMemory(TestPixels.packed(arena, Fourcc.XRGB8888, 1, 1, TestPixels.solid(0xff000000))).get().textureOrThrow();
        frame = cpu.importMemory(TestPixels.packed(arena, Fourcc.ARGB8888, vw, vh, TestPixels.gradient(vw, vh, 255))).get().textureOrThrow();
        Rect full = new Rect(0, 0, width, height);
        scene = List.of(
                SceneSurface.at(black, 0, 0).withDestination(full).opaqueEverywhere().withFilter(Filter.BILINEAR),
                SceneSurface.at(frame, 0, 0).withDestination(full).withFilter(Filter.BILINEAR));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        black.close();
        frame.close();
        cpu.close();
        arena.close();
    }

    @Benchmark
    public FrameResult cpu() {
        return cpu.composeNow(scene, target);
    }
}
