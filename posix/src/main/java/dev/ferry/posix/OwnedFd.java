package dev.ferry.posix;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A file descriptor with exactly one owner. The owner closes it (once: a second close is a
 * no-op, never a close of some other file that reused the number) or hands it on with
 * {@link #transfer()}. Every open instance is recorded in a process-wide ledger so tests can
 * fail on an fd that nobody closed.
 */
public final class OwnedFd implements AutoCloseable {
    private static final Map<OwnedFd, String> LIVE = new ConcurrentHashMap<>();
    private static volatile boolean traceOrigins = Boolean.getBoolean("ferry.fd.trace");

    private final int fd;
    private final String what;
    private volatile boolean open = true;

    private OwnedFd(int fd, String what) {
        if (fd < 0) throw new IllegalArgumentException("negative fd " + fd);
        this.fd = fd;
        this.what = what;
        LIVE.put(this, traceOrigins ? what + " opened at " + StackWalker.getInstance().walk(
                s -> s.skip(2).limit(4).map(Object::toString).toList()) : what);
    }

    /** Takes ownership of a raw fd that the caller just received from the kernel. */
    public static OwnedFd adopt(int fd, String what) {
        return new OwnedFd(fd, what);
    }

    /** The raw number, for system calls. Valid only while this is open. */
    public int fd() {
        if (!open) throw new IllegalStateException("fd " + fd + " (" + what + ") already closed");
        return fd;
    }

    public boolean isOpen() { return open; }

    public String what() { return what; }

    /** An owned duplicate of a raw fd that someone else owns (F_DUPFD_CLOEXEC). */
    public static OwnedFd dupOf(int rawFd, String what) throws PosixException {
        return adopt(Fds.dupCloexec(rawFd), what);
    }

    /** A new owned fd for the same open file (F_DUPFD_CLOEXEC). */
    public OwnedFd dup() throws PosixException {
        return adopt(Fds.dupCloexec(fd()), what);
    }

    /** Gives up ownership: the caller now must close the returned number. */
    public int transfer() {
        int n = fd();
        open = false;
        LIVE.remove(this);
        return n;
    }

    @Override
    public void close() {
        if (!open) return;
        synchronized (this) {
            if (!open) return;
            open = false;
        }
        LIVE.remove(this);
        Fds.closeQuietly(fd);
    }

    @Override
    public String toString() {
        return "fd " + fd + " (" + what + (open ? "" : ", closed") + ")";
    }

    /** Descriptions of every fd opened through this class and not yet closed. */
    public static Collection<String> liveFds() {
        return java.util.List.copyOf(LIVE.values());
    }

    public static int liveCount() {
        return LIVE.size();
    }

    /** Records where each fd was opened, for hunting a leak (also -Dferry.fd.trace=true). */
    public static void traceOrigins(boolean on) {
        traceOrigins = on;
    }
}
