package dev.ferry.compositor.plan;

import dev.ferry.drm.Plane;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;

import java.util.Arrays;
import java.util.EnumSet;

/**
 * What one frame of one output does, as {@link FramePlanner} decided: which surface's buffer
 * goes on which plane (the primary for direct scanout, overlays above a composed primary), which
 * surfaces are composed into the primary, and for every surface its path and every reason a
 * cheaper path was missed. Composed surfaces carry {@link PathKind#GPU_COMPOSITION} here; the
 * backend says which device did the work (or that the CPU did, {@link PathKind#CPU_COPY}).
 *
 * <p>Reused frame after frame: arrays grow to the largest frame seen and are never shrunk, so a
 * steady scene plans without allocating.
 */
public final class FramePlan {
    /** No surface: no direct scanout this frame. */
    public static final int NONE = -1;

    private int count;
    private Object[] keys = new Object[0];
    private PathKind[] paths = new PathKind[0];
    @SuppressWarnings("unchecked")
    private EnumSet<FallbackReason>[] reasons = new EnumSet[0];
    /** Per surface: the overlay plane a buffer allocated for it would go on (see {@link #reallocationPlane}), or null. */
    private Plane[] reallocationPlane = new Plane[0];
    private int scanout = NONE;
    private int cursor = NONE;
    private Plane cursorPlane;
    private int overlays;
    private int[] overlaySurface = new int[2];
    private Plane[] overlayPlane = new Plane[2];
    private double[] overlayBenefit = new double[2];

    void reset(int surfaces) {
        if (keys.length < surfaces) {
            int n = Math.max(surfaces, keys.length * 2);
            keys = Arrays.copyOf(keys, n);
            paths = Arrays.copyOf(paths, n);
            reasons = Arrays.copyOf(reasons, n);
            reallocationPlane = Arrays.copyOf(reallocationPlane, n);
        }
        for (int i = 0; i < surfaces; i++) {
            if (reasons[i] == null) reasons[i] = EnumSet.noneOf(FallbackReason.class);
            reasons[i].clear();
            paths[i] = PathKind.GPU_COMPOSITION;
            keys[i] = null;
            reallocationPlane[i] = null;
        }
        for (int i = surfaces; i < count; i++) keys[i] = null;  // let go of surfaces no longer planned
        count = surfaces;
        scanout = NONE;
        cursor = NONE;
        cursorPlane = null;
        overlays = 0;
    }

    void key(int i, Object key) { keys[i] = key; }

    void path(int i, PathKind p) { paths[i] = p; }

    void reallocationPlane(int i, Plane p) { reallocationPlane[i] = p; }

    void scanout(int i) {
        scanout = i;
        paths[i] = PathKind.DIRECT_SCANOUT;
    }

    void cursor(int i, Plane plane) {
        cursor = i;
        cursorPlane = plane;
        paths[i] = PathKind.OVERLAY_PLANE;
    }

    void addOverlay(int surface, Plane plane, double benefit) {
        if (overlays == overlaySurface.length) {
            overlaySurface = Arrays.copyOf(overlaySurface, overlays * 2);
            overlayPlane = Arrays.copyOf(overlayPlane, overlays * 2);
            overlayBenefit = Arrays.copyOf(overlayBenefit, overlays * 2);
        }
        overlaySurface[overlays] = surface;
        overlayPlane[overlays] = plane;
        overlayBenefit[overlays] = benefit;
        overlays++;
        paths[surface] = PathKind.OVERLAY_PLANE;
    }

    /** Surfaces planned, bottom to top, in the order they were given. */
    public int surfaces() { return count; }
    public Object key(int i) { return keys[i]; }
    public PathKind path(int i) { return paths[i]; }
    /** Every reason surface i missed a cheaper path than {@link #path(int)}; owned by the plan. */
    public EnumSet<FallbackReason> reasons(int i) { return reasons[i]; }

    /**
     * The overlay plane that would show composed surface i were its buffer allocated for that
     * plane: every check on the surface passed (windowed, opaque, not overlapped from above,
     * updating, a free plane that fits its size and scaling), and what failed could be fixed
     * by reallocating (format, modifier, a refused test commit). The target of a scanout tranche
     * for the plane's formats in the surface's dma-buf feedback; null for a structural miss.
     */
    public Plane reallocationPlane(int i) { return reallocationPlane[i]; }

