package dev.ferry.drm;

import dev.ferry.posix.EventFd;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;
import dev.ferry.posix.TimerFd;

import java.io.UncheckedIOException;

/**
 * One pollable fd that becomes readable at a deadline on a {@link KernelClock}: a timerfd on
 * the real clock, an eventfd written by the virtual clock's advance otherwise. Device event
 * fds and sync files are made of it.
 */
abstract sealed class Wakeup implements AutoCloseable {
    static final long NEVER = Long.MAX_VALUE;

    static Wakeup forClock(KernelClock clock) {
        try {
            return clock instanceof VirtualClock v ? new Virtual(v) : new Timer();
        } catch (PosixException e) {
            throw new UncheckedIOException(e);
        }
    }

    abstract OwnedFd fd();

    /** Readable from deadlineNs on; NEVER disarms; a past deadline makes it readable now. */
    abstract void armAt(long deadlineNs);

    /** Makes it not readable (until the next deadline passes). */
    abstract void clear();

    @Override
    public abstract void close();

    static final class Timer extends Wakeup {
        private final TimerFd timer = new TimerFd();
        /** What the timerfd holds: NEVER when disarmed or when its one shot has been read. */
        private long armedNs = NEVER;

        Timer() throws PosixException {}

        @Override
        OwnedFd fd() { return timer.fd(); }

        @Override
        void armAt(long deadlineNs) {
            // The device re-arms after every commit and every dispatch, mostly to what the
            // timerfd already holds (NEVER once the flip's shot was read): no call for those.
            if (deadlineNs == armedNs) return;
            try {
                timer.armAt(deadlineNs == NEVER ? 0 : Math.max(1, deadlineNs));
                armedNs = deadlineNs;
            } catch (PosixException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        void clear() {
            try {
                // A one-shot timerfd that fired is disarmed by the kernel.
                if (timer.drain() > 0) armedNs = NEVER;
            } catch (PosixException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() { timer.close(); }
    }

    static final class Virtual extends Wakeup implements VirtualClock.Listener {
        private final VirtualClock clock;
        private final EventFd event = new EventFd();
        private volatile long deadlineNs = NEVER;

        Virtual(VirtualClock clock) throws PosixException {
            this.clock = clock;
            clock.addListener(this);
        }

        @Override
        OwnedFd fd() { return event.fd(); }

        @Override
        void armAt(long deadline) {
            deadlineNs = deadline;
            timeAdvanced(clock.nowNs());
        }

        @Override
        public void timeAdvanced(long nowNs) {
            long d = deadlineNs;
            if (d != NEVER && d <= nowNs) {
                deadlineNs = NEVER;
                event.signal();
            }
        }

        @Override
        void clear() {
            try {
                event.drain();
            } catch (PosixException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            clock.removeListener(this);
            event.close();
        }
    }
}
