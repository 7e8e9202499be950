package dev.ferry.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * CLOCK_MONOTONIC read through clock_gettime, the clock wp_presentation speaks in; and the
 * process's CPU clock (every thread, native ones included), to the nanosecond where
 * OperatingSystemMXBean and /proc count in 10 ms ticks.
 */
public final class MonotonicClock {
    private MonotonicClock() {}

    public static final int CLOCK_MONOTONIC = 1;
    private static final ThreadLocal<MemorySegment> TIMESPEC =
            ThreadLocal.withInitial(() -> Arena.global().allocate(16, 8));

    public static final int CLOCK_PROCESS_CPUTIME_ID = 2;

    public static long nowNs() {
        return read(CLOCK_MONOTONIC);
    }

    /** CPU time the whole process has used, in nanoseconds. */
    public static long processCpuNs() {
        return read(CLOCK_PROCESS_CPUTIME_ID);
    }

    private static long read(int clock) {
        MemorySegment ts = TIMESPEC.get();
        try {
            int rc = (int) Libc.CLOCK_GETTIME.invokeExact(Libc.errnoSegment(), clock, ts);
            if (rc != 0) throw new IllegalStateException("clock_gettime failed: errno " + Libc.errno());
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        return ts.get(JAVA_LONG, 0) * 1_000_000_000L + ts.get(JAVA_LONG, 8);
    }
}
