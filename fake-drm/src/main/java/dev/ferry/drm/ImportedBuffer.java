package dev.ferry.drm;

import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;

import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;

/**
 * A device's side of an attached dma-buf: its own duplicates of the plane fds (the kernel's
 * reference to the file), the description it was imported with, and, once someone needs the
 * bytes, one mapping of the whole file. Referenced by its handle and by each framebuffer made
 * from it; freed when the last reference goes.
 */
final class ImportedBuffer {
    final int handleId;
    final ImportPurpose purpose;
    final BufferIdentity identity;
    final int width;
    final int height;
    final int fourcc;
    final long modifier;
    /** The layout this device reads: the modifier, or what an implicit modifier means to it. */
    final long layout;
    final int[] offsets;
    final int[] strides;
    private final OwnedFd[] fds;
    private MemorySegment file;
    /** The fence page within {@link #file}, sliced once: every commit and vblank reads it, per plane. */
    private MemorySegment fencePage;
    private int references = 1;

    ImportedBuffer(int handleId, ImportPurpose purpose, BufferIdentity identity, DmaBuf desc, long layout,
                   OwnedFd[] fds) {
        this.handleId = handleId;
        this.purpose = purpose;
        this.identity = identity;
        this.width = desc.width();
        this.height = desc.height();
        this.fourcc = desc.fourcc();
        this.modifier = desc.modifier();
        this.layout = layout;
        this.offsets = desc.offsetsArray().clone();
        this.strides = desc.stridesArray().clone();
        this.fds = fds;
    }

    void retain() {
        references++;
    }

    /** Drops one reference; true if that was the last. */
    boolean release() {
        if (--references > 0) return false;
        if (file != null) {
            Memfd.unmap(file);
            file = null;
            fencePage = null;
        }
        for (OwnedFd fd : fds) fd.close();
        return true;
    }

    /** The whole buffer from its file base: CPU view, shadow, fence page. */
    MemorySegment file() {
        if (file == null) {
            try {
                file = Memfd.map(fds[0], identity.fileBase(), identity.fileSize(), Memfd.PROT_READ | Memfd.PROT_WRITE);
            } catch (PosixException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }

    long fenceSignalAtNs() {
        if (!identity.hasFencePage()) return ImplicitFence.NO_FENCE;
        if (fencePage == null) fencePage = file().asSlice(identity.fenceOffset(), BufferIdentity.PAGE);
        return ImplicitFence.signalAt(fencePage);
    }
}
