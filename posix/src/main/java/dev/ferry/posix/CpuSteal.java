package dev.ferry.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Time the hypervisor took each CPU of this virtual machine away ("steal", the eighth number of a
 * {@code cpuN} line of /proc/stat), in milliseconds. A thread whose CPU is stolen is neither
 * running nor waiting for a CPU as its own schedstat sees it, so a stall made of steal looks,
 * from inside, like blocked time that nothing in the process explains (BENCHMARKS.md, issue 15:
 * a steal increment fell inside three of the six largest soak gaps). The kernel counts in clock
 * ticks (USER_HZ, 100 a second: 10 ms steps). Read into a per-thread native buffer, as
 * {@link ThreadSchedStat} reads: no Java heap per call.
 */
public final class CpuSteal {
    /** USER_HZ: what /proc/stat counts in on every Linux ABI Ferry runs on. */
    private static final long MS_PER_TICK = 10;
    private static final int TEXT_MAX = 4096;
    private record Scratch(MemorySegment path, MemorySegment text) {}
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(() -> {
        Arena arena = Arena.ofAuto();
        MemorySegment path = arena.allocateFrom("/proc/stat");
        return new Scratch(path, arena.allocate(TEXT_MAX));
    });

    private CpuSteal() {}

    /**
     * Each CPU's stolen time since boot, in ms, into {@code into} (cpu0 first); how many CPUs were
     * read (at most {@code into.length}), 0 where /proc/stat cannot be read.
     */
    public static int perCpuMs(long[] into) {
        Scratch s = SCRATCH.get();
        long n = ProcText.read(s.path(), s.text());
        if (n <= 0) return 0;
        MemorySegment t = s.text();
        int cpus = 0;
        long at = 0;
        while (at < n && cpus < into.length) {
            long lineEnd = at;
            while (lineEnd < n && t.get(ValueLayout.JAVA_BYTE, lineEnd) != '\n') lineEnd++;
            // "cpuN user nice system idle iowait irq softirq steal ...": the aggregate "cpu " line is skipped.
            if (lineEnd - at > 4 && t.get(ValueLayout.JAVA_BYTE, at) == 'c' && t.get(ValueLayout.JAVA_BYTE, at + 1) == 'p'
                    && t.get(ValueLayout.JAVA_BYTE, at + 2) == 'u' && t.get(ValueLayout.JAVA_BYTE, at + 3) != ' ') {
                long steal = field(t, at, lineEnd, 8);
                if (steal >= 0) into[cpus++] = steal * MS_PER_TICK;
            } else if (cpus > 0) {
                break;  // the cpu lines come first and together
            }
            at = lineEnd + 1;
        }
        return cpus;
    }

    /** The index-th space-separated field of the line [from, to) as a number (0: the name), or -1. */
    private static long field(MemorySegment t, long from, long to, int index) {
        long at = from;
        for (int f = 0; f < index; f++) {
            while (at < to && t.get(ValueLayout.JAVA_BYTE, at) != ' ') at++;
            while (at < to && t.get(ValueLayout.JAVA_BYTE, at) == ' ') at++;
        }
        return ProcText.number(t, at, to);
    }
}
