package dev.ferry.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A connected, non-blocking AF_UNIX stream socket that carries bytes and fds together with
 * sendmsg/recvmsg and SCM_RIGHTS. The msghdr, iovec and control buffers are allocated once per
 * socket, so sending and receiving allocate nothing; and so a socket is one thread's at a time
 * (a send and a receive at once on two threads corrupt each other's header).
 *
 * <p>Ownership: the socket fd belongs to this object. Fds given to {@link #send} stay the
 * caller's (the kernel duplicates them into the peer). Fds that arrive are handed to the
 * {@link FdSink} in order, which owns them from then on; if the sink is not reached (for
 * example the control data was truncated), they are closed here.
 */
public final class MessageSocket implements AutoCloseable {
    /** libwayland's limit per sendmsg; a message with more fds is split by the caller. */
    public static final int MAX_FDS_PER_SEND = 28;

    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_CTRUNC = 0x8;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;

    private static final long CMSG_HEADER = 16;
    private static final long SEND_CONTROL = CMSG_HEADER + MAX_FDS_PER_SEND * 4L;
    private static final long RECV_CONTROL = 4096;

    /** Receives fds in the order the kernel delivered them. */
    @FunctionalInterface
    public interface FdSink {
        void accept(int rawFd);
    }

    private final OwnedFd fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment msghdr = arena.allocate(56, 8);
    private final MemorySegment iov = arena.allocate(16, 8);
    private final MemorySegment sendControl = arena.allocate(SEND_CONTROL, 8);
    private final MemorySegment recvControl = arena.allocate(RECV_CONTROL, 8);

    public MessageSocket(OwnedFd fd) {
        this.fd = fd;
    }

    public OwnedFd fd() { return fd; }

    /**
     * Sends up to length bytes from data, with fds attached to the first byte. Returns the
     * bytes sent, or -1 if the socket buffer is full (nothing was sent, fds included).
     */
    public long send(MemorySegment data, long offset, long length, int[] fds, int fdCount) throws PosixException {
        if (fdCount > MAX_FDS_PER_SEND) throw new IllegalArgumentException(fdCount + " fds in one sendmsg");
        iov.set(ADDRESS, 0, data.asSlice(offset, length));
        iov.set(JAVA_LONG, 8, length);
        msghdr.fill((byte) 0);
        msghdr.set(ADDRESS, 16, iov);
        msghdr.set(JAVA_LONG, 24, 1);
        if (fdCount > 0) {
            long len = CMSG_HEADER + fdCount * 4L;
            sendControl.set(JAVA_LONG, 0, len);
            sendControl.set(JAVA_INT, 8, SOL_SOCKET);
            sendControl.set(JAVA_INT, 12, SCM_RIGHTS);
            for (int i = 0; i < fdCount; i++) sendControl.set(JAVA_INT, CMSG_HEADER + i * 4L, fds[i]);
            msghdr.set(ADDRESS, 32, sendControl);
            msghdr.set(JAVA_LONG, 40, (len + 7) & ~7L);
        }
        try {
            while (true) {
                long n = (long) Libc.SENDMSG.invokeExact(Libc.errnoSegment(), fd.fd(), msghdr,
                        MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n >= 0) return n;
                int errno = Libc.errno();
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.EAGAIN) return -1;
                throw new PosixException("sendmsg", errno);
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * Receives up to length bytes into dst at offset; fds go to sink. Returns the bytes read,
     * 0 at end of stream, -1 if nothing is available now.
     *
     * @throws PosixException on a socket error, or (errno EMFILE) when control data was
     *     truncated and fds were lost: the connection cannot be trusted after that.
     */
    public long receive(MemorySegment dst, long offset, long length, FdSink sink) throws PosixException {
        iov.set(ADDRESS, 0, dst.asSlice(offset, length));
        iov.set(JAVA_LONG, 8, length);
        msghdr.fill((byte) 0);
        msghdr.set(ADDRESS, 16, iov);
        msghdr.set(JAVA_LONG, 24, 1);
        msghdr.set(ADDRESS, 32, recvControl);
        msghdr.set(JAVA_LONG, 40, RECV_CONTROL);
        long n;
        try {
            while (true) {
                n = (long) Libc.RECVMSG.invokeExact(Libc.errnoSegment(), fd.fd(), msghdr,
                        MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
                if (n >= 0) break;
                int errno = Libc.errno();
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.EAGAIN) return -1;
                throw new PosixException("recvmsg", errno);
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        long controlLen = msghdr.get(JAVA_LONG, 40);
        int flags = msghdr.get(JAVA_INT, 48);
        boolean truncated = (flags & MSG_CTRUNC) != 0;
        long pos = 0;
        while (pos + CMSG_HEADER <= controlLen) {
            long len = recvControl.get(JAVA_LONG, pos);
            if (len < CMSG_HEADER || pos + len > controlLen) break;
            int level = recvControl.get(JAVA_INT, pos + 8);
            int type = recvControl.get(JAVA_INT, pos + 12);
            if (level == SOL_SOCKET && type == SCM_RIGHTS) {
                int count = (int) ((len - CMSG_HEADER) / 4);
                for (int i = 0; i < count; i++) {
                    int received = recvControl.get(JAVA_INT, pos + CMSG_HEADER + i * 4L);
                    if (truncated) Fds.closeRaw(received);
                    else sink.accept(received);
                }
            }
            pos += (len + 7) & ~7L;
        }
        if (truncated) throw new PosixException("recvmsg (control data truncated, fds lost)", Errno.EMFILE);
        return n;
    }

    @Override
    public void close() {
        fd.close();
        // Its buffers are its own (no caller holds them); a close on the spot would wait on every thread.
        ArenaCloser.closeLater(arena);
    }
}
