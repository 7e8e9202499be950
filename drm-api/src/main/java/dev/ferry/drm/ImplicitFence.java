package dev.ferry.drm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The implicit write fence of a buffer (its reservation object's exclusive fence, in kernel
 * terms), kept in the buffer's own fence page so every process holding the fd sees the same
 * state. The page holds one 64-bit word at offset 0: when the last write to the buffer
 * completes, on the kernel clock. Because the real clock is CLOCK_MONOTONIC, a deadline set in a
 * client process means the same in the compositor.
 */
public final class ImplicitFence {
    private ImplicitFence() {}

    /** No pending write: the buffer is idle. */
    public static final long NO_FENCE = 0;
    /** A GPU job that never finishes (a hung client, or a fault). */
    public static final long NEVER = Long.MAX_VALUE;

    private static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();
    private static final long SIGNAL_AT = 0;
    private static final long SEQNO = 8;
    private static final long EARLIEST = 16;
    private static final long BOOSTS = 24;

    public static boolean signalled(long signalAtNs, long nowNs) {
        return signalAtNs != NEVER && signalAtNs <= nowNs;
    }

    static long signalAt(MemorySegment fencePage) {
        return (long) WORD.getVolatile(fencePage, SIGNAL_AT);
    }

    static void set(MemorySegment fencePage, long signalAtNs) {
        set(fencePage, signalAtNs, signalAtNs);
    }

    /** A write that would complete at signalAtNs but could, if hurried, by earliestNs. */
    static void set(MemorySegment fencePage, long signalAtNs, long earliestNs) {
        WORD.getAndAdd(fencePage, SEQNO, 1L);
        WORD.setVolatile(fencePage, EARLIEST, Math.min(earliestNs, signalAtNs));
        WORD.setVolatile(fencePage, SIGNAL_AT, signalAtNs);
    }

    /**
     * A deadline hint for the write that change counter seqno names (a later write is another
     * fence, which the hint does not reach): brings its completion down to the deadline, or to
     * the earliest it can be. Returns when the write now completes.
     */
    static synchronized long boost(MemorySegment fencePage, long seqno, long deadlineNs) {
        long s = signalAt(fencePage);
        if (seqno(fencePage) != seqno || s == NEVER || s <= deadlineNs) return s;
        long to = Math.max(deadlineNs, (long) WORD.getVolatile(fencePage, EARLIEST));
        if (to >= s) return s;
        WORD.setVolatile(fencePage, SIGNAL_AT, to);
        WORD.getAndAdd(fencePage, BOOSTS, 1L);
        return to;
    }

    /** How many times a deadline hint hurried a write to this buffer, in any process. */
    static long boosts(MemorySegment fencePage) {
        return (long) WORD.getVolatile(fencePage, BOOSTS);
    }

    static long seqno(MemorySegment fencePage) {
        return (long) WORD.getVolatile(fencePage, SEQNO);
    }
}
