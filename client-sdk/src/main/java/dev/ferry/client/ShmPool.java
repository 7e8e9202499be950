package dev.ferry.client;

import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.interfaces.WlShmPool;

import java.lang.foreign.MemorySegment;

/**
 * A wl_shm pool over a memfd we map read-write. Sealed against shrinking by default, as
 * libwayland's clients do, so the compositor may map it safely; {@code sealed=false} makes the
 * kind of pool a careless client makes (tests use it).
 */
public final class ShmPool implements AutoCloseable {
    private final OwnedFd fd;
    private final MemorySegment memory;
    private final Proxy pool;

    public ShmPool(Proxy shm, long size, boolean sealed) throws PosixException {
        fd = Memfd.create("ferry-client-shm", size);
        try {
            if (sealed) Memfd.addSeals(fd, Memfd.F_SEAL_SHRINK);
            memory = Memfd.map(fd, 0, size, Memfd.PROT_READ | Memfd.PROT_WRITE);
        } catch (PosixException e) {
            fd.close();
            throw e;
        }
        pool = WlShm.createPool(shm, fd, (int) size);
    }

    public MemorySegment memory() { return memory; }
    public OwnedFd fd() { return fd; }

    /** A wl_buffer at offset in this pool. */
    public Proxy buffer(int offset, int width, int height, int stride, int wlShmFormat) {
        return WlShmPool.createBuffer(pool, offset, width, height, stride, wlShmFormat);
    }

    @Override
    public void close() {
        WlShmPool.destroy(pool);
        Memfd.unmap(memory);
        fd.close();
    }
}
