package dev.ferry.posix;

import java.lang.foreign.MemorySegment;

/**
 * Reads the start of a /proc file (a NUL-terminated path in native memory) into native memory:
 * open, read once, close, with no Java heap touched beyond the downcalls' own. For the statistics
 * files that diagnosis reads many times a second ({@link ThreadSchedStat}, {@link CpuSteal}).
 */
final class ProcText {
    private static final int O_RDONLY_CLOEXEC = 0x80000;

    private ProcText() {}

    /** The decimal number starting at {@code at} (before {@code to}), or -1 if no digit is there. */
    static long number(MemorySegment t, long at, long to) {
        long value = 0;
        int digits = 0;
        for (; at < to; at++, digits++) {
            byte b = t.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at);
            if (b < '0' || b > '9') break;
            value = value * 10 + (b - '0');
        }
        return digits == 0 ? -1 : value;
    }

    /** Bytes read into {@code into} (at most its size), or -1 where the file cannot be read. */
    static long read(MemorySegment path, MemorySegment into) {
        try {
            int fd = (int) Libc.OPEN.invokeExact(Libc.errnoSegment(), path, O_RDONLY_CLOEXEC, 0);
            if (fd < 0) return -1;
            try {
                long n = (long) Libc.READ.invokeExact(Libc.errnoSegment(), fd, into, into.byteSize());
                return n <= 0 ? -1 : n;
            } finally {
                int closed = (int) Libc.CLOSE.invokeExact(Libc.errnoSegment(), fd);
            }
        } catch (Throwable t) {
            return -1;
        }
    }
}
