package dev.ferry.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An epoll instance. Registrations carry a caller-chosen 64-bit token; {@link #await} fills a
 * preallocated event array, read back with {@link #token} and {@link #events}: nothing is
 * allocated per wake-up.
 */
public final class Epoll implements AutoCloseable {
    public static final int EPOLLIN = 0x1;
    public static final int EPOLLOUT = 0x4;
    public static final int EPOLLERR = 0x8;
    public static final int EPOLLHUP = 0x10;
    public static final int EPOLLRDHUP = 0x2000;

    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLL_CTL_MOD = 3;
    private static final int EPOLL_CLOEXEC = 02000000;
    /** struct epoll_event is packed on x86-64: u32 events, u64 data. */
    private static final int EVENT_SIZE = 12;
    /** epoll_event.data sits at offset 4 (the struct is packed on x86-64); one constant layout, not one per call. */
    private static final java.lang.foreign.ValueLayout.OfLong PACKED_LONG = JAVA_LONG.withByteAlignment(4);

    private final OwnedFd fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment events;
    private final MemorySegment ctlEvent;
    private final int capacity;

    public Epoll(int capacity) throws PosixException {
        try {
            int n = (int) Libc.EPOLL_CREATE1.invokeExact(Libc.errnoSegment(), EPOLL_CLOEXEC);
            if (n < 0) throw PosixException.last("epoll_create1");
            this.fd = OwnedFd.adopt(n, "epoll");
        } catch (PosixException e) {
            arena.close();
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        this.capacity = capacity;
        this.events = arena.allocate((long) EVENT_SIZE * capacity, 8);
        this.ctlEvent = arena.allocate(16, 8);
    }

    public void add(int targetFd, int interest, long token) throws PosixException {
        ctl(EPOLL_CTL_ADD, targetFd, interest, token);
    }

    public void modify(int targetFd, int interest, long token) throws PosixException {
        ctl(EPOLL_CTL_MOD, targetFd, interest, token);
    }

    public void remove(int targetFd) {
        try {
            ctl(EPOLL_CTL_DEL, targetFd, 0, 0);
        } catch (PosixException ignored) {
            // Already gone with its fd: nothing left to undo.
        }
    }

    private void ctl(int op, int targetFd, int interest, long token) throws PosixException {
        ctlEvent.set(JAVA_INT, 0, interest);
        ctlEvent.set(PACKED_LONG, 4, token);
        try {
            int rc = (int) Libc.EPOLL_CTL.invokeExact(Libc.errnoSegment(), fd.fd(), op, targetFd, ctlEvent);
            if (rc < 0) throw PosixException.last("epoll_ctl");
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Waits up to timeoutMs (0 polls; negative is refused). Returns the number of ready events. */
    public int await(int timeoutMs) throws PosixException {
        if (timeoutMs < 0) throw new IllegalArgumentException("epoll_wait without a timeout");
        return awaitRaw(timeoutMs);
    }

    /**
     * Waits until an fd is ready, with no timeout. Only for an event loop whose every source of
     * work is an fd it watches (timerfds for deadlines, an eventfd for other threads and for
     * stopping): there a timeout adds nothing but an hrtimer armed on every wait, which costs a
     * measurable part of a client round trip.
     */
    public int awaitEvents() throws PosixException {
        return awaitRaw(-1);
    }

    private int awaitRaw(int timeoutMs) throws PosixException {
        try {
            int n = (int) Libc.EPOLL_WAIT.invokeExact(Libc.errnoSegment(), fd.fd(), events, capacity, timeoutMs);
            if (n < 0) {
                if (Libc.errno() == Errno.EINTR) return 0;
                throw PosixException.last("epoll_wait");
            }
            return n;
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public long token(int i) {
        return events.get(PACKED_LONG, (long) i * EVENT_SIZE + 4);
    }

    public int events(int i) {
        return events.get(JAVA_INT, (long) i * EVENT_SIZE);
    }

    @Override
    public void close() {
        fd.close();
        arena.close();
    }
}
