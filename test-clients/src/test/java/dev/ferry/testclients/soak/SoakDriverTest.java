package dev.ferry.testclients.soak;

import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.compositor.devices.FakeDevices;
import dev.ferry.drm.FaultPlan;
import dev.ferry.drm.KernelClock;
import dev.ferry.testsupport.HealthyWindows;
import dev.ferry.posix.OwnedFd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The soak driver against a kms Ferry in this JVM, briefly (ferry.soak.seconds, default 15):
 * worker processes with shm and dma-buf windows, never-readers and huge regions, about half of
 * them SIGKILLed, beside healthy windows. After: every fd Ferry owned is closed again and the
 * process's fds are as before, the live heap after GC is back near where it was, and the healthy
 * windows' largest frame-callback gap stayed within bound (goal 50 ms; see GAP_BOUND_MS).
 */
@Timeout(240)
class SoakDriverTest {
    private static final long SOAK_SECONDS = Long.getLong("ferry.soak.seconds", 15);
    /**
     * The goal for the largest gap is 50 ms (three refreshes); the bound asserted is looser: on the
     * shared 2-core build machine a window's own thread was seen waiting 240 ms for a CPU within
     * one gap (331 ms), which no compositor can prevent (BENCHMARKS.md, "Soak by client
     * processes": the measured figures). A single gap says as much about the machine as about
     * Ferry; the p99 of all gaps, bounded below, says more about Ferry: a loop stall every second
     * or so would move it, the machine's rare long waits do not (39-104 ms measured over eight runs
     * after the arena fix, up to 104 under the heaviest load; normal cadence 33 ms).
     */
    private static final double GAP_BOUND_MS = Double.parseDouble(System.getProperty("ferry.soak.gapBoundMs", "250"));
    private static final double GAP_P99_BOUND_MS = Double.parseDouble(System.getProperty("ferry.soak.gapP99BoundMs", "150"));
    /**
     * What Ferry's own work can have cost a window: the largest gap less the CPU wait within it
     * (HealthyWindows.Measured#maxGapLessCpuWaitMs). The goal is 50 ms; measured 33-34 ms (one
     * missed refresh) in most runs and 41-46 in a few, alone; in one clean-clone CI run of five,
     * 50.5 ms, with seven gaps over 50 in that run, cause not found. Asserted at twice the goal:
     * a stall of Ferry's own of 100 ms (the defects of issue 15 were hundreds of ms to seconds)
     * fails the build, one refresh missed more on a loaded machine does not.
     */
    private static final double GAP_LESS_WAIT_BOUND_MS = Double.parseDouble(System.getProperty("ferry.soak.gapLessWaitBoundMs", "100"));

    @TempDir
    Path dir;

