package dev.ferry.drm;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.drm.uapi.PixelFormats;
import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A dma-buf as userspace describes it (zwp_linux_buffer_params, GBM): size, format, modifier
 * and per plane an fd, offset and stride. This object owns its plane fds, one per plane even
 * when planes share a buffer (each fd has one owner), and closes them on {@link #close}.
 * Hand a buffer on with {@link #dup}.
 */
public final class DmaBuf implements AutoCloseable {
    private final int width;
    private final int height;
    private final int fourcc;
    private final long modifier;
    private final OwnedFd[] fds;
    private final int[] offsets;
    private final int[] strides;
    private BufferIdentity identity;
    private boolean identityRead;
    /** The fence page, mapped on first use and kept until close (read on every commit). */
    private MemorySegment fencePage;

    private DmaBuf(int width, int height, int fourcc, long modifier, OwnedFd[] fds, int[] offsets, int[] strides) {
        this.width = width;
        this.height = height;
        this.fourcc = fourcc;
        this.modifier = modifier;
        this.fds = fds;
        this.offsets = offsets;
        this.strides = strides;
    }

    /**
     * Takes ownership of the plane fds (for instance those received with a client's
     * buffer params). Nothing is validated here: importing is where a device judges it.
     */
    public static DmaBuf adopt(int width, int height, int fourcc, long modifier,
                               OwnedFd[] fds, int[] offsets, int[] strides) {
        if (fds.length == 0 || fds.length != offsets.length || fds.length != strides.length) {
            throw new IllegalArgumentException("plane arrays disagree: " + fds.length + " fds, "
                    + offsets.length + " offsets, " + strides.length + " strides");
        }
        return new DmaBuf(width, height, fourcc, modifier, fds.clone(), offsets.clone(), strides.clone());
    }

    public int width() { return width; }

    public int height() { return height; }

    public int fourcc() { return fourcc; }

    public long modifier() { return modifier; }

    public int planeCount() { return fds.length; }

    /** The fd of a plane; still owned by this object. */
    public OwnedFd fd(int plane) { return fds[plane]; }

    public int offset(int plane) { return offsets[plane]; }

    public int stride(int plane) { return strides[plane]; }

    int[] offsetsArray() { return offsets; }

    int[] stridesArray() { return strides; }

    /** What the kernel knows about plane 0's fd, or null if it is not a fake-drm dma-buf. */
    public synchronized BufferIdentity identity() {
        if (!identityRead) {
            identity = BufferIdentity.of(fds[0]);
            identityRead = true;
        }
        return identity;
    }

    /**
     * A description whose identity the creating kernel supplies instead of the memfd name (a
     * udmabuf's fd is the client's memfd, named by the client). Takes ownership of the fds.
     */
    static DmaBuf withIdentity(BufferIdentity identity, int width, int height, int fourcc, long modifier,
                               OwnedFd[] fds, int[] offsets, int[] strides) {
        DmaBuf b = adopt(width, height, fourcc, modifier, fds, offsets, strides);
        b.identity = identity;
        b.identityRead = true;
        return b;
    }

    /** A second description of the same buffer with its own, duplicated fds. */
    public DmaBuf dup() throws PosixException {
        OwnedFd[] copies = new OwnedFd[fds.length];
        try {
            for (int i = 0; i < fds.length; i++) copies[i] = fds[i].dup();
        } catch (PosixException e) {
            for (OwnedFd c : copies) if (c != null) c.close();
            throw e;
        }
        DmaBuf copy = new DmaBuf(width, height, fourcc, modifier, copies, offsets.clone(), strides.clone());
        synchronized (this) {
            if (identityRead && identity != null && identity.udmabuf()) {
                copy.identity = identity;
                copy.identityRead = true;
            }
        }
        return copy;
    }

    /** Maps the buffer for CPU access; close the mapping before or after this, in any order. */
    public CpuMapping map() throws PosixException {
        return CpuMapping.map(this);
    }

    public boolean isOpen() {
        for (OwnedFd fd : fds) if (!fd.isOpen()) return false;
        return true;
    }

    /**
     * When the buffer's last write completes, read from its fence page. The page is mapped
     * once, on first use, and unmapped by {@link #close}: the compositor asks on every commit,
     * so a map (or a pread) per question would cost a system call per frame.
     */
    synchronized long fenceSignalAtNs() throws PosixException {
        BufferIdentity id = identity();
        if (id != null && !id.hasFencePage()) return ImplicitFence.NO_FENCE;
        return ImplicitFence.signalAt(fencePage());
    }

    /** Sets the write fence (the writer's side of {@link #fenceSignalAtNs}). */
    synchronized void setFenceSignalAtNs(long signalAtNs) throws PosixException {
        BufferIdentity id = identity();
        if (id != null && !id.hasFencePage()) {
            throw new IllegalStateException("a udmabuf has no device writer to fence: " + id);
        }
        ImplicitFence.set(fencePage(), signalAtNs);
    }

    /** Sets a write fence that a deadline hint may hurry down to earliestNs. */
    synchronized void setFence(long signalAtNs, long earliestNs) throws PosixException {
        ImplicitFence.set(fencePage(), signalAtNs, earliestNs);
    }

    /** The fence page's change counter: which write the fence now stands for. */
    synchronized long fenceSeqno() throws PosixException {
        return ImplicitFence.seqno(fencePage());
    }

    /** A deadline hint for write seqno; when it now completes (unchanged once closed). */
    synchronized long boostFence(long seqno, long deadlineNs, long fallbackNs) {
        if (!fds[0].isOpen()) return fallbackNs;
        try {
            return ImplicitFence.boost(fencePage(), seqno, deadlineNs);
        } catch (PosixException e) {
            return fallbackNs;
        }
    }

    /** How many times a deadline hint hurried a write to this buffer (any process's hint). */
    public synchronized long fenceBoosts() throws PosixException {
        return ImplicitFence.boosts(fencePage());
    }

    private MemorySegment fencePage() throws PosixException {
        if (fencePage == null) {
            if (!fds[0].isOpen()) throw new PosixException("the dma-buf is closed", 9);
            BufferIdentity id = identity();
            if (id == null) throw new IllegalArgumentException("not a fake-drm dma-buf: " + this);
            fencePage = Memfd.map(fds[0], id.fenceOffset(), BufferIdentity.PAGE, Memfd.PROT_READ | Memfd.PROT_WRITE);
        }
        return fencePage;
    }

    @Override
    public synchronized void close() {
        if (fencePage != null) {
            Memfd.unmap(fencePage);
            fencePage = null;
        }
        for (OwnedFd fd : fds) fd.close();
    }

    @Override
    public String toString() {
        return width + "x" + height + " " + Fourcc.name(fourcc) + " " + Modifiers.name(modifier)
                + " planes " + PixelFormats.planeCount(fourcc) + " offsets " + Arrays.toString(offsets)
                + " strides " + Arrays.toString(strides);
    }
}
