package dev.ferry.renderer;

/**
 * A client buffer imported for sampling by one renderer. Only that renderer can draw it. The
 * importer owns it and closes it once (closing again does nothing); a closed texture in a scene
 * fails the frame with {@link FrameFailure#TEXTURE_INVALID}.
 */
public interface Texture extends AutoCloseable {
    int width();

    int height();

    int fourcc();

    long modifier();

    boolean isOpen();

    @Override
    void close();
}
