package dev.ferry.renderer.core;

import dev.ferry.renderer.Rect;

/**
 * The part of a surface's destination inside one damage rectangle: what every renderer draws
 * of a surface for that rectangle. One place for the clip the CPU, GLES and Vulkan renderers
 * each wrote again (five copies). Mutable and reused, not a record: it runs per surface per
 * damage rectangle on the render thread, where a frame allocates nothing. One instance per
 * renderer, used by one clip at a time.
 */
public final class DamageClip {
    /** The clipped rectangle [x0,x1) x [y0,y1), valid after {@link #of} answered true. */
    public int x0, y0, x1, y1;

    /**
     * Clips destination {@code d} to the damage rectangle [dx0,dx1) x [dy0,dy1); false when
     * they do not overlap. The destination's far edges are summed in 64 bits: a destination
     * placed near Integer.MAX_VALUE must not wrap round into the rectangle.
     */
    public boolean of(Rect d, int dx0, int dy0, int dx1, int dy1) {
        x0 = Math.max(dx0, d.x());
        y0 = Math.max(dy0, d.y());
        x1 = (int) Math.min(dx1, (long) d.x() + d.width());
        y1 = (int) Math.min(dy1, (long) d.y() + d.height());
        return x1 > x0 && y1 > y0;
    }
}
