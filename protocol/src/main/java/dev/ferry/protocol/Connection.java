package dev.ferry.protocol;

import dev.ferry.posix.ArenaCloser;
import dev.ferry.posix.Fds;
import dev.ferry.posix.GrowableMapping;
import dev.ferry.posix.MessageSocket;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.loop.SlowWorkLog;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/**
 * The byte and fd streams of one Wayland connection, either side.
 *
 * <p>Input: bytes accumulate in a fixed buffer (large enough for the biggest legal message,
 * 65535 bytes) and fds in an {@link FdQueue}; {@link #consume} drops a dispatched message.
 *
 * <p>Output: messages are appended by the {@link WireWriter}; fds are duplicated when queued
 * (the duplicate is ours to close once sent) and each remembers where its message ends, so a
 * sendmsg never sends a message's bytes before its fds. The buffer grows for a slow reader up
 * to {@code maxOutput}; past that the connection is marked overflowed and its owner
 * disconnects the peer rather than wait for it.
 */
public final class Connection implements AutoCloseable {
    public static final int MAX_MESSAGE_SIZE = 0xffff;
    private static final int INPUT_CAPACITY = 2 * 65536;
    private static final int INITIAL_OUTPUT = 16 * 1024;
    /** A constant, so its var handle is built once rather than on every read of a header word. */
    private static final java.lang.foreign.ValueLayout.OfInt WORD = JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    private final MessageSocket socket;
    private final Arena inputArena = Arena.ofShared();
    private final MemorySegment input = inputArena.allocate(INPUT_CAPACITY, 8);
    private int inStart;
    private int inEnd;
    private final FdQueue fdsIn = new FdQueue();

    /**
     * Queued output, grown in place (mremap) up to maxOutput: a reader that falls behind costs a
     * page fault per page it fills, not a 4 MiB zeroing and copy in one request (GrowableMapping).
     */
    private final GrowableMapping outputMapping = newOutputMapping();
    private MemorySegment output = outputMapping.segment();
    private boolean closed;
    private long outLength;
    private final long maxOutput;
    private int[] outFds = new int[32];
    private long[] outFdMessageEnd = new long[32];
    private int outFdCount;
    private final int[] sendBatch = new int[MessageSocket.MAX_FDS_PER_SEND];
    private boolean overflowed;
    private final WireWriter writer = new WireWriter(this);

    public Connection(OwnedFd socketFd, long maxOutput) {
        if (maxOutput < MAX_MESSAGE_SIZE) throw new IllegalArgumentException("output bound below one message");
        this.socket = new MessageSocket(socketFd);
        this.maxOutput = maxOutput;
    }

    public OwnedFd fd() { return socket.fd(); }

    public FdQueue fdsIn() { return fdsIn; }

    public WireWriter writer() { return writer; }

    // ---- input ----

    /**
     * Reads what the socket has. Returns bytes read, 0 when the peer closed, -1 when nothing was
     * waiting.
     */
    public long fill() throws PosixException {
        if (inStart > 0 && (inEnd == inStart || inEnd > INPUT_CAPACITY - MAX_MESSAGE_SIZE)) {
            MemorySegment.copy(input, inStart, input, 0, inEnd - inStart);
            inEnd -= inStart;
            inStart = 0;
        }
        long room = INPUT_CAPACITY - inEnd;
        if (room == 0) return -1;
        long n = socket.receive(input, inEnd, room, fdsIn);
        if (n > 0) inEnd += (int) n;
        return n;
    }

    public int available() { return inEnd - inStart; }

    /** The native-endian 32-bit word at offset from the start of unread input. */
    public int peekWord(int offset) {
        return input.get(WORD, inStart + offset);
    }

    public MemorySegment inputBuffer() { return input; }

    public int inputStart() { return inStart; }

    public void consume(int bytes) {
        inStart += bytes;
        if (inStart == inEnd) inStart = inEnd = 0;
    }

    // ---- output ----

    public boolean overflowed() { return overflowed; }

    public boolean hasPendingOutput() { return outLength > 0; }

    public long pendingOutput() { return outLength; }

