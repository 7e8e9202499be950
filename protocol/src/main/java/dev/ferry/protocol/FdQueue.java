package dev.ferry.protocol;

import dev.ferry.posix.Fds;
import dev.ferry.posix.MessageSocket;

/**
 * Fds received on a connection, in arrival order, not yet claimed by a message. The kernel may
 * deliver a message's fds with any earlier bytes, so they queue apart from the bytes and are
 * taken by the message that declares them. Raw fds here are owned by the queue until taken.
 */
public final class FdQueue implements MessageSocket.FdSink {
    /** More unclaimed fds than this means the peer is sending fds no message asks for. */
    public static final int CAPACITY = 1024;

    private final int[] ring = new int[CAPACITY];
    private int head;
    private int size;
    private boolean overflowed;

    @Override
    public void accept(int rawFd) {
        if (size == CAPACITY) {
            Fds.closeRaw(rawFd);
            overflowed = true;
            return;
        }
        ring[(head + size) % CAPACITY] = rawFd;
        size++;
    }

    public int size() { return size; }

    public boolean overflowed() { return overflowed; }

    /** Takes the oldest fd; the caller owns it from now on. */
    public int take() {
        if (size == 0) throw new IllegalStateException("no fd queued");
        int fd = ring[head];
        head = (head + 1) % CAPACITY;
        size--;
        return fd;
    }

    /** Closes every queued fd (connection teardown). */
    public void closeAll() {
        while (size > 0) Fds.closeRaw(take());
    }
}
