package dev.ferry.drm;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A clock that moves only when a test moves it. Pollable fds tied to it (device event fds,
 * sync files) become readable during {@link #advanceNs}, so an event loop polling them behaves
 * as it would on the real clock.
 */
public final class VirtualClock implements KernelClock {
    /** Told the new time after every advance, on the advancing thread. */
    @FunctionalInterface
    public interface Listener {
        void timeAdvanced(long nowNs);
    }

    private volatile long nowNs;
    private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();

    public VirtualClock(long startNs) {
        this.nowNs = startNs;
    }

    /** Starts at 1 s, so that 0 never looks like a real timestamp. */
    public VirtualClock() {
        this(1_000_000_000L);
    }

    @Override
    public long nowNs() {
        return nowNs;
    }

    public void advanceNs(long deltaNs) {
        if (deltaNs < 0) throw new IllegalArgumentException("time does not go back: " + deltaNs);
        advanceTo(nowNs + deltaNs);
    }

    public void advanceTo(long targetNs) {
        synchronized (this) {
            if (targetNs < nowNs) throw new IllegalArgumentException("time does not go back: " + targetNs + " < " + nowNs);
            nowNs = targetNs;
        }
        for (Listener l : listeners) l.timeAdvanced(targetNs);
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    public void removeListener(Listener l) {
        listeners.remove(l);
    }

    @Override
    public AutoCloseable onAdvance(Runnable r) {
        Listener l = ns -> r.run();
        addListener(l);
        return () -> removeListener(l);
    }

    @Override
    public String toString() { return "virtual@" + nowNs; }
}
