package dev.ferry.posix;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadNiceTest {
    /** A thread of its own: nice values only go up without CAP_SYS_NICE, so the test's thread is left alone. */
    private static <T> T onFreshThread(java.util.function.Supplier<T> work) throws Exception {
        CompletableFuture<T> out = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                out.complete(work.get());
            } catch (Throwable e) {
                out.completeExceptionally(e);
            }
        });
        t.join(TimeUnit.SECONDS.toMillis(10));
        return out.get(1, TimeUnit.SECONDS);
    }

    @Test
    void makesOneThreadNicerAndItsNewThreadsStartAsNice() throws Exception {
        int[] seen = onFreshThread(() -> {
            Thread.currentThread().setName("nice-probe");
            int tid = ThreadSchedStat.threadNamed("nice-probe");
            int before = ThreadNice.of(tid);
            boolean done = ThreadNice.atLeast(tid, 7);
            int after = ThreadNice.of(tid);
            // Asking for less than it has is no change and no refusal.
            boolean again = ThreadNice.atLeast(tid, 3);
            int[] child = new int[1];
            CountDownLatch named = new CountDownLatch(1);
            Thread c = Thread.ofPlatform().name("nice-child").start(() -> {
                child[0] = ThreadNice.of(ThreadSchedStat.threadNamed("nice-child"));
                named.countDown();
            });
            try {
                named.await(10, TimeUnit.SECONDS);
                c.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return new int[] {before, done ? 1 : 0, after, again ? 1 : 0, ThreadNice.of(tid), child[0], ThreadNice.of((int) ProcessHandle.current().pid())};
        });
        assertEquals(1, seen[1], "setpriority refused");
        assertEquals(7, seen[2]);
        assertEquals(1, seen[3]);
        assertEquals(7, seen[4], "asking for nice 3 made it less nice");
        assertEquals(7, seen[5], "a thread it created did not start as nice");
        assertTrue(seen[6] < 7, "the process's first thread was made nicer too: " + seen[6]);
    }

    @Test
    void aThreadThatIsGoneHasNoNiceValue() {
        assertEquals(Integer.MIN_VALUE, ThreadNice.of(Integer.MAX_VALUE));
    }
}
