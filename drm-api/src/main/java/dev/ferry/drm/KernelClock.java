package dev.ferry.drm;

import dev.ferry.posix.MonotonicClock;

/**
 * The time fake-drm's vblanks and fences run on. Live clients get the real CLOCK_MONOTONIC
 * (so deadlines mean the same in every process, and timerfds fire on time); tests get a
 * virtual clock (fake-drm's {@code VirtualClock}) and run hundreds of 60 Hz frames in milliseconds.
 */
public interface KernelClock {
    long nowNs();

    /**
     * Whether this is CLOCK_MONOTONIC itself (timerfds and poll timeouts follow it), or a clock
     * that moves only when told to.
     */
    default boolean isMonotonic() { return false; }

    /**
     * Runs r after every move of a clock that moves only when told to (on the thread moving it),
     * until the returned handle is closed; the real clock never calls it. An event loop on this
     * clock uses it to fire its timers.
     */
    default AutoCloseable onAdvance(Runnable r) { return () -> { }; }

    /** CLOCK_MONOTONIC, shared by every process on the machine. */
    static KernelClock monotonic() {
        return Monotonic.INSTANCE;
    }

    /** The real clock. */
    final class Monotonic implements KernelClock {
        static final Monotonic INSTANCE = new Monotonic();

        private Monotonic() {}

        @Override
        public long nowNs() {
            return MonotonicClock.nowNs();
        }

        @Override
        public boolean isMonotonic() { return true; }

        @Override
        public String toString() { return "monotonic"; }
    }
}
