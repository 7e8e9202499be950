package dev.ferry.renderer;

import java.util.Arrays;

/**
 * A set of rectangles (possibly overlapping), stored flat as x, y, width, height quadruples so
 * that per-frame code walks it with index loops and no per-rectangle objects. Immutable.
 *
 * <p>Overlap is allowed because everything the renderer does per rectangle (redraw, upload,
 * read back) is idempotent; a region algebra would cost more than the double work it saves.
 */
public final class Region {
    public static final Region EMPTY = new Region(new int[0]);

    private final int[] rects;

    private Region(int[] rects) {
        this.rects = rects;
    }

    public static Region of(Rect... rects) {
        int[] flat = new int[rects.length * 4];
        int n = 0;
        for (Rect r : rects) {
            if (r.isEmpty()) continue;
            flat[n++] = r.x();
            flat[n++] = r.y();
            flat[n++] = r.width();
            flat[n++] = r.height();
        }
        return new Region(Arrays.copyOf(flat, n));
    }

    public static Region of(int x, int y, int width, int height) {
        return of(new Rect(x, y, width, height));
    }

    /** The whole of a width x height area. */
    public static Region full(int width, int height) {
        return of(0, 0, width, height);
    }

    /**
     * This region with each rectangle cut to [0, width) x [0, height) and those left empty
     * dropped: this same region, with nothing allocated, when every rectangle is inside
     * already (a frame's damage, made inside its output, always is).
     */
    public Region clippedTo(int width, int height) {
        int n = count(), inside = 0;
        for (int i = 0; i < n && within(i, width, height); i++) inside++;
        if (inside == n) return this;
        int[] flat = Arrays.copyOf(rects, rects.length);
        int m = 4 * inside;
        for (int i = inside; i < n; i++) {
            int x0 = Math.max(0, x(i)), y0 = Math.max(0, y(i));
            long x1 = Math.min(width, (long) x(i) + width(i)), y1 = Math.min(height, (long) y(i) + height(i));
            if (x1 <= x0 || y1 <= y0) continue;
            flat[m++] = x0;
            flat[m++] = y0;
            flat[m++] = (int) (x1 - x0);
            flat[m++] = (int) (y1 - y0);
        }
        return new Region(Arrays.copyOf(flat, m));
    }

    private boolean within(int i, int width, int height) {
        return x(i) >= 0 && y(i) >= 0 && (long) x(i) + width(i) <= width && (long) y(i) + height(i) <= height;
    }

    public int count() {
        return rects.length / 4;
    }

    public boolean isEmpty() {
        return rects.length == 0;
    }

    public int x(int i) { return rects[4 * i]; }
    public int y(int i) { return rects[4 * i + 1]; }
    public int width(int i) { return rects[4 * i + 2]; }
    public int height(int i) { return rects[4 * i + 3]; }
    /** Exclusive right edge; an int in a target's damage (clipped inside it, see {@link RenderTarget}). */
    public int right(int i) { return x(i) + width(i); }
    public int bottom(int i) { return y(i) + height(i); }

    public Rect rect(int i) {
        return new Rect(x(i), y(i), width(i), height(i));
    }

    /** True when one rectangle of this region alone contains the given one. */
    public boolean anyContains(int x, int y, int width, int height) {
        for (int i = 0; i < count(); i++) {
            if (rect(i).contains(x, y, width, height)) return true;
        }
        return false;
    }

    /** True when one rectangle of this region, moved by (dx, dy), contains the given one. */
    public boolean anyContainsTranslated(int dx, int dy, int x, int y, int width, int height) {
        return anyContains(x - dx, y - dy, width, height);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Region r && Arrays.equals(rects, r.rects);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(rects);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Region[");
        for (int i = 0; i < count(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(x(i)).append(',').append(y(i)).append(' ').append(width(i)).append('x').append(height(i));
        }
        return sb.append(']').toString();
    }
}
