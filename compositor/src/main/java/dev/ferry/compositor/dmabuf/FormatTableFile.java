package dev.ferry.compositor.dmabuf;

import dev.ferry.drm.FormatTable;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The linux-dmabuf format table: the advertised (format, modifier) pairs in order, and the
 * file clients map to read them. Each entry is 16 bytes in native byte order:
 *
 * <pre>
 * offset 0  u32 format (DRM fourcc)
 * offset 4  u32 padding (0)
 * offset 8  u64 modifier
 * </pre>
 *
 * The file is a memfd written once with pwrite (never mapped writable here), then sealed
 * against shrinking, growing and writing, and reopened read-only through /proc; this object
 * keeps only the read-only fd. Every feedback object is sent that same fd (the transport
 * duplicates it), so all clients see one table and none can change it.
 */
public final class FormatTableFile implements AutoCloseable {
    public static final int ENTRY_BYTES = 16;
    private static final int FORMAT_OFFSET = 0;
    private static final int PAD_OFFSET = FORMAT_OFFSET + 4;
    private static final int MODIFIER_OFFSET = PAD_OFFSET + 4;

    private final int[] formats;
    private final long[] modifiers;
    private final OwnedFd fd;

    private FormatTableFile(int[] formats, long[] modifiers, OwnedFd fd) {
        this.formats = formats;
        this.modifiers = modifiers;
        this.fd = fd;
    }

    /** Writes the pairs (formats[i], modifiers[i]), in this order, into a sealed read-only memfd. */
    public static FormatTableFile create(int[] pairFormats, long[] pairModifiers) throws PosixException {
        if (pairFormats.length != pairModifiers.length) throw new IllegalArgumentException("pair arrays disagree");
        int n = pairFormats.length;
        int[] formats = pairFormats.clone();
        long[] modifiers = pairModifiers.clone();
        long bytes = (long) n * ENTRY_BYTES;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(bytes, 8);
            for (int e = 0; e < n; e++) {
                long at = (long) e * ENTRY_BYTES;
                buf.set(JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder()), at + FORMAT_OFFSET, formats[e]);
                buf.set(JAVA_INT_UNALIGNED, at + PAD_OFFSET, 0);
                buf.set(JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder()), at + MODIFIER_OFFSET, modifiers[e]);
            }
            return new FormatTableFile(formats, modifiers, Memfd.sealedReadOnly("ferry-dmabuf-format-table", buf));
        }
    }

    /** The read-only table fd; owned by this object (send it, the transport sends a duplicate). */
    public OwnedFd fd() { return fd; }

    /** Bytes in the file: entries times 16. */
    public int sizeBytes() { return formats.length * ENTRY_BYTES; }

    public int size() { return formats.length; }

    public int format(int index) { return formats[index]; }

    public long modifier(int index) { return modifiers[index]; }

    /** The entry index of a pair, or -1 if it was never advertised. */
    public int indexOf(int fourcc, long modifier) {
        for (int i = 0; i < formats.length; i++) if (formats[i] == fourcc && modifiers[i] == modifier) return i;
        return -1;
    }

    public boolean contains(int fourcc, long modifier) {
        return indexOf(fourcc, modifier) >= 0;
    }

    /** Indices of every entry, for the render tranche. */
    public int[] allIndices() {
        int[] all = new int[formats.length];
        Arrays.setAll(all, k -> k);
        return all;
    }

    /** Indices of the entries a plane format table also lists, in table order. */
    public int[] indicesIn(FormatTable planes) {
        int[] out = new int[formats.length];
        int n = 0;
        for (int i = 0; i < formats.length; i++) if (planes.supports(formats[i], modifiers[i])) out[n++] = i;
        return Arrays.copyOf(out, n);
    }

    /** Decodes a table as a client would read it: {format, modifier} per entry (tests, tools). */
    public static long[][] decode(MemorySegment table) {
        int n = (int) (table.byteSize() / ENTRY_BYTES);
        long[][] out = new long[n][];
        for (int e = 0; e < n; e++) {
            long at = (long) e * ENTRY_BYTES;
            out[e] = new long[] {
                Integer.toUnsignedLong(table.get(JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder()), at + FORMAT_OFFSET)),
                table.get(JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder()), at + MODIFIER_OFFSET)};
        }
        return out;
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("format table [");
        for (int i = 0; i < formats.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(i).append(':').append(Fourcc.name(formats[i])).append('/')
                    .append(Modifiers.name(modifiers[i]));
        }
        return sb.append(']').toString();
    }
}
