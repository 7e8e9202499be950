package dev.ferry.protocol.loop;

import dev.ferry.posix.MonotonicClock;

/**
 * The time an {@link EventLoop}'s timers run on. Live, that is CLOCK_MONOTONIC and timers are
 * timerfds; in tests it is a virtual clock that moves only when the test moves it, and timers
 * fire when the loop is told it moved ({@link EventLoop#clockAdvanced}), so hundreds of frames
 * take milliseconds and nothing depends on how fast the machine happens to be.
 */
public interface LoopClock {
    long nowNs();

    /** Whether this is CLOCK_MONOTONIC itself, which timerfds follow. */
    default boolean monotonic() { return false; }

    /** CLOCK_MONOTONIC. */
    LoopClock MONOTONIC = new LoopClock() {
        @Override
        public long nowNs() { return MonotonicClock.nowNs(); }

        @Override
        public boolean monotonic() { return true; }

        @Override
        public String toString() { return "monotonic"; }
    };
}
