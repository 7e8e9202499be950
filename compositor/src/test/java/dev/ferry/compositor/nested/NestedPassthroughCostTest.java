package dev.ferry.compositor.nested;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.FerryServer;
import dev.ferry.compositor.backend.nested.NestedBackend;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.compositor.scene.Window;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.ferry.compositor.FerryServer.eventually;
import static dev.ferry.compositor.FerryServer.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark of host-passthrough: a 1920x1080 wl_shm video (GStreamer waylandsink, BGRx, a
 * new buffer every frame) in a 1920x1080 nested Ferry inside Ferry headless, with passthrough
 * on and off in alternating phases of one run. Measured: the nested Ferry's CPU per video frame
 * (its event loop's thread CPU time: the CPU renderer composes on that thread, and the host
 * connection is served there) and the bytes it composes and copies into host buffers per frame.
 * The outer Ferry and GStreamer run beside it on the same cores, which is why the figure is the
 * nested loop thread's own CPU time rather than wall time, and why phases alternate.
 */
@Timeout(600)
class NestedPassthroughCostTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long PHASE_NS = 4_000_000_000L;
    /** Rounds of (on, off); the first warms the JIT up and is shown but not counted. FERRY_BENCH_ROUNDS sets it. */
    private static final int ROUNDS = Integer.parseInt(System.getenv().getOrDefault("FERRY_BENCH_ROUNDS", "4"));
    /**
     * Seconds of passthrough before the rounds (FERRY_BENCH_WARMUP_S, default 0). The code a
     * passthrough frame runs is called once or twice a frame, so at 60 fps HotSpot's C2 takes a
     * minute or more to compile it, while composition's pixel loops compile within a second: short
     * phases measure passthrough partly interpreted. A long warm-up measures the steady state of a
     * nested Ferry that has run for a while.
     */
    private static final long WARMUP_S = Long.parseLong(System.getenv().getOrDefault("FERRY_BENCH_WARMUP_S", "0"));

    /** One phase's totals. */
    private record Phase(boolean counted, boolean passthrough, long frames, long cpuNs, long composedBytes, long copiedBytes) {
        double cpuPerFrameMs() { return cpuNs / 1e6 / Math.max(1, frames); }
        double bytesPerFrame() { return (composedBytes + copiedBytes) / (double) Math.max(1, frames); }
    }

    @Test
    void passthroughAgainstCompositionFor1080pShmVideo() throws Exception {
        Path dir = NestedInHeadless.privateDir();
        try (FerryServer outer = new FerryServer("cpu")) {
            Compositor nested = Compositor.create(Compositor.Options.nested(dir, "wayland-nested",
                            outer.runtimeDir().resolve(outer.socketName()).toString())
                    .withRenderer("cpu").withOutputs(1, 1920, 1080, 60_000));
            Thread loop = nested.startThread();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            FerryServer.requireProgram("gst-launch-1.0");
            ProcessBuilder pb = new ProcessBuilder("gst-launch-1.0", "-q", "videotestsrc", "pattern=smpte", "!",
                    "video/x-raw,format=BGRx,width=1920,height=1080,framerate=60/1", "!", "waylandsink");
            pb.environment().put("XDG_RUNTIME_DIR", dir.toString());
            pb.environment().put("WAYLAND_DISPLAY", nested.socketName());
            pb.redirectErrorStream(true);
            pb.redirectOutput(dir.resolve("gst.log").toFile());
            Process gst = pb.start();
            try {
                assertTrue(eventually(Duration.ofSeconds(20), () -> videoCommits(nested) > 30),
                        () -> "waylandsink never played: " + read(dir.resolve("gst.log")));
                NestedBackend backend = (NestedBackend) nested.backend();
                if (WARMUP_S > 0) {
                    long warm = videoCommits(nested) + 50 * WARMUP_S;
                    assertTrue(eventually(Duration.ofSeconds(2 * WARMUP_S + 10), () -> videoCommits(nested) >= warm), "the warm-up's frames");
                }
                List<Phase> phases = new ArrayList<>();
                for (int round = 0; round < ROUNDS; round++) {
                    for (boolean on : new boolean[] {true, false}) {
                        nested.onLoop(() -> {
                            backend.setPassthrough(on);
                            return null;
                        });
                        // Let the switch settle (the first frames after it redraw the whole window).
                        long settle = videoCommits(nested) + 10;
                        assertTrue(eventually(Duration.ofSeconds(10), () -> videoCommits(nested) >= settle));
                        JsonNode o0 = output(nested);
                        long f0 = videoCommits(nested), c0 = threads.getThreadCpuTime(loop.threadId()), t0 = System.nanoTime();
                        while (System.nanoTime() - t0 < PHASE_NS) {
                            eventually(Duration.ofNanos(PHASE_NS - (System.nanoTime() - t0)), () -> false);
                        }
                        JsonNode o1 = output(nested);
                        long f1 = videoCommits(nested), c1 = threads.getThreadCpuTime(loop.threadId());
                        phases.add(new Phase(round > 0, on, f1 - f0, c1 - c0,
                                o1.get("bytes_composed").asLong() - o0.get("bytes_composed").asLong(),
                                o1.get("host_copied_bytes").asLong() - o0.get("host_copied_bytes").asLong()));
                    }
                }
                System.out.println("| phase | passthrough | video frames | nested CPU per frame | bytes composed + copied per frame |");
                System.out.println("|---|---|---|---|---|");
                for (int i = 0; i < phases.size(); i++) {
                    Phase p = phases.get(i);
                    System.out.printf("| %d%s | %s | %d | %.3f ms | %.0f |%n", i + 1, p.counted() ? "" : " (warm-up)", p.passthrough() ? "on" : "off", p.frames(),
                            p.cpuPerFrameMs(), p.bytesPerFrame());
                }
                double on = median(phases, true), off = median(phases, false);
                System.out.printf("median nested CPU per frame: passthrough %.3f ms, composition %.3f ms, ratio %.3f%n", on, off, on / off);
                for (Phase p : phases) {
                    assertTrue(p.frames() > 20, "too few video frames in a phase: " + p);
                    if (p.passthrough()) assertEquals(0, p.composedBytes() + p.copiedBytes(), "bytes Ferry touched with passthrough: " + p);
                    else assertTrue(p.bytesPerFrame() >= 1920L * 1080 * 4, "composition did not redraw the frame: " + p);
                }
                assertTrue(on < off, "passthrough costs no less than composition: " + on + " against " + off + " ms");
                // The cheap path must not slow the client: waylandsink skips a frame while a frame
                // callback is pending, so callbacks a refresh late showed as half the frames.
                long onFrames = phases.stream().filter(p -> p.counted() && p.passthrough()).mapToLong(Phase::frames).sum();
                long offFrames = phases.stream().filter(p -> p.counted() && !p.passthrough()).mapToLong(Phase::frames).sum();
                assertTrue(onFrames >= 0.9 * offFrames, "waylandsink played " + onFrames + " frames with passthrough against "
                        + offFrames + " composed, in phases of the same length");
                assertTrue(gst.isAlive(), "waylandsink ended early: " + read(dir.resolve("gst.log")));
            } finally {
                gst.destroy();
                waitFor(gst, Duration.ofSeconds(5));
                nested.close();
            }
        } finally {
            NestedInHeadless.deleteTree(dir);
        }
    }

    private static double median(List<Phase> phases, boolean passthrough) {
        double[] v = phases.stream().filter(p -> p.counted() && p.passthrough() == passthrough).mapToDouble(Phase::cpuPerFrameMs).sorted().toArray();
        return v[v.length / 2];
    }

    private static JsonNode output(Compositor c) throws java.io.IOException {
        return JSON.readTree(c.statsJson()).get("outputs").get(0);
    }

    /** Commits of every surface in the nested Ferry's windows: one per video frame for waylandsink's video subsurface. */
    private static long videoCommits(Compositor c) {
        return c.onLoop(() -> {
            long[] n = {0};
            for (Window w : c.scene().windows()) Scene.forEachSurface(w.surface(), 0, 0, (Surface s, int x, int y) -> n[0] += s.commitCount());
            return n[0];
        });
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
