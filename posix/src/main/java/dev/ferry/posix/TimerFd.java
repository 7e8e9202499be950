package dev.ferry.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** A CLOCK_MONOTONIC timerfd armed at absolute deadlines. */
public final class TimerFd implements AutoCloseable {
    private static final int TFD_NONBLOCK = 04000;
    private static final int TFD_CLOEXEC = 02000000;
    private static final int TFD_TIMER_ABSTIME = 1;

    private final OwnedFd fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment spec = arena.allocate(32, 8);

    public TimerFd() throws PosixException {
        try {
            int n = (int) Libc.TIMERFD_CREATE.invokeExact(Libc.errnoSegment(), MonotonicClock.CLOCK_MONOTONIC,
                    TFD_NONBLOCK | TFD_CLOEXEC);
            if (n < 0) throw PosixException.last("timerfd_create");
            fd = OwnedFd.adopt(n, "timerfd");
        } catch (PosixException e) {
            arena.close();
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public OwnedFd fd() { return fd; }

    /** Arms the timer to fire once at the absolute monotonic time; 0 disarms it. */
    public void armAt(long deadlineNs) throws PosixException {
        long ns = deadlineNs <= 0 ? 0 : Math.max(deadlineNs, 1);
        spec.set(JAVA_LONG, 0, 0);
        spec.set(JAVA_LONG, 8, 0);
        spec.set(JAVA_LONG, 16, ns / 1_000_000_000L);
        spec.set(JAVA_LONG, 24, ns % 1_000_000_000L);
        try {
            int rc = (int) Libc.TIMERFD_SETTIME.invokeExact(Libc.errnoSegment(), fd.fd(), TFD_TIMER_ABSTIME,
                    spec, MemorySegment.NULL);
            if (rc < 0) throw PosixException.last("timerfd_settime");
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Consumes the expiry count; 0 if it has not fired. */
    public long drain() throws PosixException {
        return Fds.readCounter(fd);
    }

    @Override
    public void close() {
        fd.close();
        arena.close();
    }
}
