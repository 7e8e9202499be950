package dev.ferry.testsupport;

import dev.ferry.client.WaylandClient;
import dev.ferry.drm.VirtualClock;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Drives a kms test on fake-drm's virtual clock, end to end: the devices' vblanks, the
 * compositor's loop timers and every client's pacing move only when the test calls
 * {@link #refresh}, on the test's thread. A frame is one refresh whatever the machine's load.
 *
 * <p>The clients it steps ({@link Stepper}) draw their next frame when the clock reaches it, right
 * after the refresh whose vblank answered the last one, as a client woken by its frame callback
 * would. The only real-time waits are for work, never for time: the loop handling what a clock
 * move made ready, a composition finishing, a client's roundtrip.
 */
public final class ClockDriver {
    /** A client that the driver steps: it draws when the clock reaches its next frame. */
    public interface Stepper {
        /** Reads what the compositor sent so far (a roundtrip); nothing once it is finished. */
        void sync() throws IOException;

        /**
         * Does what is due at this time (its next frame, once its frame callback came and a buffer
         * is free), at most one frame a step; true once it has nothing more to draw or wait for.
         */
        boolean step(long nowNs) throws IOException;
    }

    /** A wait for work (not time) longer than this is a hang. */
    private static final long WORK_BOUND_NS = 10_000_000_000L;

    private final VirtualClock clock;
    private final long periodNs;
    private final Runnable loopCycle;
    private final BooleanSupplier loopBusy;
    private final LongSupplier nextTimerNs;
    private final List<WaylandClient> clients = new CopyOnWriteArrayList<>();
    private final List<Stepper> steppers = new CopyOnWriteArrayList<>();
    private final List<Stepper> finished = new ArrayList<>();

    /**
     * What the driver needs of the compositor under test, each a call that waits for work only:
     * {@code loopCycle} returns once the loop has run a cycle (a no-op task posted to it),
     * {@code loopBusy} says whether work the loop started is still going on (a composition on the
     * renderer's threads), {@code nextTimerNs} when the loop's next timer is due.
     */
    public ClockDriver(VirtualClock clock, long periodNs, Runnable loopCycle, BooleanSupplier loopBusy, LongSupplier nextTimerNs) {
        this.clock = clock;
        this.periodNs = periodNs;
        this.loopCycle = loopCycle;
        this.loopBusy = loopBusy;
        this.nextTimerNs = nextTimerNs;
    }

    public VirtualClock clock() { return clock; }
    public long periodNs() { return periodNs; }

    /** A client the test drives itself: the driver reads its events at every settle. */
    public void addClient(WaylandClient client) { clients.add(client); }

    public void removeClient(WaylandClient client) { clients.remove(client); }

    /** A client the driver steps from now on; it draws what is due now at once. */
    public void add(Stepper s) throws IOException {
        steppers.add(s);
        if (s.step(clock.nowNs())) finished.add(s);
        settle();
    }

    /** Stops stepping and reading it (it closes its connection itself). */
    public void remove(Stepper s) {
        steppers.remove(s);
        finished.remove(s);
    }

    /** Whether that stepper has nothing more to draw or wait for. */
    public boolean finished(Stepper s) { return finished.contains(s); }

    /**
     * Lets the compositor finish what is ready now, with the clock still: the loop runs what the
     * last move or request made ready, compositions finish and their flips are queued, every
     * client has read what the compositor sent and the loop what the clients sent back.
     */
    public void settle() throws IOException {
        // Three cycles: an fd made readable during a move is seen by the cycle after the one a task posted then runs in.
        for (int i = 0; i < 3; i++) {
            loopCycle.run();
            awaitWork(() -> !loopBusy.getAsBoolean(), "the loop's work (a composition) finished");
        }
        for (WaylandClient client : clients) client.roundtrip();
        for (Stepper s : steppers) s.sync();
        loopCycle.run();
        // What the clients sent back can start a frame too: it finishes before the clock moves,
        // or a renderer composing on its own thread would be overtaken by the next vblank.
        awaitWork(() -> !loopBusy.getAsBoolean(), "the loop's work (a composition) finished");
    }

    /**
     * One refresh period of virtual time: the vblank in it latches what was queued, then everything
     * settles and the stepped clients draw what is due. The clock stops at each of the loop's timers
     * due within the period (an output's repaint deadline before the vblank its frame aims for), so
     * they fire at their time as they would live, not at the end of the step, past that vblank.
     */
    public void refresh() throws IOException {
        long target = clock.nowNs() + periodNs;
        while (true) {
            long next = nextTimerNs.getAsLong();
            if (next <= clock.nowNs() || next >= target) break;
            clock.advanceTo(next);
            settle();
        }
        clock.advanceTo(target);
        settle();
        if (step()) settle();
    }

    /** Steps every stepped client that is not finished; whether any was stepped. */
    private boolean step() throws IOException {
        boolean any = false;
        for (Stepper s : steppers) {
            if (finished.contains(s)) continue;
            any = true;
            if (s.step(clock.nowNs())) finished.add(s);
        }
        return any;
    }

    /** Refreshes until the condition holds; an AssertionError after maxRefreshes. */
    public void refreshUntil(BooleanSupplier condition, int maxRefreshes, String what) throws IOException {
        for (int i = 0; !condition.getAsBoolean(); i++) {
            if (i >= maxRefreshes) throw new AssertionError(what + ": not within " + maxRefreshes + " refreshes");
            refresh();
        }
    }

    /** Refreshes until every one of these stepped clients is finished; an AssertionError after maxRefreshes. */
    public void play(int maxRefreshes, Stepper... these) throws IOException {
        refreshUntil(() -> {
            for (Stepper s : these) if (!finished(s)) return false;
            return true;
        }, maxRefreshes, "the stepped clients finishing");
    }

    /** Waits for work the compositor's threads are doing (bounded in real time; virtual time does not move meanwhile). */
    public static void awaitWork(BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + WORK_BOUND_NS;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError(what + ": not within " + WORK_BOUND_NS / 1_000_000_000L + " s of real time");
            LockSupport.parkNanos(50_000L);
        }
    }
}
