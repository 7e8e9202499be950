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
        return read(SELF);
    }

    /** The same for another thread of this process, by its kernel thread id ({@link #threadNamed}). */
    public static long runDelayNs(int tid) {
        return tid <= 0 ? -1 : read(Path.of("/proc/self/task/" + tid + "/schedstat"));
    }

    /** The kernel thread id of this process's thread with that name (as the kernel has it: 15 characters at most), or -1. */
    public static int threadNamed(String name) {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(t.resolve("comm")).trim().equals(name)) return Integer.parseInt(t.getFileName().toString());
                } catch (IOException gone) {
                    // the thread ended while listed
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    private static long read(Path schedstat) {
        try {
            String[] f = Files.readString(schedstat).trim().split(" ");
            return f.length >= 2 ? Long.parseLong(f[1]) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
