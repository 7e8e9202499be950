package dev.ferry.testclients.scenarios.bench;

import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.testclients.video.VideoClient;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/**
 * What one `ferry ctl stats --watch` line (what `ferry top` reads once a second) costs the
 * compositor, compiled: {@code Compositor.statsLine()} (the tree built on the loop, serialised on
 * the calling thread, as the watch thread does) against a kms Ferry on laptop-igpu with one
 * fullscreen dma-buf video playing, and {@code gone} short-lived clients that came and went
 * before (their records are kept for the report). Run:
 * bench/jmh test-clients StatsLineBenchmark -prof gc
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StatsLineBenchmark {
    @Param({"0", "64"})
    public int gone;

    private Compositor compositor;
    private Thread video;

    @Setup(Level.Trial)
    public void start() throws Exception {
        Path runtime = Files.createTempDirectory("ferry-statsline-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        compositor = Compositor.create(Compositor.Options.kms(runtime, "wayland-statsline", KmsBackend.Config.of("laptop-igpu")).withRenderer("cpu"));
        compositor.startThread();
        String socket = runtime.resolve(compositor.socketName()).toString();
        for (int i = 0; i < gone; i++) {
            new VideoClient(VideoClient.Options.of(socket).topology("laptop-igpu").title("short-" + i).size(64, 64).frames(2)).run();
        }
        video = Thread.ofPlatform().daemon().start(() -> {
            try {
                new VideoClient(VideoClient.Options.of(socket).topology("laptop-igpu").title("video").fullscreen(true)
                        .buffers(dev.ferry.client.DmabufWindow.Buffers.DMABUF).frames(60 * 3600)).run();
            } catch (Exception ignored) {
                // Ends when the compositor closes under it.
            }
        });
    }

    @Benchmark
    public byte[] statsLine() {
        return compositor.statsLine();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        compositor.close();
        video.join(5000);
    }
}
