package dev.ferry.drm.topology.probe;

import dev.ferry.posix.Fds;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;

import java.lang.foreign.MemorySegment;

/**
 * Where the probe's ioctls go: an open /dev/dri node, or recorded answers in a test. The
 * argument is the ioctl's struct; the answer is written into it (and into the buffers its
 * pointers name), as the kernel does.
 */
@FunctionalInterface
public interface DrmChannel {
    void ioctl(long request, MemorySegment arg) throws PosixException;

    /** The node's fd (owned by the caller). */
    static DrmChannel of(OwnedFd fd) {
        return (request, arg) -> Fds.ioctl(fd, request, arg);
    }
}
