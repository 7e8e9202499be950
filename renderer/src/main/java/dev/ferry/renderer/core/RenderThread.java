package dev.ferry.renderer.core;

import dev.ferry.renderer.RendererUnavailableException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns a GPU context (the GLES renderer's EGL context, the Vulkan
 * renderer's device and queue). Its duty cycle: take one command from a bounded
 * queue (callers never block: a full queue is refused at once), run it, then drain the
 * release queue (texture deletions, which must never be refused, so they have their own
 * unbounded queue and cost nothing to enqueue).
 */
public final class RenderThread {
    private static final Logger LOG = LoggerFactory.getLogger(RenderThread.class);
    private static final Runnable WAKE = () -> {};

    private final BlockingQueue<Runnable> commands;
    private final ConcurrentLinkedQueue<Runnable> releases = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    /** Held while a command, its releases, or start-up/shut-down runs: on this thread or, in {@link #runIfIdle}, a caller's. */
    private final ReentrantLock owner = new ReentrantLock();
    /** Commands offered and not yet finished (WAKE is not counted): a caller may run its own only when none are. */
    private final AtomicInteger unfinished = new AtomicInteger();

    public RenderThread(String name, int capacity, Runnable onStart, Runnable onStop) {
        commands = new ArrayBlockingQueue<>(capacity);
        thread = Thread.ofPlatform().name(name).daemon(true).unstarted(() -> loop(onStart, onStop));
    }

    public void start() {
        thread.start();
    }

    /**
     * Starts the thread and waits, 30 s at most, for its start-up ({@code onStart}) to complete
     * {@code started}; on failure stops the thread and throws why, naming {@code what}.
     */
    public void startAndAwait(CompletableFuture<Void> started, String what)
            throws RendererUnavailableException {
        start();
        try {
            started.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            stop(5_000);
            Throwable cause = e.getCause();
            if (cause instanceof RendererUnavailableException u) throw u;
            throw new RendererUnavailableException(what + " failed to start: " + cause, cause);
        } catch (TimeoutException e) {
            stop(0);
            throw new RendererUnavailableException(what + " did not start within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(0);
            throw new RendererUnavailableException("interrupted while starting the " + what);
        }
    }

    /** Queues a command; false when the queue is full or the thread is stopping. */
    public boolean offer(Runnable command) {
        if (!running) return false;
        unfinished.incrementAndGet();
        if (commands.offer(command)) return true;
        unfinished.decrementAndGet();
        return false;
    }

    /**
     * Runs a command on the calling thread, in the render thread's place, when nothing is queued
     * or running (so it keeps its order after every command offered before it), then the
     * releases waiting; false, having run nothing, otherwise. For work so short that the
     * hand-off to this thread and back costs as much as the work (a CPU device's 1080p copy).
     */
    public boolean runIfIdle(Runnable command) {
        if (!running || unfinished.get() != 0 || !owner.tryLock()) return false;
        try {
            if (!running || unfinished.get() != 0) return false;
            runSafely(command);
            drainReleases();
            return true;
        } finally {
            owner.unlock();
        }
    }

    /**
     * Queues a release to run on the render thread; never refused while the thread runs.
     * False once the thread has stopped: the context, and every GPU object, is gone already.
     */
    public boolean release(Runnable release) {
        if (!thread.isAlive() && !running) return false;
        releases.add(release);
        commands.offer(WAKE);
        return true;
    }

    public Thread thread() {
        return thread;
    }

    /** Stops after the commands already queued; waits up to the timeout for the thread to end. */
    public void stop(long timeoutMs) {
        running = false;
        commands.offer(WAKE);
        try {
            thread.join(timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop(Runnable onStart, Runnable onStop) {
        owner.lock();
        try {
            onStart.run();
        } finally {
            owner.unlock();
        }
        try {
            while (running || !commands.isEmpty()) {
                // No timeout: stop and every release put WAKE on the queue, so an idle
                // compositor's render thread sleeps instead of waking ten times a second.
                Runnable command = commands.take();
                owner.lock();
                try {
                    runSafely(command);
                    drainReleases();
                } finally {
                    owner.unlock();
                }
                if (command != WAKE) unfinished.decrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            owner.lock();
            try {
                drainReleases();
                onStop.run();
            } finally {
                owner.unlock();
            }
        }
    }

    private void drainReleases() {
        Runnable r;
        while ((r = releases.poll()) != null) runSafely(r);
    }

    private static void runSafely(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            // A command completes its own future; anything escaping here is a renderer bug, not a client's.
            LOG.error("render thread command failed", t);
        }
    }
}
