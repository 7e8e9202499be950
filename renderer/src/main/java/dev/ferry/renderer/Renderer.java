package dev.ferry.renderer;

/**
 * A renderer: the capabilities the compositor needs, each also usable on its own. Methods may
 * be called from any thread and never block on the GPU; results arrive through futures.
 */
public interface Renderer extends MemoryImporter, DmaBufImporter, Composer, AutoCloseable {
    /** "gles", "vulkan", "cpu", "dummy": what {@link Renderers#create} names it. */
    String name();

    /**
     * True when frames are composed by a GPU API (GLES, Vulkan; even on a software driver such
     * as llvmpipe or lavapipe), so a composed frame's path is GPU composition; false for the
     * CPU compositor.
     */
    default boolean composesOnGpu() {
        return false;
    }

    /**
     * Where this renderer read and wrote memory, for ferry ctl stats ("renderer_memory"): the
     * Vulkan renderer's in-place imports and its copies by reason. Empty when there is nothing
     * to say (the CPU renderer reads everything in place, always).
     */
    default java.util.Map<String, Object> memoryStatistics() {
        return java.util.Map.of();
    }

    /** One line for logs: the driver, or why this renderer was chosen. */
    String description();

    /** Releases the renderer's own resources. Textures it made become invalid. */
    @Override
    void close();
}
