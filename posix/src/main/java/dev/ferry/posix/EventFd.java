package dev.ferry.posix;

/** A non-blocking eventfd: how other threads wake an event loop. */
public final class EventFd implements AutoCloseable {
    private static final int EFD_NONBLOCK = 04000;
    private static final int EFD_CLOEXEC = 02000000;
    private final OwnedFd fd;

    public EventFd() throws PosixException {
        try {
            int n = (int) Libc.EVENTFD.invokeExact(Libc.errnoSegment(), 0, EFD_NONBLOCK | EFD_CLOEXEC);
            if (n < 0) throw PosixException.last("eventfd");
            fd = OwnedFd.adopt(n, "eventfd");
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public OwnedFd fd() { return fd; }

    public void signal() {
        try {
            Fds.writeCounter(fd, 1);
        } catch (PosixException e) {
            throw new IllegalStateException(e);
        }
    }

    public long drain() throws PosixException {
        return Fds.readCounter(fd);
    }

    @Override
    public void close() {
        fd.close();
    }
}
