package dev.ferry.compositor.buffer;

import dev.ferry.protocol.interfaces.WlBuffer;
import dev.ferry.protocol.server.Resource;
import dev.ferry.renderer.PixelSource;
import dev.ferry.renderer.Texture;

/**
 * The contents behind a wl_buffer, whatever made it (wl_shm, linux-dmabuf).
 *
 * <p>One producer (the client), counted consumers (surfaces showing it, frames reading it):
 * each consumer {@link #lock}s and {@link #unlock}s; when the last consumer lets go of a
 * buffer that was used, the client gets wl_buffer.release and may draw into it again.
 */
public abstract class ClientBuffer implements Resource.DestroyListener {
    private final Resource resource;
    private int locks;
    private boolean releasePending;
    /** Textures by the renderer that made them (a frame may be composed by the GPU or the CPU). */
    private Object textureOwner;
    private Texture texture;
    private Object secondOwner;
    private Texture secondTexture;
    private boolean destroyed;
    /** The event loop's thread, where the client's requests made this buffer: its state is confined there. */
    private final Thread loopThread = Thread.currentThread();

    protected ClientBuffer(Resource resource) {
        this.resource = resource;
    }

    public Resource resource() { return resource; }

    public abstract int width();

    public abstract int height();

    public abstract int fourcc();

    /** True for formats whose alpha channel counts. */
    public abstract boolean hasAlpha();

    /** "shm", "dmabuf": how the client shared it, for statistics. */
    public abstract String kind();

    /**
     * The pixels for the CPU to read, or null with {@link #unreadableReason()} set when they
     * cannot be read safely now (e.g. an unsealed pool that shrank).
     */
    public abstract PixelSource pixels();

    public String unreadableReason() { return null; }

    /** The dma-buf behind this buffer, for scanout and device import tests; null for shm. */
    public dev.ferry.drm.DmaBuf dmaBuf() { return null; }

    /**
     * The dma-buf a display could scan out: the client's own, or for wl_shm a udmabuf over its
     * pool made by {@code udmabuf} on first ask and kept while the buffer lives. Null when there
     * is none; then {@link #udmabufRefusal()} says why for shm.
     */
    public dev.ferry.drm.DmaBuf scanoutDmaBuf(dev.ferry.drm.UdmabufDevice udmabuf) { return dmaBuf(); }

    /** For a wl_shm buffer: why its pool could not be wrapped as a udmabuf, or null. */
    public dev.ferry.drm.UdmabufRefusal udmabufRefusal() { return null; }

    /** For a wl_shm buffer: its pool file and layout, to hand on unchanged; null for other kinds. */
    public ShmShare shmShare() { return null; }

    /** Called when a commit makes this buffer current: bring compositor-side copies up to date. */
    public void refresh() {}

    public void lock() {
        locks++;
        releasePending = true;
    }

    public void unlock() {
        if (locks == 0) throw new IllegalStateException("unbalanced unlock of " + resource);
        if (--locks == 0 && releasePending) {
            releasePending = false;
            signalReleasePoints();
            if (!destroyed) WlBuffer.sendRelease(resource);
            if (destroyed) disposeTexture();
        }
    }

    /**
     * An explicit-sync release point for the commit that just made this buffer current: signalled
     * with wl_buffer.release, when the last consumer (the surface, a frame composing it, the plane
     * scanning it out until the flip that replaced it) lets go; at once if none holds it.
     */
    public void addReleasePoint(ReleasePoint point) {
        if (locks == 0) {
            point.signal();
            return;
        }
        if (releasePoints == null) releasePoints = new java.util.ArrayList<>(2);
        releasePoints.add(point);
    }

    private java.util.List<ReleasePoint> releasePoints;

    private void signalReleasePoints() {
        if (releasePoints == null || releasePoints.isEmpty()) return;
        for (int i = 0; i < releasePoints.size(); i++) releasePoints.get(i).signal();
        releasePoints.clear();
    }

    public boolean locked() { return locks > 0; }

    /** That renderer's texture for this buffer, reused across commits of the same wl_buffer. */
    public Texture texture(Object renderer) {
        Texture t = renderer == textureOwner ? texture : renderer == secondOwner ? secondTexture : null;
        return t != null && t.isOpen() ? t : null;
    }

    /** Only on the loop thread: a renderer thread setting it could close a texture a frame on the loop still uses. */
    public void setTexture(Object renderer, Texture t) {
        if (Thread.currentThread() != loopThread) {
            throw new IllegalStateException("ClientBuffer.setTexture on " + Thread.currentThread().getName() + ", not its loop thread "
                    + loopThread.getName());
        }
        if (renderer == textureOwner || textureOwner == null) {
            if (texture != null && texture != t) texture.close();
            textureOwner = renderer;
            texture = t;
        } else {
            if (secondTexture != null && secondTexture != t) secondTexture.close();
            secondOwner = renderer;
            secondTexture = t;
        }
    }

    private void disposeTexture() {
        if (texture != null) texture.close();
        if (secondTexture != null) secondTexture.close();
        texture = secondTexture = null;
        textureOwner = secondOwner = null;
        closeContents();
    }

    /** Releases what the buffer holds (mappings, fds) once nobody reads it any more. */
    protected abstract void closeContents();

    public boolean isDestroyed() { return destroyed; }

    private java.util.List<Runnable> destroyListeners;

    /** Runs when the client destroys the wl_buffer (caches keyed by the buffer drop it then). */
    public void onDestroyed(Runnable listener) {
        if (destroyListeners == null) destroyListeners = new java.util.ArrayList<>(2);
        destroyListeners.add(listener);
    }

    @Override
    public void destroyed(Resource r) {
        destroyed = true;
        if (destroyListeners != null) for (Runnable l : destroyListeners) l.run();
        if (locks == 0) disposeTexture();
    }
}
