package dev.ferry.posix;

import java.lang.foreign.Arena;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Closes shared arenas on a thread of its own. Closing a shared arena is a handshake with every
 * Java thread of the process: the closer waits until each has passed a poll point, and a thread
 * that is runnable but off its CPU answers only when it runs again. On the shared two-core build
 * machine, with four busy threads in the JVM, a close took 6-7 ms in the median, 48-82 ms at p99
 * and up to 156 ms (a confined close: microseconds). Closed on the event loop, once per buffer
 * of every departing client, it was the soak's largest frame-callback gaps (BENCHMARKS.md, "Soak
 * by client processes"). Handed here, the loop goes on; the memory is freed a little later.
 *
 * <p>Only what nothing touches any more may be handed over: until the close, the memory stays
 * valid, so a late access would not fail as it would after a close on the spot.
 */
public final class ArenaCloser {
    private static final LinkedBlockingQueue<Arena> QUEUE = new LinkedBlockingQueue<>();

    static {
        Thread t = new Thread(ArenaCloser::run, "ferry-arena-closer");
        t.setDaemon(true);
        t.start();
    }

    private ArenaCloser() {}

    /** Closes arena soon, on the closer's thread; returns at once. */
    public static void closeLater(Arena arena) {
        QUEUE.add(arena);
    }

    private static void run() {
        while (true) {
            try {
                QUEUE.take().close();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException alreadyClosedOrInUse) {
                // Closed twice, or still in use by a thread that holds it open: nothing more to do.
            }
        }
    }
}
