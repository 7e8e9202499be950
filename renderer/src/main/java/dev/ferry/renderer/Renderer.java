package dev.ferry.renderer;

/**
 * A renderer: the capabilities the compositor needs, each also usable on its own. Methods may
 * be called from any thread and never block on the GPU; results arrive through futures.
 */
public interface Renderer extends MemoryImporter, DmaBufImporter, Composer, AutoCloseable {
    /** "gles", "cpu", "dummy": what {@link Renderers#create} names it. */
    String name();

    /** One line for logs: the driver, or why this renderer was chosen. */
    String description();

    /** Releases the renderer's own resources. Textures it made become invalid. */
    @Override
    void close();
}
