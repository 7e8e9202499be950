package dev.ferry.posix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The calling thread's scheduler statistics from {@code /proc/thread-self/schedstat}: how long
 * it has run on a CPU and how long it has waited, runnable, for one. A thread that was late can
 * so be told apart from a thread that was busy: a frame-callback gap during which the loop
 * thread's run delay grew by as much was the machine's (others held the CPUs), not Ferry's work.
 * For diagnosis and tests (a file read per call), not for the hot path.
 */
public final class ThreadSchedStat {
    private static final Path SELF = Path.of("/proc/thread-self/schedstat");

    private ThreadSchedStat() {}

    /** Nanoseconds this thread has waited on a run queue since it started; -1 where the kernel does not say. */
    public static long runDelayNs() {
        try {
            String[] f = Files.readString(SELF).trim().split(" ");
            return f.length >= 2 ? Long.parseLong(f[1]) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
