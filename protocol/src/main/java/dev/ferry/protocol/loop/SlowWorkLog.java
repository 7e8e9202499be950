package dev.ferry.protocol.loop;

import dev.ferry.posix.ThreadSchedStat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names what held a loop: with {@code -Dferry.loop.slowMs=N}, every fd handler, task, deferred
 * task, timer action and after-dispatch hook that ran longer than N ms is logged with what it
 * was, a cycle whose work took longer than N ms is logged, and so is a timer that fired more
 * than N ms after its deadline, with how long the loop thread waited for a CPU meanwhile. A
 * frame-callback gap seen from a client says only that the loop was late; this says by what: a
 * piece of work, or (a late timer with no slow piece and a run delay as long) the machine, whose
 * other processes held the CPUs. Off by default, when it costs one constant test per piece.
 */
public final class SlowWorkLog {
    private static final Logger LOG = LoggerFactory.getLogger(SlowWorkLog.class);
    /** 0: off. */
    static final long SLOW_NS = Long.getLong("ferry.loop.slowMs", 0) * 1_000_000L;
    public static final boolean ON = SLOW_NS > 0;

    /** The loop thread's run delay at the start of the previous cycle and of this one. */
    private long runDelayBeforeNs = -1;
    private long runDelayNowNs = -1;
    /**
     * This thread's run delay, time on a CPU and clock when its current cycle began: a slow piece
     * says how much of its cycle so far was a wait for a CPU, how much computing, and how much
     * neither, which is time blocked (a lock, a safepoint or the heap lock of a collection whose
     * threads are short of CPU, a page fault, mmap's lock), a thing no CPU-wait figure shows.
     */
    private static final ThreadLocal<long[]> CYCLE_START = ThreadLocal.withInitial(() -> new long[] {-1, -1, 0});

    /** Start of a piece of work (0 when off: no clock read). */
    public static long start() {
        return ON ? System.nanoTime() : 0;
    }

    /** A cycle begins (its wait is over): notes the loop thread's run delay so far. */
    long cycleStarted() {
        if (!ON) return 0;
        runDelayBeforeNs = runDelayNowNs;
        runDelayNowNs = ThreadSchedStat.runDelayNs();
        long[] start = CYCLE_START.get();
        start[0] = runDelayNowNs;
        start[1] = ThreadSchedStat.onCpuNs();
        start[2] = System.nanoTime();
        return start[2];
    }

    /** A piece that began at startNs is over; logged if it ran past the threshold. */
    public static void end(long startNs, String kind, Object what) {
        if (!ON) return;
        long took = System.nanoTime() - startNs;
        if (took > SLOW_NS) LOG.warn("slow loop {}: {} ms in {}{}", kind, ms(took), describe(what), waitedThisCycle());
    }

    /** How this thread spent its cycle so far (waiting for a CPU, on one, neither), as a suffix for a line. */
    private static String waitedThisCycle() {
        long[] start = CYCLE_START.get();
        long waited = ThreadSchedStat.runDelayNs() - start[0];
        if (start[0] < 0 || waited < 0) return "";
        long onCpu = ThreadSchedStat.onCpuNs() - start[1];
        if (start[1] < 0 || onCpu < 0) return " (of this cycle so far, " + ms(waited) + " ms waiting for a CPU)";
        long blocked = Math.max(0, System.nanoTime() - start[2] - waited - onCpu);
        return " (of this cycle so far, " + ms(waited) + " ms waiting for a CPU, " + ms(onCpu) + " on one, " + ms(blocked) + " blocked)";
    }

    /**
     * Part of a piece (one client's request, its disconnect) that began at startNs is over;
     * logged past a quarter of the threshold, so that the piece a slow one was made of is named.
     */
    public static void endPart(long startNs, String kind, Object what, Object detail) {
        if (!ON) return;
        long took = System.nanoTime() - startNs;
        if (took > SLOW_NS / 4) LOG.warn("slow {}: {} ms in {} {}{}", kind, ms(took), what, detail, waitedThisCycle());
    }

    /** A timer due at dueNs fired at nowNs: logged if that is past the threshold (the loop was held before it). */
    void late(long dueNs, long nowNs, Object action) {
        if (!ON || nowNs - dueNs <= SLOW_NS) return;
        String waited = runDelayBeforeNs < 0 || runDelayNowNs < 0 ? "?" : ms(runDelayNowNs - runDelayBeforeNs);
        LOG.warn("late loop timer: fired {} ms after its deadline ({}); the loop thread waited {} ms for a CPU since the cycle before",
                ms(nowNs - dueNs), describe(action), waited);
    }

    private static String ms(long ns) {
        return String.format("%.1f", ns / 1e6);
    }

    private static String describe(Object what) {
        if (what == null) return "?";
        if (what instanceof String s) return s;
        return what.getClass().getName();
    }
}