    @Test
    void workerProcessesKilledAtRandomLeaveNoFdNorHeapBehindAndStarveNoHealthyWindow() throws Exception {
        Path runtime = Files.createDirectory(dir.resolve("run"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        SoakDriver.Result result;
        int ownedWithFerry;
        List<String> ownedAtStart;
        List<String> procBefore;
        long heapBefore;
        try (Compositor c = Compositor.create(Compositor.Options.kms(runtime, "wayland-soak",
                KmsBackend.Config.of(FakeDevices.source(FakeDevices.DEFAULT_TOPOLOGY, KernelClock.monotonic(), FaultPlan.none())))
                .withRenderer("cpu"))) {
            c.startThread();
            // A first client's work loads and compiles what every later one uses: the baseline is taken after it.
            new SoakDriver(new SoakDriver.Options(runtime.resolve(c.socketName()).toString(), Duration.ofSeconds(2), 1, 1, 1)).run();
            await(() -> c.onLoop(() -> c.display().clients().isEmpty()), "the warm-up's clients to go");
            ownedWithFerry = OwnedFd.liveCount();
            ownedAtStart = owned();
            procBefore = procFds();
            heapBefore = liveHeapAfterGc();
            long[] presentedBefore = presentedAndLate(c);

            result = new SoakDriver(new SoakDriver.Options(runtime.resolve(c.socketName()).toString(),
                    Duration.ofSeconds(SOAK_SECONDS), 4, 4, 15)).run();
            System.out.println("soak: " + result);
            long[] presentedAfter = presentedAndLate(c);
            // Beside the windows' gaps over a refresh: how many of them the compositor's own late flips explain.
            System.out.printf("soak: the outputs presented %d frames, %d of them late (after the vblank they were meant for)%n",
                    presentedAfter[0] - presentedBefore[0], presentedAfter[1] - presentedBefore[1]);

            await(() -> c.onLoop(() -> c.display().clients().isEmpty()), "every client to be let go");
            // Back to the baseline: nothing open that was not open before (the baseline may still
            // have held a departing warm-up client's last fds, so fewer is fine).
            await(() -> extra(owned(), ownedAtStart).isEmpty(), () -> "Ferry's fds back to " + ownedWithFerry + " (now " + OwnedFd.liveCount()
                    + "; not there before: " + extra(owned(), ownedAtStart) + ")");
            await(() -> extra(procFds(), procBefore).isEmpty(), () -> "the process's fds back to the baseline; not there before: "
                    + extra(procFds(), procBefore));
            long heapAfter = liveHeapAfterGc();
            System.out.printf("soak: live heap %d MiB before, %d MiB after%n", heapBefore >> 20, heapAfter >> 20);
            assertTrue(heapAfter < heapBefore + (32L << 20), "live heap grew from " + (heapBefore >> 20) + " to " + (heapAfter >> 20) + " MiB");
        }
        assertTrue(result.killed() >= 3, "too few SIGKILLs to mean anything: " + result);
        for (SoakDriver.Kind k : SoakDriver.Kind.values()) {
            assertTrue(result.started().getOrDefault(k, 0) >= 1, "no " + k + " worker: " + result);
        }
        assertTrue(result.healthy().frames() > 4 * 15L * SOAK_SECONDS, "healthy windows drew only " + result.healthy().frames() + " frames");
        assertTrue(result.healthy().maxFrameGapMs() <= GAP_BOUND_MS, "healthy frame-callback gap: " + result);
        assertTrue(result.healthy().gapP99Ms() <= GAP_P99_BOUND_MS, "healthy frame-callback gaps' p99: " + result);
        assertTrue(result.healthy().maxGapLessCpuWaitMs() <= GAP_LESS_WAIT_BOUND_MS, "healthy frame-callback gap, CPU waits aside: " + result);
        // At the display's rate: half of the gaps one refresh. The frame count above would pass a
        // compositor that answered every other refresh (a bug it had once: median 33 ms).
        assertTrue(result.healthy().gapMedianMs() <= HealthyWindows.MISSED_REFRESH_MS, "healthy windows not drawing every refresh: " + result);
    }

    /** Frames the compositor's outputs presented so far, and how many of them late. */
    private static long[] presentedAndLate(Compositor c) {
        return c.onLoop(() -> {
            long presented = 0, late = 0;
            for (var o : c.backend().outputs()) {
                presented += c.backend().stats(o).frames();
                late += c.backend().stats(o).lateFrames();
            }
            return new long[] {presented, late};
        });
    }

    private static void await(BooleanSupplier condition, String what) {
        await(condition, () -> what);
    }

    private static void await(BooleanSupplier condition, java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("waited 20 s for " + what.get());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** The fds OwnedFd's ledger holds, by what they are. */
    private static List<String> owned() {
        List<String> out = new ArrayList<>();
        for (Object f : OwnedFd.liveFds()) out.add(String.valueOf(f).replaceAll("fd \\d+", "fd"));
        Collections.sort(out);
        return out;
    }

    private static List<String> extra(List<String> after, List<String> before) {
        List<String> out = new ArrayList<>(after);
        for (String b : before) out.remove(b);
        return out;
    }

    /** The process's fds by what they are, less the JVM's own (jars, modules, entropy). */
    private static List<String> procFds() {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (target.endsWith(".jar") || target.contains("/lib/modules") || target.startsWith("/dev/") && target.endsWith("random")) continue;
                    // Socket and pipe inodes differ run to run; their kind is what must match.
                    out.add(target.replaceAll("\\[\\d+]", "[]"));
                } catch (java.io.IOException gone) {
                    // the listing's own fd
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        Collections.sort(out);
        return out;
    }

    private static long liveHeapAfterGc() {
        var mem = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) System.gc();
        return mem.getHeapMemoryUsage().getUsed();
    }
}
