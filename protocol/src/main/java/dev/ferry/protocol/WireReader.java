package dev.ferry.protocol;

import dev.ferry.posix.OwnedFd;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/**
 * Reads the arguments of one message, in order, for generated dispatch code. The message has
 * already passed {@link MessageValidator}, so lengths, NULs, object ids and fds are known good
 * and nothing is re-checked here. One reader per connection, reused.
 */
public final class WireReader {
    private static final java.lang.foreign.ValueLayout.OfInt WORD = JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    /** Resolves ids to the objects of this side of the connection. */
    public interface Objects {
        WireObject lookup(int id);
    }

    private final Objects objects;
    private final FdQueue fds;
    private MemorySegment buffer;
    private long pos;

    public WireReader(Objects objects, FdQueue fds) {
        this.objects = objects;
        this.fds = fds;
    }

    public void reset(MemorySegment buffer, long argsStart) {
        this.buffer = buffer;
        this.pos = argsStart;
    }

    public int nextInt() {
        int v = buffer.get(WORD, pos);
        pos += 4;
        return v;
    }

    public int nextUint() { return nextInt(); }

    public double nextFixed() { return Fixed.toDouble(nextInt()); }

    public int nextNewId() { return nextInt(); }

    public WireObject nextObject() {
        return objects.lookup(nextInt());
    }

    public String nextString() {
        int len = nextInt();
        if (len == 0) return null;
        byte[] bytes = new byte[len - 1];
        MemorySegment.copy(buffer, JAVA_BYTE, pos, bytes, 0, len - 1);
        pos += (len + 3) & ~3L;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A view of the array's bytes, valid only until the handler returns. */
    public MemorySegment nextArray() {
        int len = nextInt();
        MemorySegment slice = buffer.asSlice(pos, len);
        pos += (len + 3L) & ~3L;
        return slice;
    }

    /** The next queued fd; the handler owns it and must close or keep it. */
    public OwnedFd nextFd() {
        return OwnedFd.adopt(fds.take(), "received fd");
    }
}
