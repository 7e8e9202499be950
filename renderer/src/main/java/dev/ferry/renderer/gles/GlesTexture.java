package dev.ferry.renderer.gles;

import dev.ferry.renderer.Texture;
import dev.ferry.renderer.core.LinearPlanes;

/**
 * A client buffer as GL textures (two for NV12), created, used and deleted on the render
 * thread. Either uploaded from {@link LinearPlanes} (then re-uploaded where damaged) or bound
 * to an EGLImage of a dma-buf (then the GPU reads the buffer itself and there is nothing to upload).
 * {@link #close()} may be called from any thread; the deletion runs on the render thread.
 */
final class GlesTexture implements Texture {
    final GlesRenderer owner;
    final int width, height, fourcc;
    final long modifier;
    /** Null for a dma-buf import. */
    final LinearPlanes planes;
    final GlFormat format;
    // Render-thread state.
    int plane0Texture;
    int plane1Texture;
    long eglImage;
    int glFilter = -1;
    private volatile boolean open = true;

    GlesTexture(GlesRenderer owner, int width, int height, int fourcc, long modifier, LinearPlanes planes) {
        this.owner = owner;
        this.width = width;
        this.height = height;
        this.fourcc = fourcc;
        this.modifier = modifier;
        this.planes = planes;
        this.format = GlFormat.of(fourcc);
    }

    @Override public int width() { return width; }
    @Override public int height() { return height; }
    @Override public int fourcc() { return fourcc; }
    @Override public long modifier() { return modifier; }
    @Override public boolean isOpen() { return open; }

    @Override
    public void close() {
        synchronized (this) {
            if (!open) return;
            open = false;
        }
        owner.releaseTexture(this);
    }

    @Override
    public String toString() {
        return "GlesTexture[" + width + "x" + height + " " + dev.ferry.drm.uapi.Fourcc.name(fourcc) + (planes == null ? " dma-buf" : "") + "]";
    }
}
