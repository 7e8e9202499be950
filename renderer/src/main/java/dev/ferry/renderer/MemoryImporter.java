package dev.ferry.renderer;

import java.util.concurrent.CompletableFuture;

/** Capability: sample client pixels that the CPU can read (wl_shm, or a mapped dma-buf). */
public interface MemoryImporter {
    /**
     * Imports a buffer for sampling. The future completes with a texture or a rejection; it
     * never completes exceptionally for a bad buffer. It may complete on a renderer thread.
     */
    CompletableFuture<ImportResult> importMemory(PixelSource source);
}
