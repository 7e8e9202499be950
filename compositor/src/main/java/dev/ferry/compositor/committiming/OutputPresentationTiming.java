package dev.ferry.compositor.committiming;

import dev.ferry.compositor.backend.Backend;
import dev.ferry.compositor.core.PresentationTiming;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.loop.EventLoop;

import java.util.PriorityQueue;

/**
 * When frames reach the screen, from the backend's own pacing of each output (kms: its flips;
 * headless: its vblank cycle; nested: the host's presentation times), for commits with a target
 * time. A surface's timing is its first output's, else the primary one's.
 *
 * <p>Wake-ups run on the loop's clock (the devices' clock on kms, a test's virtual one there) from
 * one timer armed for the earliest: a client playing at 30 fps with a target per frame costs no
 * timer of its own. A wake-up comes a refresh before the target (a frame started then presents at
 * or after it), never sooner than a tenth of a millisecond away, and never before the frame now
 * predicted has presented if that one is too early: until then the answer cannot change. So a held
 * commit is looked at two or three times, not spun on (before, a target between two refreshes was
 * looked at every 0.1 ms for up to a refresh).
 */
public final class OutputPresentationTiming implements PresentationTiming {
    private static final long MIN_WAKE_NS = 100_000L;

    private record Wake(long atNs, long order, Runnable task) {}

    private final Backend backend;
    private final Scene scene;
    private final EventLoop loop;
    private final PriorityQueue<Wake> wakes = new PriorityQueue<>((a, b) ->
            a.atNs != b.atNs ? Long.compare(a.atNs, b.atNs) : Long.compare(a.order, b.order));
    private EventLoop.Timer timer;
    private long order;

    public OutputPresentationTiming(Backend backend, Scene scene, EventLoop loop) {
        this.backend = backend;
        this.scene = scene;
        this.loop = loop;
    }

    private Output outputFor(Surface s) {
        return s.outputs().isEmpty() ? scene.primaryOutput() : s.outputs().getFirst();
    }

    @Override
    public long nextPresentationNs(Surface s) {
        Output o = outputFor(s);
        return o == null ? 0 : backend.nextPresentationNs(o);
    }

    @Override
    public void whenPresentable(Surface s, long targetNs, Runnable task) {
        Output o = outputFor(s);
        long next = o == null ? 0 : backend.nextPresentationNs(o);
        if (next == 0) {
            loop.execute(task);
            return;
        }
        // A frame started within a refresh of the target presents at or after it.
        long at = Math.max(loop.nowNs() + MIN_WAKE_NS, targetNs - o.refreshNs());
        if (next < targetNs) at = Math.max(at, next);
        Wake w = new Wake(at, order++, task);
        try {
            if (timer == null) timer = loop.timer(this::fire);
        } catch (PosixException e) {
            // No timer fd to be had: look again on the next cycle (the check holds the commit if it is early).
            loop.later(task);
            return;
        }
        wakes.add(w);
        timer.armAt(wakes.peek().atNs);
    }

    private void fire() {
        long now = loop.nowNs();
        while (!wakes.isEmpty() && wakes.peek().atNs <= now) wakes.poll().task.run();
        if (!wakes.isEmpty()) timer.armAt(wakes.peek().atNs);
    }

    /** Closes the timer; pending wake-ups are dropped (their surfaces go with the compositor). */
    public void close() {
        wakes.clear();
        if (timer != null) timer.close();
        timer = null;
    }
}
