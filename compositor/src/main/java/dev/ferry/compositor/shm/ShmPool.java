package dev.ferry.compositor.shm;

import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.interfaces.WlShmPool;
import dev.ferry.protocol.server.Client;
import dev.ferry.protocol.server.ClientLimits;
import dev.ferry.protocol.server.Resource;
import dev.ferry.protocol.interfaces.WlDisplay;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A wl_shm_pool: the client's file and how we read it.
 *
 * <p>A file sealed against shrinking (F_SEAL_SHRINK, as libwayland's and Weston's clients make
 * them) is mapped and read in place. Any other file is never mapped: a client could truncate
 * it and a read of the mapping would raise SIGBUS, which a JVM cannot survive once the read is
 * compiled. Those pools are read with pread into compositor memory at each commit, which comes
 * back short instead of faulting.
 *
 * <p>Those copies are one per pool, not one per buffer: a mirror of the pool's bytes that each
 * buffer refreshes its own range of, so buffers over the same bytes share them (four 256 MiB
 * buffers over one sparse file used to cost 1 GiB). The mirror is as large as the pool or the
 * file really is (fstat), whichever is smaller, and counts against the client's shm-copy-bytes
 * limit. A buffer overwriting bytes another buffer shows is the client's own doing, as it
 * would be in the mapping of a sealed pool.
 *
 * <p>The pool lives as long as its resource or any buffer made from it. Mappings and mirrors
 * replaced by a resize stay until then, since a renderer may still be reading a texture made
 * from them.
 */
public final class ShmPool implements WlShmPool.Requests, Resource.DestroyListener {
    private final ShmGlobal shm;
    private final OwnedFd fd;
    private final boolean sealed;
    private long size;
    private MemorySegment mapping;
    private final List<MemorySegment> retired = new ArrayList<>(1);
    private int users = 1;
    /** Unsealed pools: the compositor's copy of the pool's bytes, made at the first commit. */
    private MemorySegment mirror;
    /** What the mirrors have counted against the client's limit, and the client. */
    private long charged;
    private Client owner;

    ShmPool(ShmGlobal shm, OwnedFd fd, long size) throws PosixException {
        this.shm = shm;
        this.fd = fd;
        this.size = size;
        this.sealed = (Memfd.seals(fd) & Memfd.F_SEAL_SHRINK) != 0;
        if (sealed) {
            long fileSize = Memfd.size(fd);
            if (fileSize < size) throw new PosixException("pool of " + size + " bytes over a file of " + fileSize, 22);
            mapping = Memfd.map(fd, 0, size, Memfd.PROT_READ);
        }
    }

    public boolean sealed() { return sealed; }
    public long size() { return size; }
    OwnedFd fd() { return fd; }

    /** The live mapping (sealed pools only). */
    MemorySegment mapping() { return mapping; }

    /**
     * The mirror of an unsealed pool, covering at least [0, end) where the file has those bytes,
     * grown (and counted) as needed. Null if the client may not hold that much more: it has then
     * been told no_memory.
     */
    MemorySegment mirror(Client client, long end) {
        if (mirror != null && mirror.byteSize() >= Math.min(end, size)) return mirror;
        long want;
        try {
            want = Math.min(size, Memfd.size(fd));
        } catch (PosixException e) {
            want = size;
        }
        want = Math.max(want, Math.min(end, size));
        if (mirror != null && mirror.byteSize() >= want) return mirror;
        try {
            client.charge(ClientLimits.Kind.SHM_COPY_BYTES, want);
        } catch (ProtocolException over) {
            client.postError(client.displayResource(), WlDisplay.ERROR_NO_MEMORY, over.getMessage());
            return null;
        }
        owner = client;
        charged += want;
        // Memory of our own memfd rather than the Java heap or an Arena: its pages are zero
        // until written, so a large pool costs what its buffers' reads fill, and allocating it
        // does not touch every page on the event loop. The fd goes once mapped.
        MemorySegment bigger;
        try (OwnedFd backing = Memfd.create("ferry-shm-copy", want)) {
            bigger = Memfd.map(backing, 0, want, Memfd.PROT_READ | Memfd.PROT_WRITE);
        } catch (PosixException e) {
            client.postError(client.displayResource(), WlDisplay.ERROR_NO_MEMORY, "cannot make a copy of the pool: " + e.getMessage());
            return null;
        }
        // Buffers refreshed into the old mirror keep reading it until their next commit.
        if (mirror != null) retired.add(mirror);
        mirror = bigger;
        return mirror;
    }

    @Override
    public void createBuffer(Resource self, int id, int offset, int width, int height, int stride, int format) {
        if (!shm.supports(format)) {
            throw new ProtocolException(self.id(), WlShm.ERROR_INVALID_FORMAT, "unsupported format 0x" + Integer.toHexString(format));
        }
        int bpp = ShmGlobal.bytesPerPixel(format);
        if (offset < 0 || width <= 0 || height <= 0 || stride < (long) width * bpp || stride % bpp != 0
                || (long) offset + (long) stride * height > size) {
            throw new ProtocolException(self.id(), WlShm.ERROR_INVALID_STRIDE, "invalid width, height or stride ("
                    + width + "x" + height + ", stride " + stride + ", offset " + offset + ", pool " + size + ")");
        }
        Resource buffer = self.client().createResource(id, dev.ferry.protocol.interfaces.WlBuffer.INTERFACE, 1, null);
        users++;
        buffer.setImplementation(new ShmBuffer(buffer, this, offset, width, height, stride, format));
    }

    @Override
    public void destroy(Resource self) {
        // The resource goes away after this; buffers made from the pool keep it alive.
    }

    @Override
    public void resize(Resource self, int newSize) {
        if (newSize < size) {
            throw new ProtocolException(self.id(), WlShm.ERROR_INVALID_STRIDE, "shrinking pool invalid (" + size + " to " + newSize + ")");
        }
        if (newSize == size) return;
        if (sealed) {
            try {
                long fileSize = Memfd.size(fd);
                if (fileSize < newSize) {
                    throw new ProtocolException(self.id(), WlShm.ERROR_INVALID_FD,
                            "pool resized to " + newSize + " bytes but the file has " + fileSize);
                }
                MemorySegment bigger = Memfd.map(fd, 0, newSize, Memfd.PROT_READ);
                retired.add(mapping);
                mapping = bigger;
            } catch (PosixException e) {
                throw new ProtocolException(self.id(), WlShm.ERROR_INVALID_FD, "cannot map the resized pool: " + e.getMessage());
            }
        }
        size = newSize;
    }

    @Override
    public void destroyed(Resource resource) {
        release();
    }

    void release() {
        if (--users > 0) return;
        if (mapping != null) Memfd.unmap(mapping);
        for (MemorySegment m : retired) Memfd.unmap(m);
        retired.clear();
        mapping = null;
        if (mirror != null) Memfd.unmap(mirror);
        mirror = null;
        if (owner != null) owner.release(ClientLimits.Kind.SHM_COPY_BYTES, charged);
        charged = 0;
        fd.close();
    }
}
