package dev.ferry.renderer;

import java.lang.foreign.MemorySegment;

/**
 * The byte layout behind a tiled format modifier, supplied by whoever defines the modifier
 * (fake-drm for its fake vendor's tilings, registered through {@link TileLayouts}). The
 * renderer does not know any tiled layout itself: a buffer whose modifier has no registered
 * layout is rejected with {@link ImportRejection#UNSUPPORTED_MODIFIER} rather than guessed.
 */
public interface TileLayout {
    long modifier();

    /** Bytes a plane of this size and stride occupies, or -1 if the layout cannot hold it (width not a tile multiple, say). */
    long planeBytes(int width, int height, int stride, int bytesPerPixel);

    /**
     * Copies the pixel rectangle (x, y, width, height) of a tiled plane into linear memory at
     * the same pixel positions (linear byte offset {@code y * linearStride + x * bytesPerPixel}).
     */
    void copyToLinear(MemorySegment tiled, int tiledStride, int bytesPerPixel,
                      int x, int y, int width, int height, MemorySegment linear, int linearStride);
}
