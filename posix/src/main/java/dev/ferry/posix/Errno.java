package dev.ferry.posix;

/** The errno values Ferry branches on (Linux numbering). */
public final class Errno {
    private Errno() {}
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int EPIPE = 32;
    public static final int ECONNRESET = 104;
    public static final int EADDRINUSE = 98;
    public static final int ECONNREFUSED = 111;
}
