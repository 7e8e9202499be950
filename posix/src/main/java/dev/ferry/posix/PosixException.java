package dev.ferry.posix;

import java.io.IOException;

/** A failed system call, with the call's name and the errno it set. */
public final class PosixException extends IOException {
    private final int errno;
    private final String call;

    public PosixException(String call, int errno) {
        super(call + ": " + Libc.strerror(errno) + " (errno " + errno + ")");
        this.errno = errno;
        this.call = call;
    }

    public int errno() { return errno; }
    public String call() { return call; }

    static PosixException last(String call) {
        return new PosixException(call, Libc.errno());
    }
}
