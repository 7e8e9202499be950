package dev.ferry.testsupport;

import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.posix.CpuSteal;
import dev.ferry.posix.ThreadSchedStat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Well-behaved wl_shm windows drawing frame after frame, each on its own thread, while the soak's
 * worker processes do their worst: what they measure is what the others cost them. Each records
 * the largest gap between two of its frame callbacks and, every fourth frame, a wl_display.sync
 * round trip. Used by the soak driver (test-clients) and by the compositor's robustness tests
 * (hostile clients in process), hence its own module: test classes cannot be reached across modules.
 */
public final class HealthyWindows implements AutoCloseable {
    /** A gap longer than this missed a refresh: one refresh at 60 Hz is 16.7 ms, two are 33.3. */
    public static final double MISSED_REFRESH_MS = 25;

    /**
     * What the windows saw over the measured window of time. The gaps between frame callbacks
     * (all windows together): how many, median, p99, the largest, how many were over
     * {@link #MISSED_REFRESH_MS} (a refresh missed at 60 Hz) and over 50 ms (three refreshes);
     * for the largest, how long its window's own thread and the compositor's loop thread (when
     * the compositor runs in this process) waited for a CPU during it, from schedstat;
     * and the largest gap less the longer of those two waits within it: what the compositor's
     * own work can have cost, the machine's share (others holding the CPUs) taken out. -1: unknown.
     * missedByAll: of the first window's missed refreshes, those every other window missed too
     * (a gap over the bound ending within 5 ms of it, a fifth of the bound): the compositor's frame
     * was late or skipped; the rest were one window's own (its commit late for the frame).
     * compilerCpuMs: CPU time this JVM's JIT compiler threads used over the whole window (with the
     * compositor in this process, the compiling of code its loop reached is in it), and the
     * window's length: on two cores, what the JIT takes is what the loop and the windows wait for.
     * maxGapStealMs: within the largest gap, the most time the hypervisor took from any one CPU
     * (/proc/stat steal, 10 ms steps); maxGapLessWaitAndStealMs: the largest of the gaps less the
     * longest of the CPU waits and that steal within each: Ferry's share with the machine's pauses
     * taken out too (a stolen CPU's thread looks, from inside, neither running nor waiting).
     */
    public record Measured(long frames, double maxFrameGapMs, double roundTripP99Ms, double roundTripMaxMs, long maxGapEndNs,
                           double gapMedianMs, double gapP99Ms, int gapsCounted, int gapsOver25Ms, int gapsOver50Ms, double maxGapOwnRunDelayMs,
                           double maxGapLoopRunDelayMs, double maxGapLessCpuWaitMs, int missedByAll, double compilerCpuMs, double windowMs,
                           double maxGapStealMs, double maxGapLessWaitAndStealMs) {
        @Override
        public String toString() {
            return String.format("%d frames, largest frame-callback gap %.1f ms (of it, waiting for a CPU: its window's thread %.1f ms, "
                            + "the compositor's loop thread %.1f ms; gaps median %.1f, p99 %.1f, %d of %d over %.0f ms (%d of them in every window at once), %d over 50 ms; largest gap less the "
                            + "CPU wait in it %.1f ms; the most steal from one CPU in it %.0f ms; largest gap less CPU wait and steal %.1f ms), "
                            + "round trip p99 %.1f ms (max %.1f); the JIT's compiler threads on a CPU %.0f ms of the %.0f ms",
                    frames, maxFrameGapMs, maxGapOwnRunDelayMs, maxGapLoopRunDelayMs, gapMedianMs, gapP99Ms, gapsOver25Ms, gapsCounted, MISSED_REFRESH_MS, missedByAll, gapsOver50Ms,
                    maxGapLessCpuWaitMs, maxGapStealMs, maxGapLessWaitAndStealMs, roundTripP99Ms, roundTripMaxMs, compilerCpuMs, windowMs);
        }
    }

    /** CPU the given compiler threads (those alive when measuring started) have used since they started; one that ended since counts 0. */
    private static long compilerCpuNs(int[] tids) {
        long sum = 0;
        for (int tid : tids) sum += Math.max(0, ThreadSchedStat.onCpuNs(tid));
        return sum;
    }

    /** The compositor's event-loop thread, watched when the compositor runs in this process. */
    private static final String COMPOSITOR_LOOP_THREAD = "ferry-loop";
    /** Its kernel thread id, looked up when measuring starts; -1 when it is not in this process. */
    private volatile int loopTid = -1;
    /** The JIT's compiler threads when measuring started, their CPU time then, and when it started. */
    private int[] compilerTids = new int[0];
    private long compilerCpuAtStartNs;
    private long startNs;

