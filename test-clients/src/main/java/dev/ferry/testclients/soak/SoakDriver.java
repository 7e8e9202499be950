package dev.ferry.testclients.soak;

import dev.ferry.testsupport.HealthyWindows;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A soak of a running compositor by many client processes: while healthy wl_shm windows draw
 * (in this process, measured), worker processes ({@link SoakWorker}) come and go, at most a few
 * at once: shm and dma-buf windows committing frame after frame, clients that never read, clients
 * building huge regions. About half are SIGKILLed at a random moment (mid-commit, mid-flood),
 * the others finish or are cut off by the compositor. What the compositor must show after it
 * (fds and heap back to where they were) is for the caller to check; what the healthy windows
 * saw is returned.
 */
public final class SoakDriver {
    /** What a worker does (the {@link SoakWorker} kinds). */
    public enum Kind {
        SHM("shm", 600), DMABUF("dmabuf", 600), NEVER_READS("never-reads", 200_000), HUGE_REGION("huge-region", 40_000);

        final String arg;
        final int count;

        Kind(String arg, int count) {
            this.arg = arg;
            this.count = count;
        }
    }

    /**
     * socket: the compositor's socket path; length: how long the soak runs; concurrent: worker
     * processes alive at once; healthy: healthy windows; seed: the random choices.
     */
    public record Options(String socket, Duration length, int concurrent, int healthy, long seed) {}

    /** What happened: workers by kind, how many were killed, and what the healthy windows saw. */
    public record Result(Map<Kind, Integer> started, int killed, int exitedOnTheirOwn, HealthyWindows.Measured healthy,
                         List<String> aroundWorstGap, Instant worstGapEnded) {
        @Override
        public String toString() {
            return "workers " + started + ", " + killed + " SIGKILLed, " + exitedOnTheirOwn + " exited; healthy: " + healthy
                    + "; the worst gap ended at " + worstGapEnded + " (to read beside the compositor's log)"
                    + "; workers' events in the second before it ended: " + aroundWorstGap;
        }
    }

    /** A worker started, was killed or exited, at System.nanoTime atNs. */
    private record Event(long atNs, String what) {}

    private record Worker(Kind kind, Process process, long killAtNs) {}

    private final Options options;

    public SoakDriver(Options options) {
        this.options = options;
    }

    public Result run() throws IOException, InterruptedException {
        SplittableRandom rnd = new SplittableRandom(options.seed());
        Map<Kind, Integer> started = new EnumMap<>(Kind.class);
        List<Worker> live = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        int killed = 0, exited = 0;
        HealthyWindows.Measured measured;
        try (HealthyWindows healthy = new HealthyWindows(options.socket(), options.healthy())) {
            healthy.startMeasuring();
            long end = System.nanoTime() + options.length().toNanos();
            try {
                while (System.nanoTime() < end) {
                    while (live.size() < options.concurrent()) {
                        Kind kind = Kind.values()[rnd.nextInt(Kind.values().length)];
                        started.merge(kind, 1, Integer::sum);
                        // Half are killed, somewhere between their start-up and well into their work.
                        long killAt = rnd.nextBoolean() ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300 + rnd.nextInt(2500)) : Long.MAX_VALUE;
                        live.add(new Worker(kind, start(kind), killAt));
                        events.add(new Event(System.nanoTime(), "start " + kind.arg));
                    }
                    long now = System.nanoTime();
                    for (Iterator<Worker> it = live.iterator(); it.hasNext(); ) {
                        Worker w = it.next();
                        if (!w.process().isAlive()) {
                            events.add(new Event(now, w.kind().arg + " exited"));
                            exited++;
                            it.remove();
                        } else if (now >= w.killAtNs()) {
                            w.process().destroyForcibly(); // SIGKILL: no goodbye, no flush
                            w.process().waitFor();
                            events.add(new Event(now, "SIGKILL " + w.kind().arg));
                            killed++;
                            it.remove();
                        }
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
            } finally {
                for (Worker w : live) {
                    w.process().destroyForcibly();
                    w.process().waitFor();
                    killed++;
                }
            }
            measured = healthy.stopMeasuring();
        }
        // What the workers did in the second before the worst gap ended: whether one kind of act lines up with it.
        List<String> around = new ArrayList<>();
        long end = measured.maxGapEndNs();
        for (Event e : events) {
            if (e.atNs() <= end && e.atNs() > end - 1_000_000_000L) around.add(e.what() + " " + (end - e.atNs()) / 1_000_000 + " ms before");
        }
        Instant endedAt = Instant.now().minusNanos(System.nanoTime() - end);
        return new Result(started, killed, exited, measured, around, endedAt);
    }

    /**
     * A worker JVM on this JVM's class path, started small (one compiler tier, a small heap,
     * serial GC) and under SCHED_IDLE: the soak is about what the workers' behaviour costs the
     * others through the compositor, not about the JVM start-ups they cost the machine (about
     * half a CPU-second each, where a C client starts in a millisecond). At nice 19 they still
     * held a CPU while the loop thread waited in its queue (perf sched, 434 ms of the loop's
     * run-queue waits in one soak): the kernel counts a CPU running only SCHED_IDLE tasks as
     * idle when it places a waking thread, and does not for nice 19 (BENCHMARKS.md, issue 15).
     */
    private Process start(Kind kind) throws IOException {
        List<String> cmd = List.of("chrt", "--idle", "0", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-Xmx128m", "-Xss512k", "-XX:CICompilerCount=1",
                "-cp", System.getProperty("java.class.path"), SoakWorker.class.getName(), kind.arg, options.socket(),
                String.valueOf(kind.count));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }
}
