package dev.ferry.compositor.core.bench;

import dev.ferry.compositor.core.BandedRects;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What one wl_region request costs the loop at a client's rectangle limit (16 384), for the
 * hostile patterns: {@code holesToTheLimit} is HostileClientsTest's whole holes act (a 640x640
 * square, 2x2 holes on a 4 px grid until the limit: 16 180 subtracts), {@code tallStrip} one add
 * or subtract of a strip crossing 8 000 one-rectangle bands (the most bands the limit allows
 * with room to spare), the costliest single request a client can send. A turn checks its 2 ms
 * budget every 16 requests, so 16 of the latter are what one turn can overrun it by.
 * Run: bench/jmh compositor RegionRequestBenchmark
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RegionRequestBenchmark {
    private BandedRects bands;
    private boolean strip;

    @Setup(Level.Trial)
    public void bands() {
        bands = new BandedRects();
        // Alternate x so that neighbouring bands differ and never merge.
        for (int y = 0; y < 8_000; y++) bands.add((y & 1) * 4, y, 2, 1);
    }

    @Benchmark
    public int holesToTheLimit() {
        BandedRects holes = new BandedRects();
        holes.add(0, 0, 640, 640);
        for (int k = 0; k < 25_000 && holes.count() <= 16_384; k++) holes.subtract(4 * (k % 160) + 1, 4 * (k / 160) + 1, 2, 2);
        return holes.count();
    }

    @Benchmark
    public int tallStrip() {
        strip = !strip;
        if (strip) bands.add(100, 0, 2, 8_000);
        else bands.subtract(100, 0, 2, 8_000);
        return bands.count();
    }
}
