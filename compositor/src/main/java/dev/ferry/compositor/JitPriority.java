package dev.ferry.compositor;

import dev.ferry.posix.ThreadNice;
import dev.ferry.posix.ThreadSchedStat;

/**
 * The JVM's JIT compiler threads, made nicer than the event loop when the compositor starts
 * serving. HotSpot runs them at the loop's priority, so while a C2 compile runs (one of the fake
 * kernel's atomic check took 228 ms of a CPU in a soak) the loop thread, woken for a vblank or a
 * client, waited in a run queue behind it: 15-39 ms within the soak's largest frame-callback
 * gaps. Nicer, a compiler thread still gets every CPU the loop leaves idle, which on a compositor
 * is most of them, and a share of the rest (BENCHMARKS.md, issue 15, twelfth session). A
 * compiler thread HotSpot adds later is made by a compiler thread and so starts as nice as it.
 * -Dferry.jit.nice=N sets how nice (0: as HotSpot leaves them).
 */
final class JitPriority {
    static final int NICE = Integer.getInteger("ferry.jit.nice", 10);

    private JitPriority() {}

    /** Makes this JVM's compiler threads NICE; returns how many now are, or -1 where one refused. */
    static int apply() {
        if (NICE <= 0) return 0;
        int[] compilers = ThreadSchedStat.jitCompilers();
        for (int tid : compilers) {
            if (!ThreadNice.atLeast(tid, NICE)) return -1;
        }
        return compilers.length;
    }
}
