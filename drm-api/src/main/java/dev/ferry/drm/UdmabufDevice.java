package dev.ferry.drm;

import dev.ferry.posix.OwnedFd;

/**
 * The kernel's /dev/udmabuf (UDMABUF_CREATE): wraps a page-aligned range of a memfd as a dma-buf
 * in cached system memory, LINEAR, without a copy; how a compositor puts a client's wl_shm pool on
 * the fast path. The kernel's rules are the {@link UdmabufRefusal}s: a memfd sealed with
 * F_SEAL_SHRINK and not F_SEAL_WRITE, offset and size page-aligned and every page starting inside
 * the file (the last may run past its end, as shmem reads the page the end falls in), the size
 * under the module's limit. What it does not check, importers do: the memory is CPU-cached and
 * the client writes it unbracketed, so a device that does not snoop refuses it
 * ({@link ImportRejection#CPU_WRITES_UNBRACKETED}), and the pitch is the client's (an import's
 * STRIDE rejection where the display needs another alignment).
 */
public interface UdmabufDevice {
    /**
     * Wraps [offset, offset + size) of {@code memfd} and describes it as one LINEAR plane at
     * {@code planeOffset} (from the start of the range) with {@code stride}. The memfd stays the
     * caller's; the dma-buf holds its own reference and is the caller's to close. Never throws for
     * a range the kernel refuses: that is a refusal with its reason.
     */
    UdmabufResult create(OwnedFd memfd, long offset, long size, int width, int height, int fourcc, int planeOffset, int stride);
}
