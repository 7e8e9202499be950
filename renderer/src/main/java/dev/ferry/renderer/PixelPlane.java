package dev.ferry.renderer;

import java.lang.foreign.MemorySegment;

/** One plane of client pixels: memory starting at the plane's first pixel, and its row stride in bytes. */
public record PixelPlane(MemorySegment memory, int stride) {
    public PixelPlane {
        if (memory == null) throw new NullPointerException("memory");
    }
}
