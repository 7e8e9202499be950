package dev.ferry.compositor.core;

import java.util.Arrays;

/**
 * A set of pixels kept as pixman keeps a region: horizontal bands, sorted top to bottom and
 * never overlapping, each holding sorted, disjoint, non-touching x intervals; bands with the
 * same intervals that touch are merged. Mutable, for wl_region, which a client builds one
 * rectangle at a time: an add or subtract finds the bands it crosses by binary search and the
 * intervals in each band by binary search, so it costs the bands it crosses plus an array
 * shift, not (as {@link RectSet}'s splitting does) the whole set copied per request. 40 000
 * disjoint adds used to stall every client for seconds.
 *
 * <p>{@link #count} (the rectangles {@link #toRectSet} yields, one per interval per band) is
 * kept exact at every step, so the caller can charge it against the client's limit.
 */
public final class BandedRects {
    private int bands;
    private int[] y1 = new int[8];
    private int[] y2 = new int[8];
    /** Per band: x1, x2 pairs (x2 exclusive), sorted. */
    private int[][] xs = new int[8][];
    /** Per band: how many intervals (pairs) of xs are in use. */
    private int[] n = new int[8];
    private int count;
    private RectSet cached = RectSet.EMPTY;

    /** Rectangles in the set (intervals over all bands). */
    public int count() { return count; }

    public int bandCount() { return bands; }

    public void add(int x, int y, int w, int h) {
        if (w <= 0 || h <= 0) return;
        apply(x, y, clamp((long) x + w), clamp((long) y + h), true);
    }

    public void subtract(int x, int y, int w, int h) {
        if (w <= 0 || h <= 0 || bands == 0) return;
        apply(x, y, clamp((long) x + w), clamp((long) y + h), false);
    }

    private static int clamp(long v) {
        return (int) Math.min(v, Integer.MAX_VALUE);
    }

    private void apply(int ax1, int ay1, int ax2, int ay2, boolean add) {
        if (ax2 <= ax1 || ay2 <= ay1) return;
        cached = null;
        // Split the bands the edges fall inside of, so every band is wholly in or out of [ay1, ay2).
        splitAt(ay1);
        splitAt(ay2);
        int first = firstBandEndingAfter(ay1);
        int i = first;
        int y = ay1;
        while (y < ay2) {
            if (i < bands && y1[i] <= y) {
                // A band inside the span (splitting made it start at y).
                if (add) addInterval(i, ax1, ax2);
                else subtractInterval(i, ax1, ax2);
                y = y2[i];
                i++;
            } else {
                // A gap up to the next band (or the span's end).
                int gapEnd = i < bands ? Math.min(y1[i], ay2) : ay2;
                if (add) {
                    insertBand(i, y, gapEnd, ax1, ax2);
                    i++;
                }
                y = gapEnd;
            }
        }
        // Merge what became alike, and drop bands a subtract emptied, over the span and its edges.
        compact(Math.max(0, first - 1), Math.min(bands, i + 1));
    }

    /** Splits the band strictly containing y at y. */
    private void splitAt(int y) {
        int i = firstBandEndingAfter(y);
        if (i >= bands || y1[i] >= y) return;
        insertBand(i + 1, y, y2[i], 0, 0);
        int[] copy = Arrays.copyOf(xs[i], Math.max(2, n[i] * 2));
        xs[i + 1] = copy;
        n[i + 1] = n[i];
        count += n[i];
        y2[i] = y;
    }

