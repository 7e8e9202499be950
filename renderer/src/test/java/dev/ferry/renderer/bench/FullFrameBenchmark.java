package dev.ferry.renderer.bench;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.renderer.RenderTarget;
import dev.ferry.renderer.cpu.CpuRenderer;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
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
 * What the renderer's frame benchmarks share: their JMH settings (ms per frame, sampled), the
 * output's resolution as a parameter, an XRGB8888 target that size redrawn whole every frame,
 * the CPU renderer, and the shared arena all of it lives in. A benchmark builds its scene in
 * {@link #prepare} (called once the target and renderer exist) and frees it in {@link #release}
 * (before they go), so the one trial set-up and tear-down run in that order.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Benchmark)
public abstract class FullFrameBenchmark {
    @Param({"1920x1080", "3840x2160"})
    public String resolution;

    protected Arena arena;
    protected int width, height;
    protected RenderTarget target;
    protected CpuRenderer cpu;

    @Setup(Level.Trial)
    public final void setUp() throws Exception {
        String[] wh = resolution.split("x");
        width = Integer.parseInt(wh[0]);
        height = Integer.parseInt(wh[1]);
        arena = Arena.ofShared();
        target = RenderTarget.full(arena.allocate(4L * width * height, 64), width, height, width * 4, Fourcc.XRGB8888);
        cpu = new CpuRenderer();
        prepare();
    }

    /** The benchmark's own scene, over {@link #target} and {@link #cpu} (and any renderer it starts). */
    protected abstract void prepare() throws Exception;

    /** Closes what {@link #prepare} made. */
    protected abstract void release();

    @TearDown(Level.Trial)
    public final void tearDown() {
        release();
        cpu.close();
        arena.close();
    }
}
