package dev.ferry.renderer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** runIfIdle: a caller runs its command in the render thread's place only when nothing offered before it is unfinished. */
class RenderThreadTest {
    private RenderThread thread;

    @BeforeEach
    void start() {
        thread = new RenderThread("render-thread-test", 4, () -> {}, () -> {});
        thread.start();
    }

    @AfterEach
    void stop() {
        thread.stop(5_000);
    }

    @Test
    void anIdleThreadLetsTheCallerRunTheCommandAndItsReleases() throws Exception {
        CompletableFuture<Void> drained = new CompletableFuture<>();
        assertTrue(thread.offer(() -> drained.complete(null)));
        drained.get(5, TimeUnit.SECONDS);
        // The offered command is counted finished just after it completes its future: wait for the thread to be idle.
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!thread.runIfIdle(() -> ranOn.set(Thread.currentThread()))) {
            assertTrue(System.nanoTime() < deadline, "render thread never idle");
            Thread.onSpinWait();
        }
        assertSame(Thread.currentThread(), ranOn.get());
    }

    @Test
    void aCommandQueuedOrRunningKeepsTheCallersOwnOnTheQueue() throws Exception {
        CountDownLatch running = new CountDownLatch(1), release = new CountDownLatch(1);
        assertTrue(thread.offer(() -> {
            running.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        CompletableFuture<Void> second = new CompletableFuture<>();
        assertTrue(thread.offer(() -> second.complete(null)));
        assertTrue(running.await(5, TimeUnit.SECONDS));
        boolean[] ran = {false};
        assertFalse(thread.runIfIdle(() -> ran[0] = true), "one command running, one queued");
        assertFalse(ran[0]);
        release.countDown();
        second.get(5, TimeUnit.SECONDS);
        assertEquals(false, ran[0]);
    }

    @Test
    void aStoppedThreadRunsNothingForTheCaller() {
        thread.stop(5_000);
        assertFalse(thread.runIfIdle(() -> {
            throw new AssertionError("ran after stop");
        }));
    }
}