    /** Room for n more bytes, growing up to the bound; false (and overflowed) past it. */
    boolean ensureOutput(long n) {
        if (overflowed) return false;
        long need = outLength + n;
        if (need <= output.byteSize()) return true;
        if (need > maxOutput) {
            overflowed = true;
            return false;
        }
        if (closed) return false;
        long size = output.byteSize();
        while (size < need) size *= 2;
        size = Math.min(size, Math.max(maxOutput, need));
        try {
            outputMapping.grow(size);
        } catch (PosixException e) {
            // No memory for it: as good as a reader that fell too far behind.
            overflowed = true;
            return false;
        }
        output = outputMapping.segment();
        return true;
    }

    private static GrowableMapping newOutputMapping() {
        try {
            return GrowableMapping.create(INITIAL_OUTPUT);
        } catch (PosixException e) {
            throw new OutOfMemoryError("a connection's output buffer: " + e.getMessage());
        }
    }

    MemorySegment output() { return output; }

    long outLength() { return outLength; }

    void setOutLength(long length) { outLength = length; }

    /** Queues a duplicate of fd, to travel with the message that ends at messageEnd. */
    boolean queueFd(int fd, long messageEnd) {
        OwnedFd dup;
        try {
            dup = OwnedFd.dupOf(fd, "outgoing");
        } catch (PosixException e) {
            overflowed = true;
            return false;
        }
        if (outFdCount == outFds.length) {
            outFds = java.util.Arrays.copyOf(outFds, outFdCount * 2);
            outFdMessageEnd = java.util.Arrays.copyOf(outFdMessageEnd, outFdCount * 2);
        }
        outFds[outFdCount] = dup.transfer();
        outFdMessageEnd[outFdCount] = messageEnd;
        outFdCount++;
        return true;
    }

    void setLastFdsMessageEnd(int fromIndex, long messageEnd) {
        for (int i = fromIndex; i < outFdCount; i++) outFdMessageEnd[i] = messageEnd;
    }

    int outFdCount() { return outFdCount; }

    /** Drops fds queued since a message began that could not be finished. */
    void dropFdsFrom(int fromIndex) {
        for (int i = fromIndex; i < outFdCount; i++) Fds.closeRaw(outFds[i]);
        outFdCount = Math.min(outFdCount, fromIndex);
    }

    /**
     * Sends as much pending output as the socket takes. Returns true when everything went out,
     * false if the socket is full (wait for EPOLLOUT).
     */
    public boolean flush() throws PosixException {
        while (outLength > 0) {
            int fdsNow = Math.min(outFdCount, MessageSocket.MAX_FDS_PER_SEND);
            long bytesNow = outLength;
            if (outFdCount > fdsNow) bytesNow = outFdMessageEnd[fdsNow - 1];
            for (int i = 0; i < fdsNow; i++) sendBatch[i] = outFds[i];
            long sent = socket.send(output, 0, bytesNow, sendBatch, fdsNow);
            if (sent < 0) return false;
            if (fdsNow > 0) {
                for (int i = 0; i < fdsNow; i++) Fds.closeRaw(outFds[i]);
                System.arraycopy(outFds, fdsNow, outFds, 0, outFdCount - fdsNow);
                System.arraycopy(outFdMessageEnd, fdsNow, outFdMessageEnd, 0, outFdCount - fdsNow);
                outFdCount -= fdsNow;
            }
            for (int i = 0; i < outFdCount; i++) outFdMessageEnd[i] -= sent;
            if (sent < outLength) MemorySegment.copy(output, sent, output, 0, outLength - sent);
            outLength -= sent;
        }
        return true;
    }

    @Override
    public void close() {
        long t0 = SlowWorkLog.start();
        fdsIn.closeAll();
        dropFdsFrom(0);
        SlowWorkLog.endPart(t0, "connection close", "closing the fds it sent us and we were to send it", "");
        long t1 = SlowWorkLog.start();
        socket.close();
        SlowWorkLog.endPart(t1, "connection close", "closing its socket", "");
        ArenaCloser.closeLater(inputArena);
        // Nothing is written or sent after close: the queue is dropped, its memory freed soon after.
        closed = true;
        outLength = 0;
        output = MemorySegment.NULL;
        outputMapping.close();
    }
}
