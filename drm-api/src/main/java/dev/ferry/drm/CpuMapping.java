package dev.ferry.drm;

import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.drm.uapi.PixelAccess;
import dev.ferry.drm.uapi.Tiling;
import dev.ferry.posix.Memfd;
import dev.ferry.posix.PosixException;

import java.lang.foreign.MemorySegment;

/**
 * A CPU mapping of a fake dma-buf, with DMA_BUF_IOCTL_SYNC-style brackets. Write between
 * {@code beginCpuAccess(WRITE)} and {@code endCpuAccess(WRITE)}: for CPU-cached memory the end
 * bracket is what makes the writes visible to devices that do not snoop (they read the
 * device-visible copy, which only the end bracket updates). A READ bracket on vram is charged
 * to {@link CpuAccessLedger} as slow. Pixel helpers use the buffer's own modifier and layout.
 */
public final class CpuMapping implements AutoCloseable {
    public static final int READ = 1;
    public static final int WRITE = 2;
    public static final int READ_WRITE = READ | WRITE;

    private final BufferIdentity identity;
    private final MemorySegment file;
    private final MemorySegment view;
    private final int[] offsets;
    private final int[] strides;
    private final int fourcc;
    private final long layout;
    private final int width;
    private final int height;
    private int openBrackets;
    private boolean mapped = true;

    private CpuMapping(BufferIdentity identity, MemorySegment file, DmaBuf buf) {
        this.identity = identity;
        this.file = file;
        this.view = file.asSlice(0, identity.viewSize());
        this.offsets = buf.offsetsArray().clone();
        this.strides = buf.stridesArray().clone();
        this.fourcc = buf.fourcc();
        this.width = buf.width();
        this.height = buf.height();
        // The writer knows what it allocated: an implicit modifier means the real layout.
        this.layout = buf.modifier() == Modifiers.INVALID ? identity.layout() : buf.modifier();
    }

    static CpuMapping map(DmaBuf buf) throws PosixException {
        BufferIdentity id = buf.identity();
        if (id == null) throw new IllegalArgumentException("not a fake-drm dma-buf: " + buf);
        if (id.protectedMemory()) throw new IllegalStateException("protected memory cannot be mapped by the CPU");
        for (int p = 1; p < buf.planeCount(); p++) {
            BufferIdentity other = BufferIdentity.of(buf.fd(p));
            if (other == null || other.id() != id.id()) {
                throw new IllegalArgumentException("plane " + p + " is not in the same buffer as plane 0");
            }
        }
        MemorySegment file = Memfd.map(buf.fd(0), id.fileBase(), id.fileSize(), Memfd.PROT_READ | Memfd.PROT_WRITE);
        return new CpuMapping(id, file, buf);
    }

    public BufferIdentity identity() { return identity; }

    /** The CPU's view of the buffer (what an mmap of the fd shows). */
    public MemorySegment view() { return view; }

    /** The real layout pixel helpers use (the modifier, or what INVALID stood for). */
    public long layout() { return layout; }

    public void beginCpuAccess(int flags) {
        beginCpuAccess(flags, 0, identity.viewSize());
    }

    /** Starts CPU access to [offset, offset+length) of the view. */
    public void beginCpuAccess(int flags, long offset, long length) {
        checkMapped();
        openBrackets++;
        if ((flags & READ) != 0 && identity.domain() == MemoryDomain.VRAM) {
            CpuAccessLedger.chargeVramRead(length);
        }
    }

    public void endCpuAccess(int flags) {
        endCpuAccess(flags, 0, identity.viewSize());
    }

    /** Ends CPU access; a WRITE end flushes [offset, offset+length) to where devices read it. */
    public void endCpuAccess(int flags, long offset, long length) {
        checkMapped();
        if (openBrackets == 0) throw new IllegalStateException("endCpuAccess without beginCpuAccess");
        openBrackets--;
        if ((flags & WRITE) != 0 && identity.hasShadow()) {
            MemorySegment.copy(file, offset, file, identity.shadowOffset() + offset, length);
        }
    }

    /**
     * Ends a WRITE access that wrote only rects (x, y, width, height quadruples, in pixels of
     * bytesPerPixel of a linear plane 0): only those bytes are flushed. A composed frame redraws
     * its damage, not the buffer; flushing all of it cost the event loop a whole-buffer copy per
     * frame (14.7 MB at 2560x1440, for a 64x64 window's change), the largest part of its work in
     * a soak (BENCHMARKS.md, issue 15). Any other layout flushes the whole view, as
     * {@link #endCpuAccess(int)} does.
     */
    public void endCpuWrite(int[] rects, int bytesPerPixel) {
        if (layout != Modifiers.LINEAR || offsets.length > 1 || !identity.hasShadow()) {
            endCpuAccess(WRITE);
            return;
        }
        checkMapped();
        if (openBrackets == 0) throw new IllegalStateException("endCpuAccess without beginCpuAccess");
        openBrackets--;
        long stride = strides[0], base = offsets[0], shadow = identity.shadowOffset(), size = view.byteSize();
        for (int i = 0; i + 3 < rects.length; i += 4) {
            int x0 = Math.max(0, rects[i]), y0 = Math.max(0, rects[i + 1]);
            int x1 = Math.min(width, rects[i] + rects[i + 2]), y1 = Math.min(height, rects[i + 1] + rects[i + 3]);
            if (x1 <= x0) continue;
            long rowBytes = (long) (x1 - x0) * bytesPerPixel;
            for (int y = y0; y < y1; y++) {
                long at = base + y * stride + (long) x0 * bytesPerPixel;
                if (at + rowBytes > size) break;
                MemorySegment.copy(file, at, file, shadow + at, rowBytes);
            }
        }
    }

    public void writePixel(int x, int y, int argb) {
        PixelAccess.write(view, 0, offsets, strides, fourcc, layout, x, y, argb);
    }

    public int readPixel(int x, int y) {
        return PixelAccess.read(view, 0, offsets, strides, fourcc, layout, x, y);
    }

    /** Fills a rectangle (clipped to the image) with one colour. */
    public void fillRect(int x0, int y0, int w, int h, int argb) {
        int x1 = Math.min(width, x0 + w), y1 = Math.min(height, y0 + h);
        for (int y = Math.max(0, y0); y < y1; y++) {
            for (int x = Math.max(0, x0); x < x1; x++) writePixel(x, y, argb);
        }
    }

    public void fill(int argb) {
        fillRect(0, 0, width, height, argb);
    }

    /** Writes an ARGB image (row-major, width*height) into the buffer in its own layout. */
    public void writeImage(int[] argb) {
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) writePixel(x, y, argb[y * width + x]);
        }
    }

    /** Bytes the layout occupies for plane 0 (for range brackets). */
    public long plane0Bytes() {
        return Tiling.planeBytes(layout, strides[0], height);
    }

    private void checkMapped() {
        if (!mapped) throw new IllegalStateException("mapping already closed");
    }

    @Override
    public void close() {
        if (!mapped) return;
        mapped = false;
        Memfd.unmap(file);
    }
}
