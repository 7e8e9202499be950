package dev.ferry.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Anonymous private memory that grows in place: mmap, then mremap, which moves page tables rather
 * than bytes, and whose new pages are faulted in only as they are written. For a buffer that may
 * grow to megabytes in one step while the event loop waits: a client's queued output. Doubling a
 * 2 MiB Arena segment to 4 MiB zeroes the new segment (every page of it faulted in) and copies the
 * old bytes, all inside one request: 10-16 ms of the loop in the soak, in a never-reading
 * client's wl_display.sync, while every other client's frame waited (BENCHMARKS.md, issue 15,
 * thirteenth session).
 *
 * <p>The segments belong to a shared arena, closed by {@link ArenaCloser}, and the mapping is
 * unmapped only when that arena closes: a thread that still held a segment gets an
 * IllegalStateException rather than a fault on unmapped memory. One owner, which grows and
 * closes it; the segment is not valid after {@link #grow} (take {@link #segment} again) or
 * {@link #close}.
 */
public final class GrowableMapping implements AutoCloseable {
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MREMAP_MAYMOVE = 1;
    private static final long MAP_FAILED = -1L;

    private final Arena arena = Arena.ofShared();
    /** Where the mapping is now and how big: what the arena's close unmaps. */
    private volatile long address;
    private volatile long size;
    private MemorySegment segment;

    private GrowableMapping(long address, long size) {
        this.address = address;
        this.size = size;
        // The arena's one cleanup: unmap wherever the mapping has moved to by then.
        MemorySegment.NULL.reinterpret(0, arena, ignored -> unmap());
        this.segment = MemorySegment.ofAddress(address).reinterpret(size, arena, null);
    }

    /** size bytes of zeroed memory, none of it touched yet. */
    public static GrowableMapping create(long size) throws PosixException {
        try {
            MemorySegment at = (MemorySegment) Libc.MMAP.invokeExact(Libc.errnoSegment(), MemorySegment.NULL, size,
                    Memfd.PROT_READ | Memfd.PROT_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (at.address() == MAP_FAILED) throw PosixException.last("mmap");
            return new GrowableMapping(at.address(), size);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** The memory now: valid until the next grow or close. */
    public MemorySegment segment() {
        if (segment == null) throw new IllegalStateException("mapping closed");
        return segment;
    }

    /** Grows to newSize bytes (at least the present size), keeping the contents; it may move. */
    public void grow(long newSize) throws PosixException {
        MemorySegment old = segment();
        if (newSize <= old.byteSize()) return;
        try {
            MemorySegment at = (MemorySegment) Libc.MREMAP.invokeExact(Libc.errnoSegment(), MemorySegment.ofAddress(address),
                    size, newSize, MREMAP_MAYMOVE, MemorySegment.NULL);
            if (at.address() == MAP_FAILED) throw PosixException.last("mremap");
            address = at.address();
            size = newSize;
            segment = at.reinterpret(newSize, arena, null);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Ends it: the segments stop working when the arena closes, soon, and the memory goes with it. */
    @Override
    public void close() {
        if (segment == null) return;
        segment = null;
        ArenaCloser.closeLater(arena);
    }

    private void unmap() {
        Memfd.unmap(MemorySegment.ofAddress(address).reinterpret(size));
    }
}
