package dev.ferry.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** Creating, binding, accepting and connecting AF_UNIX stream sockets. */
public final class UnixSockets {
    private UnixSockets() {}

    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_NONBLOCK = 04000;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_PEERCRED = 17;
    private static final int SO_SNDBUF = 7;
    private static final int SUN_PATH_MAX = 108;

    private static MemorySegment sockaddr(Arena arena, String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= SUN_PATH_MAX) {
            throw new IllegalArgumentException("socket path longer than " + (SUN_PATH_MAX - 1) + " bytes: " + path);
        }
        MemorySegment addr = arena.allocate(2 + SUN_PATH_MAX, 2);
        addr.set(JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(bytes, 0, addr, java.lang.foreign.ValueLayout.JAVA_BYTE, 2, bytes.length);
        return addr;
    }

    private static OwnedFd socket(String what) throws PosixException {
        try {
            int n = (int) Libc.SOCKET.invokeExact(Libc.errnoSegment(), AF_UNIX,
                    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (n < 0) throw PosixException.last("socket");
            return OwnedFd.adopt(n, what);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** A non-blocking listening socket bound at path (which must not exist). */
    public static OwnedFd listen(String path, int backlog) throws PosixException {
        OwnedFd fd = socket("listen " + path);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = sockaddr(arena, path);
            int rc = (int) Libc.BIND.invokeExact(Libc.errnoSegment(), fd.fd(), addr, (int) addr.byteSize());
            if (rc < 0) throw PosixException.last("bind(" + path + ")");
            rc = (int) Libc.LISTEN.invokeExact(Libc.errnoSegment(), fd.fd(), backlog);
            if (rc < 0) throw PosixException.last("listen");
            return fd;
        } catch (Throwable t) {
            fd.close();
            if (t instanceof PosixException e) throw e;
            throw Libc.rethrow(t);
        }
    }

    /** Accepts one pending connection (non-blocking, close-on-exec), or null if none waits. */
    public static OwnedFd accept(OwnedFd listener) throws PosixException {
        try {
            while (true) {
                int n = (int) Libc.ACCEPT4.invokeExact(Libc.errnoSegment(), listener.fd(), MemorySegment.NULL,
                        MemorySegment.NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (n >= 0) return OwnedFd.adopt(n, "client socket");
                int errno = Libc.errno();
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.EAGAIN) return null;
                throw new PosixException("accept4", errno);
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Connects to the socket at path; the returned socket is non-blocking. */
    public static OwnedFd connect(String path) throws PosixException {
        OwnedFd fd = socket("connection to " + path);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = sockaddr(arena, path);
            int rc = (int) Libc.CONNECT.invokeExact(Libc.errnoSegment(), fd.fd(), addr, (int) addr.byteSize());
            // AF_UNIX stream connects complete at once or fail; EAGAIN means the backlog is full.
            if (rc < 0) throw PosixException.last("connect(" + path + ")");
            return fd;
        } catch (Throwable t) {
            fd.close();
            if (t instanceof PosixException e) throw e;
            throw Libc.rethrow(t);
        }
    }

    /** A connected pair of non-blocking sockets, for tests and in-process peers. */
    public static OwnedFd[] pair() throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(8, 4);
            int rc = (int) Libc.SOCKETPAIR.invokeExact(Libc.errnoSegment(), AF_UNIX,
                    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds);
            if (rc < 0) throw PosixException.last("socketpair");
            return new OwnedFd[] {
                OwnedFd.adopt(fds.get(JAVA_INT, 0), "socketpair[0]"),
                OwnedFd.adopt(fds.get(JAVA_INT, 4), "socketpair[1]")
            };
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** The peer's pid, uid, gid (SO_PEERCRED). */
    public static int[] peerCredentials(OwnedFd socket) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cred = arena.allocate(12, 4);
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 12);
            int rc = (int) Libc.GETSOCKOPT.invokeExact(Libc.errnoSegment(), socket.fd(), SOL_SOCKET,
                    SO_PEERCRED, cred, len);
            if (rc < 0) throw PosixException.last("getsockopt(SO_PEERCRED)");
            return new int[] {cred.get(JAVA_INT, 0), cred.get(JAVA_INT, 4), cred.get(JAVA_INT, 8)};
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Shrinks or grows the kernel send buffer (tests use it to make a slow reader quickly). */
    public static void setSendBuffer(OwnedFd socket, int bytes) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, bytes);
            int rc = (int) Libc.SETSOCKOPT.invokeExact(Libc.errnoSegment(), socket.fd(), SOL_SOCKET, SO_SNDBUF, v, 4);
            if (rc < 0) throw PosixException.last("setsockopt(SO_SNDBUF)");
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