    /** The first band with y2 > y (bands are sorted and disjoint, so y2 is sorted too). */
    private int firstBandEndingAfter(int y) {
        int lo = 0, hi = bands;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (y2[mid] <= y) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /** A new band at index i over [by1, by2) with one interval [x1, x2), or none if x1 >= x2. */
    private void insertBand(int i, int by1, int by2, int x1, int x2) {
        if (bands == y1.length) {
            int cap = bands * 2;
            y1 = Arrays.copyOf(y1, cap);
            y2 = Arrays.copyOf(y2, cap);
            xs = Arrays.copyOf(xs, cap);
            n = Arrays.copyOf(n, cap);
        }
        int tail = bands - i;
        System.arraycopy(y1, i, y1, i + 1, tail);
        System.arraycopy(y2, i, y2, i + 1, tail);
        System.arraycopy(xs, i, xs, i + 1, tail);
        System.arraycopy(n, i, n, i + 1, tail);
        bands++;
        y1[i] = by1;
        y2[i] = by2;
        if (x1 < x2) {
            xs[i] = new int[] {x1, x2};
            n[i] = 1;
            count++;
        } else {
            xs[i] = new int[2];
            n[i] = 0;
        }
    }

    /** Index of the first interval of band b whose end is >= x (touching counts, for adds). */
    private int firstIntervalEndingAtOrAfter(int b, int x) {
        int[] v = xs[b];
        int lo = 0, hi = n[b];
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (v[2 * mid + 1] < x) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private void addInterval(int b, int x1, int x2) {
        int[] v = xs[b];
        int m = n[b];
        int i = firstIntervalEndingAtOrAfter(b, x1);
        int j = i;
        // Intervals i..j-1 touch or overlap [x1, x2): they become one.
        while (j < m && v[2 * j] <= x2) j++;
        if (i == j) {
            replace(b, i, j, x1, x2, 1);
            return;
        }
        int nx1 = Math.min(x1, v[2 * i]);
        int nx2 = Math.max(x2, v[2 * (j - 1) + 1]);
        replace(b, i, j, nx1, nx2, 1);
    }

    private void subtractInterval(int b, int x1, int x2) {
        int[] v = xs[b];
        int m = n[b];
        // Intervals that overlap (not merely touch) [x1, x2).
        int i = firstIntervalEndingAtOrAfter(b, x1 + 1);
        int j = i;
        while (j < m && v[2 * j] < x2) j++;
        if (i == j) return;
        int left = v[2 * i], right = v[2 * (j - 1) + 1];
        boolean keepLeft = left < x1, keepRight = right > x2;
        if (keepLeft && keepRight) replace2(b, i, j, left, x1, x2, right);
        else if (keepLeft) replace(b, i, j, left, x1, 1);
        else if (keepRight) replace(b, i, j, x2, right, 1);
        else replace(b, i, j, 0, 0, 0);
    }

    /** Intervals i..j-1 of band b become k (0 or 1) intervals: [a1, a2). */
    private void replace(int b, int i, int j, int a1, int a2, int k) {
        int[] v = resize(b, i, j, k);
        if (k == 1) {
            v[2 * i] = a1;
            v[2 * i + 1] = a2;
        }
    }

    private void replace2(int b, int i, int j, int a1, int a2, int c1, int c2) {
        int[] v = resize(b, i, j, 2);
        v[2 * i] = a1;
        v[2 * i + 1] = a2;
        v[2 * i + 2] = c1;
        v[2 * i + 3] = c2;
    }

    /** Makes room for k intervals in place of i..j-1 of band b; returns its (maybe new) array. */
    private int[] resize(int b, int i, int j, int k) {
        int m = n[b];
        int newM = m - (j - i) + k;
        int[] v = xs[b];
        if (2 * newM > v.length) {
            v = Arrays.copyOf(v, Math.max(2 * newM, v.length * 2));
            xs[b] = v;
        }
        System.arraycopy(v, 2 * j, v, 2 * (i + k), 2 * (m - j));
        n[b] = newM;
        count += newM - m;
        return v;
    }

    /**
     * Over bands [from, to): drops empty bands and merges touching bands with equal intervals.
     * Bands from {@code to} on were not changed, so once the walk is past it with nothing
     * removed the rest stays as it is; if something was removed, the rest moves down in one copy.
     */
    private void compact(int from, int to) {
        int w = from;
        int r = from;
        for (; r < bands; r++) {
            if (r >= to) break;
            if (n[r] == 0) continue;
            if (w > 0 && y2[w - 1] == y1[r] && sameIntervals(w - 1, r)) {
                y2[w - 1] = y2[r];
                count -= n[r];
                continue;
            }
            if (w != r) {
                y1[w] = y1[r];
                y2[w] = y2[r];
                xs[w] = xs[r];
                n[w] = n[r];
            }
            w++;
        }
        // The first band at or after `to` may now touch a merged band with equal intervals.
        if (r < bands && w > 0 && y2[w - 1] == y1[r] && sameIntervals(w - 1, r)) {
            y2[w - 1] = y2[r];
            count -= n[r];
            r++;
        }
        if (w == r) return;
        int tail = bands - r;
        System.arraycopy(y1, r, y1, w, tail);
        System.arraycopy(y2, r, y2, w, tail);
        System.arraycopy(xs, r, xs, w, tail);
        System.arraycopy(n, r, n, w, tail);
        int newBands = w + tail;
        Arrays.fill(xs, newBands, bands, null);
        bands = newBands;
    }

    private boolean sameIntervals(int a, int b) {
        if (n[a] != n[b]) return false;
        return Arrays.equals(xs[a], 0, 2 * n[a], xs[b], 0, 2 * n[b]);
    }

    /** The set as immutable rectangles, band by band (cached until the next change). */
    public RectSet toRectSet() {
        if (cached != null) return cached;
        int[] flat = new int[count * 4];
        int k = 0;
        for (int b = 0; b < bands; b++) {
            int[] v = xs[b];
            for (int i = 0; i < n[b]; i++) {
                flat[k++] = v[2 * i];
                flat[k++] = y1[b];
                flat[k++] = v[2 * i + 1] - v[2 * i];
                flat[k++] = y2[b] - y1[b];
            }
        }
        cached = RectSet.fromDisjoint(flat, count);
        return cached;
    }
}
