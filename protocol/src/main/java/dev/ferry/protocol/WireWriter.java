package dev.ferry.protocol;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/**
 * Appends one message at a time to a connection's output: {@link #begin}, the arguments in
 * order, {@link #end}. Sizes are patched into the header at the end. A message that would
 * pass the connection's output bound is dropped whole and the connection marked overflowed.
 * One writer per connection, reused: writing allocates nothing (strings aside).
 */
public final class WireWriter {
    private static final java.lang.foreign.ValueLayout.OfInt WORD = JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    private final Connection connection;
    private long start;
    private long pos;
    private int fdMark;
    private boolean failed;
    private boolean open;
    private WireObject target;
    private Message message;

    WireWriter(Connection connection) {
        this.connection = connection;
    }

    public WireWriter begin(WireObject target, int opcode, Message message) {
        if (open) throw new IllegalStateException("message to " + this.target.iface().name() + " not ended");
        open = true;
        this.target = target;
        this.message = message;
        start = connection.outLength();
        pos = start + 8;
        fdMark = connection.outFdCount();
        failed = !connection.ensureOutput(8);
        if (!failed) {
            MemorySegment out = connection.output();
            out.set(WORD, start, target.id());
            out.set(WORD, start + 4, opcode);
        }
        return this;
    }

    private boolean room(long n) {
        if (failed) return false;
        if (pos + n > connection.output().byteSize()) {
            long saved = connection.outLength();
            connection.setOutLength(pos);
            boolean ok = connection.ensureOutput(n);
            connection.setOutLength(saved);
            if (!ok) {
                failed = true;
                return false;
            }
        }
        return true;
    }

    public WireWriter putInt(int v) {
        if (room(4)) {
            connection.output().set(WORD, pos, v);
            pos += 4;
        }
        return this;
    }

    public WireWriter putUint(int v) { return putInt(v); }

    public WireWriter putFixed(double v) { return putInt(Fixed.fromDouble(v)); }

    public WireWriter putObject(WireObject o) { return putInt(o == null ? 0 : o.id()); }

    public WireWriter putNewId(int id) { return putInt(id); }

    public WireWriter putString(String s) {
        if (s == null) return putInt(0);
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int len = bytes.length + 1;
        long padded = (len + 3) & ~3L;
        if (room(4 + padded)) {
            MemorySegment out = connection.output();
            out.set(WORD, pos, len);
            MemorySegment.copy(bytes, 0, out, JAVA_BYTE, pos + 4, bytes.length);
            out.asSlice(pos + 4 + bytes.length, padded - bytes.length).fill((byte) 0);
            pos += 4 + padded;
        }
        return this;
    }

    public WireWriter putArray(MemorySegment bytes) {
        long len = bytes == null ? 0 : bytes.byteSize();
        long padded = (len + 3) & ~3L;
        if (room(4 + padded)) {
            MemorySegment out = connection.output();
            out.set(WORD, pos, (int) len);
            if (len > 0) MemorySegment.copy(bytes, 0, out, pos + 4, len);
            if (padded > len) out.asSlice(pos + 4 + len, padded - len).fill((byte) 0);
            pos += 4 + padded;
        }
        return this;
    }

    public WireWriter putArray(int[] words) {
        long padded = words.length * 4L;
        if (room(4 + padded)) {
            MemorySegment out = connection.output();
            out.set(WORD, pos, (int) padded);
            for (int i = 0; i < words.length; i++) out.set(WORD, pos + 4 + i * 4L, words[i]);
            pos += 4 + padded;
        }
        return this;
    }

    /** Queues a duplicate of fd; the caller keeps its own. */
    public WireWriter putFd(int fd) {
        if (!failed && !connection.queueFd(fd, Long.MAX_VALUE)) failed = true;
        return this;
    }

    /** Finishes the message; returns false if it was dropped (the connection is then overflowed). */
    public boolean end() {
        open = false;
        long size = pos - start;
        if (failed || size > Connection.MAX_MESSAGE_SIZE) {
            connection.dropFdsFrom(fdMark);
            failed = false;
            if (size > Connection.MAX_MESSAGE_SIZE) {
                throw new IllegalArgumentException(target.iface().name() + "." + message.name()
                        + " would be " + size + " bytes, over the wire limit");
            }
            return false;
        }
        MemorySegment out = connection.output();
        int opcode = out.get(WORD, start + 4) & 0xffff;
        out.set(WORD, start + 4, (int) (size << 16) | opcode);
        connection.setLastFdsMessageEnd(fdMark, pos);
        connection.setOutLength(pos);
        if (Trace.enabled()) Trace.message(Trace.Direction.OUT, target, message, out, start + 8, pos, null);
        return true;
    }
}
