package dev.ferry.compositor.shm;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.drm.BufferIdentity;
import dev.ferry.drm.DmaBuf;
import dev.ferry.drm.UdmabufDevice;
import dev.ferry.drm.UdmabufRefusal;
import dev.ferry.drm.UdmabufResult;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.posix.Memfd;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.interfaces.WlBuffer;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.server.Resource;
import dev.ferry.renderer.PixelSource;

import java.lang.foreign.MemorySegment;

/**
 * A wl_buffer in a wl_shm pool. Sealed pools are read in place through the pool's mapping;
 * unsealed ones are copied with pread at each commit into the pool's mirror, the one copy all
 * its buffers share (see {@link ShmPool}).
 *
 * <p>For a display, the buffer's pages are wrapped once as a udmabuf (what KWin does): the
 * pages that hold its rows, which a display that scans out
 * cached system memory LINEAR at this pitch shows with no copy. GStreamer's and libwayland's
 * pools qualify (one memfd per buffer sealed with F_SEAL_SHRINK, offset 0, 1080p XRGB at stride
 * 7680 is exactly 2025 pages); when one does not, the kernel's refusal is kept and named.
 */
final class ShmBuffer extends ClientBuffer implements WlBuffer.Requests {
    private final ShmPool pool;
    private final int offset;
    private final int width;
    private final int height;
    private final int stride;
    private final int fourcc;
    private final int wlShmFormat;
    /** This buffer's range of the pool's mirror (unsealed pools, once committed). */
    private MemorySegment copy;
    private String unreadable;
    private DmaBuf udmabuf;
    private UdmabufRefusal udmabufRefusal;
    private boolean wrapTried;

    ShmBuffer(Resource resource, ShmPool pool, int offset, int width, int height, int stride, int wlShmFormat) {
        super(resource);
        this.pool = pool;
        this.offset = offset;
        this.width = width;
        this.height = height;
        this.stride = stride;
        this.fourcc = Fourcc.fromWlShm(wlShmFormat);
        this.wlShmFormat = wlShmFormat;
    }

    @Override public int width() { return width; }
    @Override public int height() { return height; }
    @Override public int fourcc() { return fourcc; }
    @Override public boolean hasAlpha() { return Fourcc.hasAlpha(fourcc); }
    @Override public String kind() { return "shm"; }

    private long byteLength() {
        return (long) stride * height;
    }

    @Override
    public void refresh() {
        if (pool.sealed()) return;
        // The mirror may have grown (a resize) since: always take this buffer's range of the live one.
        MemorySegment mirror = pool.mirror(resource().client(), offset + byteLength());
        if (mirror == null) {
            unreadable = "the client's shm copies are over its limit";
            copy = null;
            return;
        }
        copy = mirror.asSlice(offset, byteLength());
        try {
            long got = Memfd.pread(pool.fd().fd(), copy, offset);
            if (got < byteLength()) {
                unreadable = "pool file shrank to " + (offset + got) + " bytes behind the compositor's back";
                copy.asSlice(got).fill((byte) 0);
                resource().postError(WlShm.ERROR_INVALID_FD, "error accessing SHM buffer: " + unreadable);
            } else {
                unreadable = null;
            }
        } catch (PosixException e) {
            unreadable = "cannot read the pool: " + e.getMessage();
            resource().postError(WlShm.ERROR_INVALID_FD, "error accessing SHM buffer: " + unreadable);
        }
    }

    @Override
    public PixelSource pixels() {
        if (unreadable != null) return null;
        MemorySegment memory;
        if (pool.sealed()) {
            memory = pool.mapping().asSlice(offset, byteLength());
        } else {
            if (copy == null) refresh();
            if (unreadable != null || copy == null) return null;
            memory = copy;
        }
        return PixelSource.packed(memory, width, height, stride, fourcc);
    }

    @Override
    public String unreadableReason() { return unreadable; }

    @Override
    public dev.ferry.compositor.buffer.ShmShare shmShare() {
        return new dev.ferry.compositor.buffer.ShmShare(pool, pool.fd(), pool.size(), offset, width, height, stride, wlShmFormat,
                pool.sealed());
    }

    @Override
    public DmaBuf scanoutDmaBuf(UdmabufDevice udmabufs) {
        if (!wrapTried && !isDestroyed()) {
            wrapTried = true;
            // udmabuf takes whole pages: the pages holding the buffer, which starts inside the first.
            int page = BufferIdentity.PAGE;
            long start = offset / page * page;
            int planeOffset = (int) (offset - start);
            long size = (planeOffset + byteLength() + page - 1) / page * page;
            UdmabufResult r = udmabufs.create(pool.fd(), start, size, width, height, fourcc, planeOffset, stride);
            udmabuf = r.buffer();
            udmabufRefusal = r.refusal();
        }
        return udmabuf;
    }

    @Override
    public UdmabufRefusal udmabufRefusal() { return udmabufRefusal; }

    @Override
    public void destroy(Resource self) {
        // Destruction follows; contents go once no surface or frame holds the buffer.
    }

    @Override
    protected void closeContents() {
        if (udmabuf != null) {
            udmabuf.close();
            udmabuf = null;
        }
        copy = null;
        pool.release();
    }
}
