package dev.ferry.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** Plain fd calls: close, dup, flags, read/write of small counters, poll. */
public final class Fds {
    private Fds() {}

    static final int F_DUPFD_CLOEXEC = 1030;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int F_ADD_SEALS = 1033;
    static final int F_GET_SEALS = 1034;
    static final int O_NONBLOCK = 04000;

    public static final short POLLIN = 0x1;
    public static final short POLLOUT = 0x4;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;

    static void closeQuietly(int fd) {
        try {
            int rc = (int) Libc.CLOSE.invokeExact(Libc.errnoSegment(), fd);
            // EINTR on Linux still closes the fd; retrying would close someone else's.
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Closes a raw fd that no {@link OwnedFd} owns (e.g. one received but never adopted). */
    public static void closeRaw(int fd) {
        if (fd >= 0) closeQuietly(fd);
    }

    static int dupCloexec(int fd) throws PosixException {
        try {
            int rc = (int) Libc.FCNTL_INT.invokeExact(Libc.errnoSegment(), fd, F_DUPFD_CLOEXEC, 0);
            if (rc < 0) throw PosixException.last("fcntl(F_DUPFD_CLOEXEC)");
            return rc;
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    static int fcntl(int fd, int cmd, int arg, String what) throws PosixException {
        try {
            int rc = (int) Libc.FCNTL_INT.invokeExact(Libc.errnoSegment(), fd, cmd, arg);
            if (rc < 0) throw PosixException.last(what);
            return rc;
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static void setNonBlocking(OwnedFd fd, boolean nonBlocking) throws PosixException {
        int flags = fcntl(fd.fd(), F_GETFL, 0, "fcntl(F_GETFL)");
        flags = nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
        fcntl(fd.fd(), F_SETFL, flags, "fcntl(F_SETFL)");
    }

    /** True if the kernel still knows this number (for leak checks on raw fds). */
    public static boolean isValid(int fd) {
        try {
            int rc = (int) Libc.FCNTL_INT.invokeExact(Libc.errnoSegment(), fd, F_GETFL, 0);
            return rc >= 0;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * One 8-byte scratch word per thread for counter reads and writes: these happen on every
     * timer expiry and wake-up, where a confined arena per call (malloc, free, a session to close)
     * cost more than the system call.
     */
    private static final ThreadLocal<MemorySegment> COUNTER = ThreadLocal.withInitial(() -> Arena.global().allocate(JAVA_LONG));

    /** Reads an 8-byte counter (eventfd, timerfd); returns 0 when nothing is pending. */
    public static long readCounter(OwnedFd fd) throws PosixException {
        MemorySegment buf = COUNTER.get();
        try {
            long n = (long) Libc.READ.invokeExact(Libc.errnoSegment(), fd.fd(), buf, 8L);
            if (n < 0) {
                int errno = Libc.errno();
                if (errno == Errno.EAGAIN) return 0;
                throw new PosixException("read", errno);
            }
            return buf.get(JAVA_LONG, 0);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Adds to an eventfd counter. */
    public static void writeCounter(OwnedFd fd, long value) throws PosixException {
        MemorySegment buf = COUNTER.get();
        buf.set(JAVA_LONG, 0, value);
        try {
            long n = (long) Libc.WRITE.invokeExact(Libc.errnoSegment(), fd.fd(), buf, 8L);
            if (n < 0 && Libc.errno() != Errno.EAGAIN) throw PosixException.last("write");
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Writes all bytes to a blocking fd (files, pipes). */
    public static void writeFully(OwnedFd fd, MemorySegment bytes) throws PosixException {
        long off = 0;
        try {
            while (off < bytes.byteSize()) {
                long n = (long) Libc.WRITE.invokeExact(Libc.errnoSegment(), fd.fd(),
                        bytes.asSlice(off), bytes.byteSize() - off);
                if (n < 0) {
                    if (Libc.errno() == Errno.EINTR) continue;
                    throw PosixException.last("write");
                }
                off += n;
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * poll(2) on one fd. Returns the revents, 0 on timeout. A negative timeout is refused:
     * nothing in Ferry waits forever.
     */
    public static int poll(int fd, short events, int timeoutMs) throws PosixException {
        if (timeoutMs < 0) throw new IllegalArgumentException("poll without a timeout");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pfd = arena.allocate(8, 4);
            pfd.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, fd);
            pfd.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 4, events);
            while (true) {
                int rc = (int) Libc.POLL.invokeExact(Libc.errnoSegment(), pfd, 1L, timeoutMs);
                if (rc < 0) {
                    if (Libc.errno() == Errno.EINTR) continue;
                    throw PosixException.last("poll");
                }
                return rc == 0 ? 0 : pfd.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 6);
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Opens a file (O_CLOEXEC always added). */
    public static OwnedFd open(String path, int flags, int mode) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) Libc.OPEN.invokeExact(Libc.errnoSegment(), arena.allocateFrom(path),
                    flags | O_CLOEXEC, mode);
            if (fd < 0) throw PosixException.last("open(" + path + ")");
            return OwnedFd.adopt(fd, path);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * ioctl(fd, request, arg) with a pointer argument; retried on EINTR and EAGAIN as libdrm's
     * drmIoctl does. Returns the call's non-negative result.
     */
    public static int ioctl(OwnedFd fd, long request, MemorySegment arg) throws PosixException {
        try {
            while (true) {
                int r = (int) Libc.IOCTL.invokeExact(Libc.errnoSegment(), fd.fd(), request, arg);
                if (r >= 0) return r;
                int errno = Libc.errno();
                if (errno != Errno.EINTR && errno != Errno.EAGAIN) {
                    throw new PosixException(String.format("ioctl(%s, 0x%08x)", fd, request), errno);
                }
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_CLOEXEC = 02000000;

    /** flock(LOCK_EX | LOCK_NB): true if this process now holds the lock. */
    public static boolean tryLockExclusive(OwnedFd fd) throws PosixException {
        try {
            int rc = (int) Libc.FLOCK.invokeExact(Libc.errnoSegment(), fd.fd(), 2 | 4);
            if (rc == 0) return true;
            if (Libc.errno() == Errno.EAGAIN) return false;
            throw PosixException.last("flock");
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static int getuid() {
        try {
            return (int) Libc.GETUID.invokeExact(Libc.errnoSegment());
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