    /** The surface whose buffer the primary plane scans out, or {@link #NONE} when the primary is composed. */
    public int scanoutSurface() { return scanout; }

    /** The cursor surface on the cursor plane, or {@link #NONE} (none, or composed). */
    public int cursorSurface() { return cursor; }
    public Plane cursorPlane() { return cursorPlane; }

    /** Takes the cursor off its plane (KMS refused it): it is composed, with the reason. */
    public void dropCursor(FallbackReason why) {
        if (cursor == NONE) return;
        paths[cursor] = PathKind.GPU_COMPOSITION;
        reasons[cursor].add(why);
        cursor = NONE;
        cursorPlane = null;
    }

    /** Whether the surface with this key was on the cursor plane in this plan. */
    public boolean onCursorPlane(Object key) {
        return cursor != NONE && keys[cursor] == key;
    }

    public int overlayCount() { return overlays; }
    public int overlaySurface(int k) { return overlaySurface[k]; }
    public Plane overlayPlane(int k) { return overlayPlane[k]; }
    /** Area times update rate: what leaving it to its plane saves per second. */
    public double overlayBenefit(int k) { return overlayBenefit[k]; }

    /** The overlay assignment with the least benefit (to drop first when the test commit refuses), or -1. */
    public int leastBenefit() {
        int least = -1;
        for (int k = 0; k < overlays; k++) if (least < 0 || overlayBenefit[k] < overlayBenefit[least]) least = k;
        return least;
    }

    /**
     * Takes overlay assignment k back: its surface is composed instead, with the reason. The
     * assignments after k move down one.
     */
    public void dropOverlay(int k, FallbackReason why) {
        int s = overlaySurface[k];
        paths[s] = PathKind.GPU_COMPOSITION;
        reasons[s].add(why);
        // KMS refused this buffer there (a test commit, an import): another allocation may pass.
        reallocationPlane[s] = why.fixableByReallocation() ? overlayPlane[k] : null;
        for (int j = k + 1; j < overlays; j++) {
            overlaySurface[j - 1] = overlaySurface[j];
            overlayPlane[j - 1] = overlayPlane[j];
            overlayBenefit[j - 1] = overlayBenefit[j];
        }
        overlays--;
    }

    /** Whether the primary plane is composed this frame (some surface is composed onto it, or nothing is scanned out). */
    public boolean composesPrimary() {
        return scanout == NONE;
    }

    /** Whether any surface is drawn by composition this frame. */
    public boolean composesAny() {
        for (int i = 0; i < count; i++) if (paths[i] == PathKind.GPU_COMPOSITION) return true;
        return false;
    }

    /** Whether the surface with this key was on an overlay plane in this plan. */
    public boolean onOverlay(Object key) {
        for (int k = 0; k < overlays; k++) if (keys[overlaySurface[k]] == key) return true;
        return false;
    }

    /** The index of the surface with this key, or -1. */
    public int indexOf(Object key) {
        for (int i = 0; i < count; i++) if (keys[i] == key) return i;
        return -1;
    }

    /** Copies another plan into this one (the driver keeps the previous frame's plan this way). */
    public void copyFrom(FramePlan o) {
        reset(o.count);
        for (int i = 0; i < o.count; i++) {
            keys[i] = o.keys[i];
            paths[i] = o.paths[i];
            reasons[i].addAll(o.reasons[i]);
            reallocationPlane[i] = o.reallocationPlane[i];
        }
        scanout = o.scanout;
        cursor = o.cursor;
        cursorPlane = o.cursorPlane;
        for (int k = 0; k < o.overlays; k++) {
            addOverlay(o.overlaySurface[k], o.overlayPlane[k], o.overlayBenefit[k]);
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("plan[");
        for (int i = 0; i < count; i++) {
            if (i > 0) b.append(", ");
            b.append(keys[i]).append(": ").append(paths[i].label());
            if (!reasons[i].isEmpty()) b.append(' ').append(reasons[i]);
        }
        if (cursor != NONE) b.append("; cursor ").append(cursorPlane.id()).append(" <- ").append(keys[cursor]);
        for (int k = 0; k < overlays; k++) b.append("; overlay ").append(overlayPlane[k].id()).append(" <- ").append(keys[overlaySurface[k]]);
        return b.append(']').toString();
    }
}
