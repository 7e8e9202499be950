package dev.ferry.posix.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What closing an arena costs the closing thread while other Java threads run: a shared arena's
 * close is a handshake with every thread (each must pass a poll point; one that is runnable but
 * off its CPU answers only when it runs again), a confined one's is not. The figure behind
 * {@code ArenaCloser} (BENCHMARKS.md, "Soak by client processes").
 *
 * <p>{@code java -cp posix/target/test-classes dev.ferry.posix.bench.ArenaCloseCost BUSY_THREADS}
 */
public final class ArenaCloseCost {
    private static volatile boolean run = true;
    private static volatile long sink;

    private ArenaCloseCost() {}

    public static void main(String[] args) throws Exception {
        int busy = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < busy; i++) {
            Thread t = new Thread(() -> {
                long x = 0;
                while (run) x += System.identityHashCode(new Object());
                sink = x;
            });
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        Thread.sleep(300);
        // Alternating, so that both kinds see the same machine.
        for (String kind : new String[] {"shared", "confined", "shared", "confined"}) {
            long[] ns = new long[300];
            for (int i = 0; i < ns.length; i++) {
                Arena arena = kind.equals("shared") ? Arena.ofShared() : Arena.ofConfined();
                MemorySegment s = arena.allocate(65536);
                s.set(ValueLayout.JAVA_INT, 0, i);
                long t0 = System.nanoTime();
                arena.close();
                ns[i] = System.nanoTime() - t0;
                Thread.sleep(2);
            }
            Arrays.sort(ns);
            System.out.printf("%d busy threads, %s close: median %.3f ms, p99 %.3f ms, max %.3f ms%n", busy, kind,
                    ns[ns.length / 2] / 1e6, ns[ns.length * 99 / 100] / 1e6, ns[ns.length - 1] / 1e6);
        }
        run = false;
    }
}