    private final List<Thread> threads = new ArrayList<>();
    private final CountDownLatch started;
    private volatile boolean running = true;
    private volatile boolean measuring;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final long[] maxGapNs;
    /** When (System.nanoTime) each window's largest gap ended. */
    private final long[] maxGapEndNs;
    /** The run delay of each window's thread, and of the loop thread, over its largest gap. */
    private final long[] maxGapRunDelayNs;
    private final long[] maxGapLoopRunDelayNs;
    /** Each window's largest gap less the CPU wait within it. */
    private final long[] maxLessWaitNs;
    /** The most steal from one CPU within each window's largest gap, and each window's largest gap less wait and steal. */
    private final long[] maxGapStealNs;
    private final long[] maxLessWaitAndStealNs;
    /** CPUs whose steal is followed (at most). */
    private static final int MAX_CPUS = 256;
    /** Every gap of each window in the window of time (up to the array's length). */
    private final long[][] gaps;
    /** When each gap over {@link #MISSED_REFRESH_MS} ended, per window (up to the array's length). */
    private final long[][] missEnds;
    private final int[] missCount;
    private final int[] gapCount;
    private final long[] frames;
    private final long[][] roundTrips;
    private final int[] roundTripCount;

    public HealthyWindows(String socket, int count) throws InterruptedException {
        started = new CountDownLatch(count);
        maxGapNs = new long[count];
        maxGapEndNs = new long[count];
        maxGapRunDelayNs = new long[count];
        maxGapLoopRunDelayNs = new long[count];
        maxLessWaitNs = new long[count];
        maxGapStealNs = new long[count];
        maxLessWaitAndStealNs = new long[count];
        gaps = new long[count][16384];
        missEnds = new long[count][4096];
        missCount = new int[count];
        gapCount = new int[count];
        frames = new long[count];
        roundTrips = new long[count][8192];
        roundTripCount = new int[count];
        for (int i = 0; i < count; i++) {
            int index = i;
            Thread t = new Thread(() -> drawLoop(socket, index), "healthy-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        if (!started.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("healthy windows did not start: " + failure.get());
    }

    private void drawLoop(String socket, int index) {
        try (WaylandClient c = WaylandClient.connect(socket); ShmWindow w = new ShmWindow(c, "healthy-" + index, 64, 64, true)) {
            long last = 0;
            long lastRunDelay = 0;
            long lastLoopRunDelay = 0;
            long[] steal = new long[MAX_CPUS], lastSteal = new long[MAX_CPUS];
            int cpus = 0;
            int colour = 0x102030 * (index + 1);
            boolean first = true;
            while (running) {
                if (!w.drawWhenFree(ShmWindow.fill(colour++ & 0xffffff), 5000)) throw new IllegalStateException("no free buffer for 5 s");
                if (!w.awaitFrame(5000)) throw new IllegalStateException("no frame callback for 5 s");
                long now = System.nanoTime();
                if (first) {
                    started.countDown();
                    first = false;
                }
                if (!measuring) {
                    last = 0;
                    continue;
                }
                long runDelay = ThreadSchedStat.runDelayNs();
                long loopRunDelay = ThreadSchedStat.runDelayNs(loopTid);
                int nowCpus = CpuSteal.perCpuMs(steal);
                long stolenNs = 0;
                for (int k = 0; k < Math.min(cpus, nowCpus); k++) stolenNs = Math.max(stolenNs, (steal[k] - lastSteal[k]) * 1_000_000L);
                synchronized (this) {
                    if (last != 0) {
                        long gap = now - last;
                        long ownWait = runDelay - lastRunDelay;
                        long loopWait = loopRunDelay < 0 || lastLoopRunDelay < 0 ? 0 : loopRunDelay - lastLoopRunDelay;
                        if (gap > maxGapNs[index]) {
                            maxGapNs[index] = gap;
                            maxGapEndNs[index] = now;
                            maxGapRunDelayNs[index] = ownWait;
                            maxGapLoopRunDelayNs[index] = loopRunDelay < 0 ? -1_000_000 : loopWait;
                            maxGapStealNs[index] = stolenNs;
                        }
                        // The two threads may have waited at the same time: only the longer wait is taken out.
                        maxLessWaitNs[index] = Math.max(maxLessWaitNs[index], gap - Math.max(ownWait, loopWait));
                        maxLessWaitAndStealNs[index] = Math.max(maxLessWaitAndStealNs[index], gap - Math.max(stolenNs, Math.max(ownWait, loopWait)));
                        if (gapCount[index] < gaps[index].length) gaps[index][gapCount[index]++] = gap;
                        if (gap > MISSED_REFRESH_MS * 1e6 && missCount[index] < missEnds[index].length) missEnds[index][missCount[index]++] = now;
                    }
                    frames[index]++;
                }
                if (frames[index] % 4 == 0) {
                    long t0 = System.nanoTime();
                    c.roundtrip();
                    long rt = System.nanoTime() - t0;
                    synchronized (this) {
                        if (roundTripCount[index] < roundTrips[index].length) roundTrips[index][roundTripCount[index]++] = rt;
                    }
                }
                // The gap counts from here: the round trip is the client's own time, not a late callback.
                last = System.nanoTime();
                lastRunDelay = ThreadSchedStat.runDelayNs();
                lastLoopRunDelay = ThreadSchedStat.runDelayNs(loopTid);
                cpus = CpuSteal.perCpuMs(lastSteal);
            }
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
            started.countDown();
        }
    }

    /** Starts a measurement window, clearing what was measured before. */
    public synchronized void startMeasuring() {
        Arrays.fill(maxGapNs, 0);
        Arrays.fill(maxGapEndNs, 0);
        Arrays.fill(maxGapRunDelayNs, 0);
        Arrays.fill(maxGapLoopRunDelayNs, 0);
        Arrays.fill(maxLessWaitNs, 0);
        Arrays.fill(maxGapStealNs, 0);
        Arrays.fill(maxLessWaitAndStealNs, 0);
        loopTid = ThreadSchedStat.threadNamed(COMPOSITOR_LOOP_THREAD);
        compilerTids = ThreadSchedStat.jitCompilers();
        compilerCpuAtStartNs = compilerCpuNs(compilerTids);
        startNs = System.nanoTime();
        Arrays.fill(gapCount, 0);
        Arrays.fill(missCount, 0);
        Arrays.fill(frames, 0);
        Arrays.fill(roundTripCount, 0);
        measuring = true;
    }

    /** Ends the window: what the windows saw in it; throws if any of them failed. */
    public Measured stopMeasuring() {
        measuring = false;
        Throwable f = failure.get();
        if (f != null) throw new IllegalStateException("a healthy window failed: " + f, f);
        synchronized (this) {
            long total = 0, gap = 0, gapEnd = 0, gapRunDelay = 0, gapLoopRunDelay = 0, lessWait = 0, gapSteal = 0, lessWaitAndSteal = 0;
            int n = 0;
            for (int i = 0; i < frames.length; i++) {
                total += frames[i];
                if (maxGapNs[i] > gap) {
                    gap = maxGapNs[i];
                    gapEnd = maxGapEndNs[i];
                    gapRunDelay = maxGapRunDelayNs[i];
                    gapLoopRunDelay = maxGapLoopRunDelayNs[i];
                    gapSteal = maxGapStealNs[i];
                }
                lessWait = Math.max(lessWait, maxLessWaitNs[i]);
                lessWaitAndSteal = Math.max(lessWaitAndSteal, maxLessWaitAndStealNs[i]);
                n += roundTripCount[i];
            }
            long[] allGaps = concat(gaps, gapCount);
            int over25 = 0, over50 = 0;
            for (long g : allGaps) {
                if (g > MISSED_REFRESH_MS * 1e6) over25++;
                if (g > 50_000_000L) over50++;
            }
            long[] all = concat(roundTrips, roundTripCount);
            double max = n == 0 ? 0 : all[n - 1] / 1e6;
            return new Measured(total, gap / 1e6, quantileMs(all, 0.99), max, gapEnd, quantileMs(allGaps, 0.5), quantileMs(allGaps, 0.99),
                    allGaps.length, over25, over50, gapRunDelay / 1e6, gapLoopRunDelay / 1e6, lessWait / 1e6, missedByAll(),
                    (compilerCpuNs(compilerTids) - compilerCpuAtStartNs) / 1e6, (System.nanoTime() - startNs) / 1e6,
                    gapSteal / 1e6, lessWaitAndSteal / 1e6);
        }
    }

    /** Of the first window's gaps over the bound, how many every other window had too, ending at about the same time. */
    private int missedByAll() {
        long near = (long) (MISSED_REFRESH_MS * 1e6 / 5);
        int shared = 0;
        for (int k = 0; k < missCount[0]; k++) {
            long end = missEnds[0][k];
            boolean all = true;
            for (int w = 1; w < missCount.length && all; w++) {
                boolean found = false;
                for (int j = 0; j < missCount[w] && !found; j++) found = Math.abs(missEnds[w][j] - end) <= near;
                all = found;
            }
            if (all) shared++;
        }
        return shared;
    }

    /** Frames drawn so far in this window of time, by all windows. */
    public synchronized long framesSoFar() {
        long total = 0;
        for (long f : frames) total += f;
        return total;
    }

    /** The first count[i] values of each row, together, sorted. */
    private static long[] concat(long[][] rows, int[] count) {
        int n = 0;
        for (int c : count) n += c;
        long[] all = new long[n];
        int k = 0;
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, all, k, count[i]);
            k += count[i];
        }
        Arrays.sort(all);
        return all;
    }

    private static double quantileMs(long[] sorted, double q) {
        int n = sorted.length;
        return n == 0 ? 0 : sorted[Math.min(n - 1, (int) Math.ceil(n * q) - 1)] / 1e6;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) t.join(10_000);
    }
}
