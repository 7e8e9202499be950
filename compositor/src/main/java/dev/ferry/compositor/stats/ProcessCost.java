package dev.ferry.compositor.stats;

import dev.ferry.posix.MonotonicClock;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.loop.EventLoop;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What the compositor process costs per presented frame: its CPU time (every thread: the event
 * loop, the render thread, the JIT compilers, GC) over the frames all outputs presented, since
 * start and over the last {@link #WINDOW_S} seconds. Sampled once a second on the event loop,
 * nothing per frame, so `ferry ctl stats` shows the live cost of the path a client is on in the
 * units BENCHMARKS.md uses; the since-start figure includes start-up and JIT compilation, the
 * recent one is the steady state. It is the JVM's CPU: where clients run in the same process
 * (`ferry demo`, tests) they are in it too. Read from the process CPU clock, not
 * OperatingSystemMXBean: ManagementFactory's platform beans (their providers found by
 * ServiceLoader, some 100 classes, 20 of them spun at run time) cost every start about 30 ms
 * before the loop ran, for one number the clock gives directly.
 */
public final class ProcessCost implements AutoCloseable {
    public static final int WINDOW_S = 10;
    private static final long PERIOD_NS = 1_000_000_000L;

    private final LongSupplier frames;
    private final EventLoop.Timer timer;
    /** A ring of one-second samples: monotonic time, process CPU ns, frames presented. */
    private final long[] timeNs = new long[WINDOW_S + 1];
    private final long[] cpuNs = new long[WINDOW_S + 1];
    private final long[] frameCount = new long[WINDOW_S + 1];
    private int newest = -1;
    private int samples;

    /** frames: how many frames all outputs have presented so far (read on the loop). */
    public ProcessCost(EventLoop loop, LongSupplier frames) throws PosixException {
        this.frames = frames;
        this.timer = loop.timer(this::sample);
        sample();
    }

    private void sample() {
        newest = (newest + 1) % timeNs.length;
        timeNs[newest] = MonotonicClock.nowNs();
        cpuNs[newest] = MonotonicClock.processCpuNs();
        frameCount[newest] = frames.getAsLong();
        if (samples < timeNs.length) samples++;
        timer.armAt(timeNs[newest] + PERIOD_NS);
    }

    /** The "process" object of `ferry ctl stats`. */
    public Map<String, Object> toMap() {
        long cpu = MonotonicClock.processCpuNs(), n = frames.getAsLong();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu_ms", Math.round(cpu / 1e6));
        m.put("frames", n);
        m.put("cpu_ms_per_frame", n == 0 ? null : round(cpu / 1e6 / n));
        int oldest = samples < timeNs.length ? 0 : (newest + 1) % timeNs.length;
        long dt = timeNs[newest] - timeNs[oldest], dcpu = cpuNs[newest] - cpuNs[oldest], dn = frameCount[newest] - frameCount[oldest];
        Map<String, Object> recent = new LinkedHashMap<>();
        recent.put("seconds", round(dt / 1e9));
        recent.put("frames", dn);
        recent.put("cpu_ms_per_frame", dn == 0 ? null : round(dcpu / 1e6 / dn));
        recent.put("cpu_ms_per_second", dt == 0 ? null : round(dcpu / 1e6 / (dt / 1e9)));
        m.put("recent", recent);
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    @Override
    public void close() {
        timer.close();
    }
}
