package dev.ferry.compositor.plan.bench;

import dev.ferry.compositor.plan.FramePlan;
import dev.ferry.compositor.plan.FramePlanner;
import dev.ferry.compositor.plan.PlanSurface;
import dev.ferry.compositor.plan.PlaneRejections;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.Plane;
import dev.ferry.drm.PlaneType;
import dev.ferry.drm.uapi.Fourcc;
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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The planner's own cost per frame on laptop-igpu's planes: n windows cascaded over a desktop
 * (each overlapping the next, all dma-bufs updating at 60 Hz, so every one is an overlay
 * candidate until the one above covers part of it), planned again and again with the previous
 * plan, as the kms driver does in steady state; or tiled side by side (32 fill the output). Run: bench/jmh compositor FramePlannerBenchmark -prof gc
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FramePlannerBenchmark {
    @Param({"1", "8", "32"})
    public int surfaces;

    /** cascade: each window overlaps the next; tiled: side by side, none overlapping. */
    @Param({"cascade", "tiled"})
    public String layout;

    private FakeKernel kernel;
    private Plane primary;
    private final List<Plane> overlays = new ArrayList<>();
    private PlanSurface[] in;
    private final FramePlanner planner = new FramePlanner();
    private FramePlan plan = new FramePlan();
    private FramePlan previous = new FramePlan();

    @Setup(Level.Trial)
    public void setUp() {
        kernel = FakeKernel.open("laptop-igpu");
        for (Plane p : kernel.devices().getFirst().planes()) {
            if ((p.possibleCrtcs() & 1) == 0) continue;
            if (p.type() == PlaneType.PRIMARY) primary = p;
            if (p.type() == PlaneType.OVERLAY) overlays.add(p);
        }
        in = new PlanSurface[surfaces];
        for (int i = 0; i < surfaces; i++) {
            boolean tiled = layout.equals("tiled");
            int w = tiled ? 1920 / 8 : 640, h = tiled ? 1080 / 4 : 360;
            int x = tiled ? (i % 8) * w : 40 + 30 * i % 1200, y = tiled ? (i / 8) * h : 40 + 20 * i % 600;
            PlanSurface s = new PlanSurface().set("surface-" + i, "buffer-" + i, x, y, w, h);
            s.dmabuf = true;
            s.fourcc = Fourcc.XRGB8888;
            s.updateHz = 60;
            in[i] = s;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        kernel.close();
    }

    @Benchmark
    public FramePlan plan() {
        FramePlan out = previous;
        planner.plan(in, surfaces, 1920, 1080, primary, overlays, PlaneRejections.NONE, plan, out);
        previous = plan;
        plan = out;
        return out;
    }
}
