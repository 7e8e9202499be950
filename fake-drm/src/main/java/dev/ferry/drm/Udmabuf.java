package dev.ferry.drm;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.drm.uapi.PixelFormats;
import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;

import java.util.concurrent.atomic.AtomicLong;

/**
 * fake-drm's /dev/udmabuf (see {@link UdmabufDevice} for the kernel's rules, each a named
 * {@link UdmabufRefusal}). KWin uses the real one to put wl_shm on the fast path.
 *
 * <p>The fake: the dma-buf's fd is a duplicate of the memfd, and its identity (a window of that
 * file) travels in the returned {@link DmaBuf}, since the memfd's name is the client's. So a fake
 * udmabuf is recognised by the devices of the process that created it, which is where a
 * compositor creates and imports it.
 */
public final class Udmabuf implements UdmabufDevice {
    /** udmabuf's size_limit_mb module parameter, at its default. */
    public static final long SIZE_LIMIT = 64L << 20;
    public static final String EXPORTER = "udmabuf";
    private static final long PAGE = BufferIdentity.PAGE;
    /** Serials apart from FakeDevice's (bit 31 set), so a udmabuf is never mistaken for an allocation. */
    private static final AtomicLong SERIAL = new AtomicLong();
    private static final long PID = ProcessHandle.current().pid();

    Udmabuf() {}

    @Override
    public UdmabufResult create(OwnedFd memfd, long offset, long size,
                                       int width, int height, int fourcc, int planeOffset, int stride) {
        if (PixelFormats.planeCount(fourcc) != 1) {
            throw new IllegalArgumentException("one plane only, not " + Fourcc.name(fourcc));
        }
        if (BufferIdentity.memfdNameOf(memfd.fd()) == null) {
            return UdmabufResult.refused(UdmabufRefusal.NOT_A_MEMFD, "fd " + memfd);
        }
        int seals = Memfd.seals(memfd);
        if ((seals & Memfd.F_SEAL_SHRINK) == 0) {
            return UdmabufResult.refused(UdmabufRefusal.NOT_SHRINK_SEALED, "seals 0x" + Integer.toHexString(seals));
        }
        if ((seals & Memfd.F_SEAL_WRITE) != 0) {
            return UdmabufResult.refused(UdmabufRefusal.WRITE_SEALED, "seals 0x" + Integer.toHexString(seals));
        }
        if (size == 0) return UdmabufResult.refused(UdmabufRefusal.EMPTY, "size 0 at offset " + offset);
        if (offset < 0 || offset % PAGE != 0) {
            return UdmabufResult.refused(UdmabufRefusal.OFFSET_UNALIGNED, "offset " + offset + " (page " + PAGE + ")");
        }
        if (size < 0 || size % PAGE != 0) {
            return UdmabufResult.refused(UdmabufRefusal.SIZE_UNALIGNED, "size " + size + " (page " + PAGE + ")");
        }
        long fileSize;
        try {
            fileSize = Memfd.size(memfd);
        } catch (PosixException e) {
            return UdmabufResult.refused(UdmabufRefusal.NOT_A_MEMFD, e.getMessage());
        }
        // The kernel pins the range's pages through shmem, which refuses a page that starts at or
        // past the file's end and takes the page the end falls inside: a pool of 250x250 XRGB8888
        // (weston-simple-shm, 250 000 bytes) is wrapped whole, its last page partly past the end.
        long filePages = BufferIdentity.wholePages(fileSize);
        if (offset + size > filePages) {
            return UdmabufResult.refused(UdmabufRefusal.OUT_OF_BOUNDS, "ends at " + (offset + size) + " of " + fileSize
                    + " (" + filePages + " in whole pages)");
        }
        if (size > SIZE_LIMIT) {
            return UdmabufResult.refused(UdmabufRefusal.TOO_LARGE, size + " bytes (limit " + SIZE_LIMIT + ")");
        }
        long serial = (PID << 32) | 0x8000_0000L | (SERIAL.incrementAndGet() & 0x7fff_ffffL);
        BufferIdentity id = new BufferIdentity(serial, EXPORTER, 0, EXPORTER, MemoryDomain.SYSTEM, false, fourcc,
                Modifiers.LINEAR, Modifiers.LINEAR, width, height, size, 0, BufferIdentity.NO_FENCE_PAGE,
                new long[] {planeOffset}, new int[] {stride}, true, offset);
        OwnedFd fd;
        try {
            fd = memfd.dup();
        } catch (PosixException e) {
            return UdmabufResult.refused(UdmabufRefusal.NOT_A_MEMFD, e.getMessage());
        }
        return UdmabufResult.ok(DmaBuf.withIdentity(id, width, height, fourcc, Modifiers.LINEAR,
                new OwnedFd[] {fd}, new int[] {planeOffset}, new int[] {stride}));
    }
}
