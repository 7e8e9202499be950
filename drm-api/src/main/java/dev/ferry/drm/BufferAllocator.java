package dev.ferry.drm;

/**
 * A device's buffer allocator, GBM-like: what {@code gbm_bo_create_with_modifiers2} and
 * {@code DRM_IOCTL_MODE_CREATE_DUMB} do on a real machine. The caller owns every buffer it gets.
 */
public interface BufferAllocator {
    /**
     * Allocates a buffer. {@code modifiers} lists what the caller can accept (null or empty:
     * implicit only, reported as INVALID); the device picks its most preferred of them. The
     * memory domain follows the device's rules for the {@link Usage} bits.
     */
    DmaBuf allocate(int width, int height, int fourcc, long[] modifiers, int usage) throws AllocationException;

    /** As {@link #allocate(int, int, int, long[], int)}, placed in a given domain (it must qualify). */
    DmaBuf allocate(int width, int height, int fourcc, long[] modifiers, int usage, MemoryDomain placement)
            throws AllocationException;

    /** A dumb buffer: LINEAR, CPU-mappable, scanout-capable. */
    DmaBuf createDumb(int width, int height, int fourcc) throws AllocationException;
}
