package dev.ferry.compositor.core;

import dev.ferry.renderer.Region;

import java.util.Arrays;

/**
 * A set of pixels as disjoint rectangles, with the union, subtraction and intersection that
 * wl_region and damage tracking need. Immutable; small sets are the norm, so plain splitting
 * is fast enough and easy to check.
 */
public final class RectSet {
    public static final RectSet EMPTY = new RectSet(new int[0], 0);
    /** Anything larger than this in damage just becomes the bounding box. */
    private static final int MAX_RECTS = 64;

    private final int[] r; // x, y, w, h per rect
    private final int n;

    private RectSet(int[] r, int n) {
        this.r = r;
        this.n = n;
    }

    /** Rectangles known to be disjoint and non-empty (x, y, w, h each), taken as they are. */
    static RectSet fromDisjoint(int[] xywh, int count) {
        return count == 0 ? EMPTY : new RectSet(xywh, count);
    }

    /**
     * A subset of this set with at most max rectangles: itself if small enough, else its largest
     * rectangle. For hints where fewer pixels are safe and many rectangles cost every frame (an
     * opaque region: less of it only means less is skipped).
     */
    public RectSet atMost(int max) {
        if (n <= max) return this;
        int best = 0;
        long bestArea = -1;
        for (int i = 0; i < n; i++) {
            long a = (long) w(i) * h(i);
            if (a > bestArea) {
                bestArea = a;
                best = i;
            }
        }
        return of(x(best), y(best), w(best), h(best));
    }

    public static RectSet of(int x, int y, int w, int h) {
        if (w <= 0 || h <= 0) return EMPTY;
        return new RectSet(new int[] {x, y, w, h}, 1);
    }

    public int count() { return n; }
    public boolean isEmpty() { return n == 0; }
    public int x(int i) { return r[4 * i]; }
    public int y(int i) { return r[4 * i + 1]; }
    public int w(int i) { return r[4 * i + 2]; }
    public int h(int i) { return r[4 * i + 3]; }

    public RectSet add(int x, int y, int w, int h) {
        if (w <= 0 || h <= 0) return this;
        RectSet without = subtract(x, y, w, h);
        int[] out = Arrays.copyOf(without.r, without.n * 4 + 4);
        out[without.n * 4] = x;
        out[without.n * 4 + 1] = y;
        out[without.n * 4 + 2] = w;
        out[without.n * 4 + 3] = h;
        return new RectSet(out, without.n + 1);
    }

    public RectSet add(RectSet other) {
        RectSet acc = this;
        for (int i = 0; i < other.n; i++) acc = acc.add(other.x(i), other.y(i), other.w(i), other.h(i));
        return acc;
    }

    public RectSet subtract(int x, int y, int w, int h) {
        if (w <= 0 || h <= 0 || n == 0) return this;
        int[] out = new int[(n * 4 + 4) * 4];
        int m = 0;
        long x2 = (long) x + w, y2 = (long) y + h;
        for (int i = 0; i < n; i++) {
            int ax = x(i), ay = y(i), aw = w(i), ah = h(i);
            long ax2 = (long) ax + aw, ay2 = (long) ay + ah;
            if (x >= ax2 || x2 <= ax || y >= ay2 || y2 <= ay) {
                m = put(out, m, ax, ay, aw, ah);
                continue;
            }
            // Up to four pieces: above, below, left, right of the hole.
            if (y > ay) m = put(out, m, ax, ay, aw, y - ay);
            if (y2 < ay2) m = put(out, m, ax, (int) y2, aw, (int) (ay2 - y2));
            int top = Math.max(ay, y), bottom = (int) Math.min(ay2, y2);
            if (x > ax) m = put(out, m, ax, top, x - ax, bottom - top);
            if (x2 < ax2) m = put(out, m, (int) x2, top, (int) (ax2 - x2), bottom - top);
        }
        return new RectSet(Arrays.copyOf(out, m * 4), m);
    }

    private static int put(int[] out, int m, int x, int y, int w, int h) {
        if (w <= 0 || h <= 0) return m;
        out[m * 4] = x;
        out[m * 4 + 1] = y;
        out[m * 4 + 2] = w;
        out[m * 4 + 3] = h;
        return m + 1;
    }

    public RectSet subtract(RectSet other) {
        RectSet acc = this;
        for (int i = 0; i < other.n; i++) acc = acc.subtract(other.x(i), other.y(i), other.w(i), other.h(i));
        return acc;
    }

    public RectSet intersect(int x, int y, int w, int h) {
        int[] out = new int[n * 4];
        int m = 0;
        for (int i = 0; i < n; i++) {
            int ix = Math.max(x, x(i)), iy = Math.max(y, y(i));
            int ix2 = (int) Math.min((long) x + w, (long) x(i) + w(i));
            int iy2 = (int) Math.min((long) y + h, (long) y(i) + h(i));
            m = put(out, m, ix, iy, ix2 - ix, iy2 - iy);
        }
        return new RectSet(Arrays.copyOf(out, m * 4), m);
    }

    public RectSet translate(int dx, int dy) {
        if (n == 0 || (dx == 0 && dy == 0)) return this;
        int[] out = Arrays.copyOf(r, n * 4);
        for (int i = 0; i < n; i++) {
            out[4 * i] += dx;
            out[4 * i + 1] += dy;
        }
        return new RectSet(out, n);
    }

    /** Scales by num/den, rounding outwards (damage must never shrink). */
    public RectSet scaleOut(double sx, double sy) {
        if (n == 0) return this;
        int[] out = new int[n * 4];
        for (int i = 0; i < n; i++) {
            int x0 = (int) Math.floor(x(i) * sx), y0 = (int) Math.floor(y(i) * sy);
            int x1 = (int) Math.ceil((x(i) + (double) w(i)) * sx), y1 = (int) Math.ceil((y(i) + (double) h(i)) * sy);
            out[4 * i] = x0;
            out[4 * i + 1] = y0;
            out[4 * i + 2] = x1 - x0;
            out[4 * i + 3] = y1 - y0;
        }
        return new RectSet(out, n);
    }

    /** The bounding box, or this set if it is small; keeps damage lists short. */
    public RectSet simplified() {
        if (n <= MAX_RECTS) return this;
        int x0 = Integer.MAX_VALUE, y0 = Integer.MAX_VALUE, x1 = Integer.MIN_VALUE, y1 = Integer.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            x0 = Math.min(x0, x(i));
            y0 = Math.min(y0, y(i));
            x1 = Math.max(x1, x(i) + w(i));
            y1 = Math.max(y1, y(i) + h(i));
        }
        return of(x0, y0, x1 - x0, y1 - y0);
    }

    public boolean contains(int x, int y, int w, int h) {
        return of(x, y, w, h).subtract(this).isEmpty();
    }

    public long area() {
        long a = 0;
        for (int i = 0; i < n; i++) a += (long) w(i) * h(i);
        return a;
    }

    /** The renderer's region type. */
    public Region toRegion() {
        if (n == 0) return Region.EMPTY;
        dev.ferry.renderer.Rect[] rects = new dev.ferry.renderer.Rect[n];
        for (int i = 0; i < n; i++) rects[i] = new dev.ferry.renderer.Rect(x(i), y(i), w(i), h(i));
        return Region.of(rects);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(", ");
            sb.append(w(i)).append('x').append(h(i)).append('+').append(x(i)).append('+').append(y(i));
        }
        return sb.append(']').toString();
    }
}
