package dev.ferry.posix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The calling thread's scheduler statistics from {@code /proc/thread-self/schedstat}: how long
 * it has run on a CPU and how long it has waited, runnable, for one. A thread that was late can
 * so be told apart from a thread that was busy: a frame-callback gap during which the loop
 * thread's run delay grew by as much was the machine's (others held the CPUs), not Ferry's work.
 * For diagnosis and tests (a file read per call), not for the hot path. A read is open, read and
 * close into a per-thread native buffer, about 120 bytes of Java heap (the downcalls' own), where
 * Files.readString took about 16 KiB: the slow-work log reads it every loop cycle and the healthy
 * windows twice a frame, and those buffers were 60 MB of garbage in a 15 s soak, the loop's
 * largest allocation, which is to say more young collections in the very measurement that looks
 * for their pauses.
 */
public final class ThreadSchedStat {
    private static final String SELF = "/proc/thread-self/schedstat";
    private static final int TEXT_MAX = 64;
    /** A path and the file's text (three numbers), per thread, in native memory. */
    private record Scratch(MemorySegment path, MemorySegment text) {}
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(() -> {
        Arena arena = Arena.ofAuto();
        return new Scratch(arena.allocate(64), arena.allocate(TEXT_MAX));
    });

    private ThreadSchedStat() {}

    /** Nanoseconds this thread has waited on a run queue since it started; -1 where the kernel does not say. */
    public static long runDelayNs() {
        return read(-1, 1);
    }

    /**
     * Nanoseconds this thread has run on a CPU since it started; -1 where the kernel does not
     * say. Beside the run delay it tells a slow piece of work apart three ways: it computed, it
     * waited for a CPU, or it was neither (blocked: a lock, a safepoint, a page fault's I/O).
     */
    public static long onCpuNs() {
        return read(-1, 0);
    }

    /** The same for another thread of this process, by its kernel thread id ({@link #threadNamed}). */
    public static long runDelayNs(int tid) {
        return tid <= 0 ? -1 : read(tid, 1);
    }

    /** The same for another thread of this process, by its kernel thread id. */
    public static long onCpuNs(int tid) {
        return tid <= 0 ? -1 : read(tid, 0);
    }

    /** The kernel thread id of this process's thread with that name (as the kernel has it: 15 characters at most), or -1. */
    public static int threadNamed(String name) {
        int[] found = threadsNamed(name::equals);
        return found.length == 0 ? -1 : found[0];
    }

    /** The kernel thread ids of this process's threads whose name (as the kernel has it) passes the test; empty where /proc cannot be read. */
    public static int[] threadsNamed(java.util.function.Predicate<String> name) {
        java.util.List<Integer> found = new java.util.ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    if (name.test(Files.readString(t.resolve("comm")).trim())) found.add(Integer.parseInt(t.getFileName().toString()));
                } catch (IOException gone) {
                    // the thread ended while listed
                }
            }
        } catch (IOException e) {
            return new int[0];
        }
        return found.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The kernel thread ids of this JVM's JIT compiler threads (HotSpot's "C1 CompilerThreadN", "C2 CompilerThreadN", cut to 15 characters). */
    public static int[] jitCompilers() {
        return threadsNamed(comm -> comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre"));
    }

    /** Number field (0: on a CPU, 1: run delay) of the schedstat file of thread tid (-1: this thread), or -1. */
    private static long read(int tid, int field) {
        Scratch scratch = SCRATCH.get();
        MemorySegment m = scratch.path();
        long at = 0;
        if (tid < 0) {
            at = put(m, at, SELF);
        } else {
            at = put(m, at, "/proc/self/task/");
            at = putDigits(m, at, tid);
            at = put(m, at, "/schedstat");
        }
        m.set(ValueLayout.JAVA_BYTE, at, (byte) 0);
        long n = ProcText.read(m, scratch.text());
        return n <= 0 ? -1 : number(scratch.text(), n, field);
    }

    private static long put(MemorySegment m, long at, String ascii) {
        for (int i = 0; i < ascii.length(); i++) m.set(ValueLayout.JAVA_BYTE, at++, (byte) ascii.charAt(i));
        return at;
    }

    private static long putDigits(MemorySegment m, long at, int value) {
        int digits = 1;
        for (int v = value / 10; v > 0; v /= 10) digits++;
        for (int i = digits - 1, v = value; i >= 0; i--, v /= 10) m.set(ValueLayout.JAVA_BYTE, at + i, (byte) ('0' + v % 10));
        return at + digits;
    }

    /** Number field of "on-cpu run-delay slices", or -1 if the text is not that. */
    private static long number(MemorySegment m, long to, int field) {
        long at = 0;
        for (int skip = field; skip > 0; skip--) {
            while (at < to && m.get(ValueLayout.JAVA_BYTE, at) != ' ') at++;
            at++;
        }
        return ProcText.number(m, at, to);
    }
}
