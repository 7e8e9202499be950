package dev.ferry.drm;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;

/** wl_shm pools as clients make them: libwayland's and GStreamer's are one memfd sealed against shrinking. */
final class ShmPools {
    private ShmPools() {}

    /** A memfd of {@code size} bytes with exactly {@code seals} added (0: none). */
    static OwnedFd memfd(long size, int seals) throws Exception {
        OwnedFd fd = Memfd.create("wayland-shm", size);
        if (seals != 0) Memfd.addSeals(fd, seals);
        return fd;
    }

    /** A sealed pool holding one XRGB8888 image of Patterns.image at offset 0, stride 4 * width. */
    static OwnedFd paintedXrgb(int width, int height) throws Exception {
        OwnedFd fd = Memfd.create("wayland-shm", (long) width * height * 4);
        var map = Memfd.map(fd, 0, (long) width * height * 4, Memfd.PROT_READ | Memfd.PROT_WRITE);
        int[] px = Patterns.image(width, height, Fourcc.XRGB8888);
        for (int i = 0; i < px.length; i++) map.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 4L * i, px[i] & 0xffffff);
        Memfd.unmap(map);
        Memfd.addSeals(fd, Memfd.F_SEAL_SHRINK);
        return fd;
    }
}
