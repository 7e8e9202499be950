package dev.ferry.compositor.plan;

import dev.ferry.compositor.core.RectSet;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.kms.FallbackReason;

/**
 * One visible surface of a frame as the planner sees it: where it lands on the output, what
 * its buffer is, how it is drawn and how often it changes. Plain data, filled by the backend
 * from the scene (or by a test by hand); instances are reused from frame to frame.
 */
public final class PlanSurface {
    /** Who this is for the caller (the compositor's Surface): compared by identity across frames. */
    public Object key;
    /** The buffer shown, for the per-(buffer, plane) rejection cache; null when none. */
    public Object buffer;
    /** Destination on the output, in output pixels (may reach past its edges). */
    public int x, y, width, height;
    /** A toplevel's or popup's own surface, not a subsurface. */
    public boolean root;
    /** Number of surfaces in its tree (1: no subsurfaces). */
    public int treeSize = 1;
    /** A dma-buf the display device may import: the client's, or a udmabuf over its wl_shm pool (false: neither, or no buffer). */
    public boolean dmabuf;
    /** With a buffer but no dma-buf: why (a wl_shm pool udmabuf could not wrap: unsealed, pages past the pool, ...). */
    public FallbackReason noDmabuf = FallbackReason.SHM_BUFFER;
    public int fourcc;
    public long modifier = Modifiers.LINEAR;
    public int bufferWidth, bufferHeight;
    /** The format has alpha. */
    public boolean alpha;
    /** Opaque region in surface coordinates (ignored without alpha). */
    public RectSet opaque = RectSet.EMPTY;
    /** wl_output transform of the buffer (0: normal). */
    public int transform;
    /** A viewport crop or scale, or a buffer size other than the destination size. */
    public boolean scaled;
    /** Source rectangle in buffer pixels (the crop, or the whole buffer). */
    public int srcX, srcY, srcWidth, srcHeight;
    /** Commits per second, as measured on the monotonic clock (see {@link UpdateRate}). */
    public double updateHz;
    /** The pointer's cursor surface (wl_pointer.set_cursor): above every window, a candidate for the cursor plane. */
    public boolean cursor;

    /** Sets the common case: an unscaled, untransformed buffer of the destination's size at (x, y). */
    public PlanSurface set(Object key, Object buffer, int x, int y, int width, int height) {
        this.key = key;
        this.buffer = buffer;
        this.x = x;
        this.y = y;
        this.width = width;
        this.height = height;
        this.root = true;
        this.treeSize = 1;
        this.dmabuf = false;
        this.noDmabuf = FallbackReason.SHM_BUFFER;
        this.fourcc = 0;
        this.modifier = Modifiers.LINEAR;
        this.bufferWidth = width;
        this.bufferHeight = height;
        this.alpha = false;
        this.opaque = RectSet.EMPTY;
        this.transform = 0;
        this.scaled = false;
        this.srcX = 0;
        this.srcY = 0;
        this.srcWidth = width;
        this.srcHeight = height;
        this.updateHz = 0;
        this.cursor = false;
        return this;
    }

    /** Whether this surface draws opaque pixels over all of its destination. */
    boolean opaqueEverywhere() {
        return !alpha || opaque.contains(0, 0, width, height);
    }

    boolean covers(int outWidth, int outHeight) {
        return x <= 0 && y <= 0 && x + width >= outWidth && y + height >= outHeight;
    }

    boolean overlaps(PlanSurface o) {
        return x < o.x + o.width && o.x < x + width && y < o.y + o.height && o.y < y + height;
    }

    @Override
    public String toString() {
        return key + " " + width + "x" + height + "+" + x + "+" + y;
    }
}
