package dev.ferry.compositor.plan;

import dev.ferry.compositor.core.RectSet;
import dev.ferry.drm.Plane;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;

import java.util.List;

/**
 * The frame planner: from one frame's inputs (the output's visible surfaces, its planes, what
 * KMS refused before, the previous frame's plan) to that frame's {@link FramePlan}. A pure
 * function: no devices, sockets or threads; the backend tests and commits what it returns.
 *
 * <p>The order of decisions, cheapest path first:
 * <ol>
 * <li>Occlusion, geometric: a surface is not shown only where the opaque regions of the
 *     surfaces above it cover all of its visible area.
 * <li>Direct scanout: the topmost shown surface goes on the primary plane when it covers the
 *     output and the plane takes its buffer as it is; nothing is composed then.
 * <li>Overlays, above the composed primary: a dma-buf surface that keeps updating (a rate
 *     threshold with hysteresis, so a static window does not flip between plane and
 *     composition), opaque, not overlapped by a shown surface above it (that one is composed
 *     below the overlay, so z-order would break), in a format, modifier and size a free
 *     overlay takes. Candidates get planes by benefit (area times update rate), best first.
 * <li>Everything else shown is composed onto the primary, with every reason it missed the
 *     paths above.
 * </ol>
 */
public final class FramePlanner {
    /** Commits per second from which a surface is worth an overlay. */
    public static final double ENTER_HZ = 20;
    /** A surface already on an overlay keeps it down to this rate (hysteresis). */
    public static final double LEAVE_HZ = 10;
    /**
     * A surface already on an overlay counts its benefit this many times over against newcomers,
     * so two similar candidates do not swap planes on every wobble of their measured rates.
     */
    public static final double INCUMBENT_BONUS = 2;

    private final double enterHz;
    private final double leaveHz;
    private boolean[] shown = new boolean[0];
    /** Opaque rectangles above the surface being looked at: x0, y0, x1, y1 each. */
    private int[] opaque = new int[64];
    private int opaqueCount;
    /** What is left of an area being tested for cover, and the pieces of the next cut (x0, y0, x1, y1 each). */
    private int[] left = new int[64];
    private int[] pieces = new int[64];
    private int[] candidates = new int[0];

    public FramePlanner() {
        this(ENTER_HZ, LEAVE_HZ);
    }

    public FramePlanner(double enterHz, double leaveHz) {
        this.enterHz = enterHz;
        this.leaveHz = leaveHz;
    }

    /**
     * Plans one frame into {@code out}. surfaces[0..count) are the output's visible surfaces,
     * bottom to top; overlays are the output's overlay planes (any order; empty for none).
     */
    public void plan(PlanSurface[] surfaces, int count, int outWidth, int outHeight, Plane primary, List<Plane> overlays,
                     PlaneRejections rejections, FramePlan previous, FramePlan out) {
        plan(surfaces, count, outWidth, outHeight, primary, overlays, null, rejections, previous, out);
    }

    /**
     * The same, with the output's cursor plane (null for none). The cursor surface, topmost
     * when there is one, goes on it when the plane takes its buffer (no rate threshold: the
     * plane serves nothing else); the rest is then planned as if the cursor were not there,
     * so a fullscreen video under the pointer is still scanned out.
     */
    public void plan(PlanSurface[] surfaces, int all, int outWidth, int outHeight, Plane primary, List<Plane> overlays,
                     Plane cursorPlane, PlaneRejections rejections, FramePlan previous, FramePlan out) {
        out.reset(all);
        if (shown.length < all) {
            shown = new boolean[Math.max(all, shown.length * 2)];
            candidates = new int[shown.length];
        }
        for (int i = 0; i < all; i++) out.key(i, surfaces[i].key);
        int count = all;
        if (all > 0 && surfaces[all - 1].cursor) {
            FallbackReason why = cursorMiss(surfaces[all - 1], cursorPlane, rejections);
            if (why == null) {
                out.cursor(all - 1, cursorPlane);
                count = all - 1;
            } else {
                out.reasons(all - 1).add(why);
            }
        }
        int top = occlusion(surfaces, count, outWidth, outHeight, out);
        if (top < 0) return;
        FallbackReason miss = primaryMiss(surfaces[top], outWidth, outHeight, primary, rejections);
        if (miss == null) {
            out.scanout(top);
            return;
        }
        out.reasons(top).add(miss);
        for (int i = 0; i < count; i++) {
            if (shown[i] && i != top) out.reasons(i).add(structuralPrimaryMiss(surfaces[i], outWidth, outHeight));
        }
        if (overlays.isEmpty()) return;
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (!shown[i]) continue;
            FallbackReason why = overlayMiss(surfaces, count, i, outWidth, outHeight, previous);
            if (why != null) out.reasons(i).add(why);
            else candidates[n++] = i;
        }
        sortByBenefit(surfaces, n, previous);
        for (int c = 0; c < n; c++) {
            int i = candidates[c];
            PlanSurface s = surfaces[i];
            FallbackReason planeMiss = null;
            Plane missedOn = null;
            boolean takenByOthers = false;
            Plane chosen = null;
            for (int q = 0; q < overlays.size(); q++) {
                Plane p = overlays.get(q);
                FallbackReason why = planeMiss(s, p, rejections);
                if (why == null && !taken(out, p)) {
                    chosen = p;
                    break;
                }
                if (why == null) takenByOthers = true;
                else if (planeMiss == null) {
                    planeMiss = why;
                    missedOn = p;
                }
            }
            if (chosen != null) {
                out.addOverlay(i, chosen, benefit(s, previous));
            } else if (takenByOthers || planeMiss == null) {
                // A plane would take it, but a surface with more benefit has it.
                out.reasons(i).add(FallbackReason.NO_FREE_PLANE);
            } else {
                // The first plane's refusal; if a buffer allocated for that plane would pass, say which plane.
                out.reasons(i).add(planeMiss);
                if (planeMiss.fixableByReallocation() && !taken(out, missedOn)) out.reallocationPlane(i, missedOn);
            }
        }
    }

    /**
     * Marks surfaces nothing shows; returns the topmost shown surface, or -1 when none is.
     * The opaque rectangles above are kept as plain edges in a reused array: a surface that none
     * of them touches, or that one of them contains (the usual cases), costs no allocation; only
     * one partly covered by several needs region arithmetic.
     */
    private int occlusion(PlanSurface[] surfaces, int count, int outWidth, int outHeight, FramePlan out) {
        opaqueCount = 0;
        int top = -1;
        for (int i = count - 1; i >= 0; i--) {
            PlanSurface s = surfaces[i];
            int x0 = Math.max(0, s.x), y0 = Math.max(0, s.y);
            int x1 = Math.min(outWidth, s.x + s.width), y1 = Math.min(outHeight, s.y + s.height);
            shown[i] = x1 > x0 && y1 > y0 && !covered(x0, y0, x1, y1);
            if (!shown[i]) {
                out.path(i, PathKind.NOT_SHOWN);
                out.reasons(i).add(FallbackReason.OCCLUDED);
                continue;
            }
            if (top < 0) top = i;
            if (i == 0) break;  // nothing below to hide
            if (s.opaqueEverywhere()) {
                addOpaque(x0, y0, x1, y1);
            } else {
                RectSet o = s.opaque;
                for (int r = 0; r < o.count(); r++) {
                    addOpaque(Math.max(x0, s.x + o.x(r)), Math.max(y0, s.y + o.y(r)),
                            Math.min(x1, s.x + o.x(r) + o.w(r)), Math.min(y1, s.y + o.y(r) + o.h(r)));
                }
            }
        }
        return top;
    }

    private void addOpaque(int x0, int y0, int x1, int y1) {
        if (x1 <= x0 || y1 <= y0) return;
        if (4 * opaqueCount + 4 > opaque.length) opaque = java.util.Arrays.copyOf(opaque, opaque.length * 2);
        int o = 4 * opaqueCount++;
        opaque[o] = x0;
        opaque[o + 1] = y0;
        opaque[o + 2] = x1;
        opaque[o + 3] = y1;
    }

    /**
     * Whether the opaque rectangles above cover all of [x0, x1) x [y0, y1). What is left of the
     * area is kept as rectangles in two reused arrays, each opaque rectangle cutting every piece
     * into at most four: overlapping cascades plan without allocating.
     */
    private boolean covered(int x0, int y0, int x1, int y1) {
        int touching = 0;
        for (int r = 0; r < opaqueCount; r++) {
            int o = 4 * r;
            if (opaque[o] >= x1 || opaque[o + 2] <= x0 || opaque[o + 1] >= y1 || opaque[o + 3] <= y0) continue;
            if (opaque[o] <= x0 && opaque[o + 1] <= y0 && opaque[o + 2] >= x1 && opaque[o + 3] >= y1) return true;
            touching++;
        }
        if (touching < 2) return false;  // none, or one that does not contain it all
        // A corner no rectangle holds is a pixel left showing: the usual answer in a cascade, found without cutting.
        if (!held(x0, y0) || !held(x1 - 1, y0) || !held(x0, y1 - 1) || !held(x1 - 1, y1 - 1)) return false;
        int n = 1;
        left[0] = x0;
        left[1] = y0;
        left[2] = x1;
        left[3] = y1;
        for (int r = 0; r < opaqueCount && n > 0; r++) {
            int o = 4 * r;
            int ox0 = opaque[o], oy0 = opaque[o + 1], ox1 = opaque[o + 2], oy1 = opaque[o + 3];
            int m = 0;
            for (int k = 0; k < n; k++) {
                int a = 4 * k;
                int lx0 = left[a], ly0 = left[a + 1], lx1 = left[a + 2], ly1 = left[a + 3];
                if (ox0 >= lx1 || ox1 <= lx0 || oy0 >= ly1 || oy1 <= ly0) {
                    m = piece(m, lx0, ly0, lx1, ly1);
                    continue;
                }
                // Above, below, then left and right of the cut within its rows.
                int cy0 = Math.max(ly0, oy0), cy1 = Math.min(ly1, oy1);
                if (ly0 < cy0) m = piece(m, lx0, ly0, lx1, cy0);
                if (cy1 < ly1) m = piece(m, lx0, cy1, lx1, ly1);
                if (lx0 < ox0) m = piece(m, lx0, cy0, ox0, cy1);
                if (ox1 < lx1) m = piece(m, ox1, cy0, lx1, cy1);
            }
            int[] t = left;
            left = pieces;
            pieces = t;
            n = m;
        }
        return n == 0;
    }

    /** Whether an opaque rectangle above holds pixel (x, y). */
    private boolean held(int x, int y) {
        for (int r = 0; r < opaqueCount; r++) {
            int o = 4 * r;
            if (opaque[o] <= x && x < opaque[o + 2] && opaque[o + 1] <= y && y < opaque[o + 3]) return true;
        }
        return false;
    }

    /** Appends a rectangle to {@link #pieces} at index m; returns m + 1. */
    private int piece(int m, int x0, int y0, int x1, int y1) {
        if (4 * m + 4 > pieces.length) {
            pieces = java.util.Arrays.copyOf(pieces, pieces.length * 2);
            if (left.length < pieces.length) left = java.util.Arrays.copyOf(left, pieces.length);
        }
        int a = 4 * m;
        pieces[a] = x0;
        pieces[a + 1] = y0;
        pieces[a + 2] = x1;
        pieces[a + 3] = y1;
        return m + 1;
    }

    /** Why the topmost shown surface cannot go on the primary plane, or null if it may be tried. */
    static FallbackReason primaryMiss(PlanSurface s, int outWidth, int outHeight, Plane primary, PlaneRejections rejections) {
        if (s.buffer == null) return FallbackReason.NOT_FULLSCREEN;
        if (s.x != 0 || s.y != 0 || s.width != outWidth || s.height != outHeight) return FallbackReason.NOT_FULLSCREEN;
        // A subsurface covering the output opaquely hides its whole tree, so it may go alone:
        // GStreamer's waylandsink shows its video in one above a black parent.
        if (s.treeSize > 1 || (!s.root && !s.opaqueEverywhere())) return FallbackReason.CURSOR_OR_SUBSURFACE;
        if (!s.dmabuf) return s.noDmabuf;
        if (s.transform != 0) return FallbackReason.TRANSFORMED;
        if (s.scaled || s.bufferWidth != outWidth || s.bufferHeight != outHeight) return FallbackReason.SCALED;
        if (!s.opaqueEverywhere()) return FallbackReason.TRANSLUCENT;
        if (s.bufferWidth > primary.maxWidth() || s.bufferHeight > primary.maxHeight()) return FallbackReason.TOO_BIG;
        FallbackReason layout = layoutMiss(s, primary);
        if (layout != null) return layout;
        return rejections.rejected(s.buffer, primary);
    }

    /** Why a shown surface under the topmost one is not on the primary plane. */
    private static FallbackReason structuralPrimaryMiss(PlanSurface s, int outWidth, int outHeight) {
        if (!s.root) return FallbackReason.CURSOR_OR_SUBSURFACE;
        if (!s.covers(outWidth, outHeight)) return FallbackReason.NOT_FULLSCREEN;
        if (s.buffer != null && !s.dmabuf) return s.noDmabuf;
        // It covers the output, but a shown surface above it needs composing.
        return FallbackReason.OCCLUDED;
    }

    /** Why surface i may not go on any overlay, whatever the plane, or null for a candidate. */
    private FallbackReason overlayMiss(PlanSurface[] surfaces, int count, int i, int outWidth, int outHeight, FramePlan previous) {
        PlanSurface s = surfaces[i];
        // An opaque subsurface (a video player's video) may go above its composed parent.
        if (s.treeSize > 1 || (!s.root && !s.opaqueEverywhere())) return FallbackReason.CURSOR_OR_SUBSURFACE;
        if (s.buffer == null) return FallbackReason.SHM_BUFFER;
        if (!s.dmabuf) return s.noDmabuf;
        if (s.transform != 0) return FallbackReason.TRANSFORMED;
        if (!s.opaqueEverywhere()) return FallbackReason.TRANSLUCENT;
        if (s.x < 0 || s.y < 0 || s.x + s.width > outWidth || s.y + s.height > outHeight) return FallbackReason.NOT_FULLSCREEN;
        for (int j = i + 1; j < count; j++) {
            // A shown surface above it is composed onto the primary, below any overlay.
            if (shown[j] && surfaces[j].overlaps(s)) return FallbackReason.OCCLUDED;
        }
        boolean wasOn = previous != null && previous.onOverlay(s.key);
        if (s.updateHz < (wasOn ? leaveHz : enterHz)) return FallbackReason.NOT_UPDATING;
        return null;
    }

    /** Why the cursor surface cannot go on the cursor plane, or null when it may be tried. */
    static FallbackReason cursorMiss(PlanSurface s, Plane plane, PlaneRejections rejections) {
        if (plane == null) return FallbackReason.NO_FREE_PLANE;
        if (s.treeSize > 1) return FallbackReason.CURSOR_OR_SUBSURFACE;
        if (s.buffer == null) return FallbackReason.SHM_BUFFER;
        if (!s.dmabuf) return s.noDmabuf;
        if (s.transform != 0) return FallbackReason.TRANSFORMED;
        return planeMiss(s, plane, rejections);
    }

    /** Why this overlay plane cannot show the surface's buffer, or null when it may be tried. */
    static FallbackReason planeMiss(PlanSurface s, Plane p, PlaneRejections rejections) {
        boolean sized = s.srcWidth == s.width && s.srcHeight == s.height && !s.scaled;
        if (!sized && !p.scaling()) return FallbackReason.SCALED;
        if (s.bufferWidth > p.maxWidth() || s.bufferHeight > p.maxHeight()
                || s.width > p.maxWidth() || s.height > p.maxHeight()) return FallbackReason.TOO_BIG;
        FallbackReason layout = layoutMiss(s, p);
        if (layout != null) return layout;
        FallbackReason before = rejections.rejected(s.buffer, p);
        return before == null ? null : before.remembered();
    }

    /**
     * Why a plane cannot scan out the buffer's format and layout, or null: one rule for every
     * plane. An implicit modifier is refused outright, even where the plane's table lists
     * INVALID: the layout is whatever the allocating driver chose, which KMS can only guess
     * (right for the same driver, LINEAR for any other), and a wrong guess is a garbled picture
     * that no test commit catches. The client can allocate with an explicit modifier instead.
     */
    static FallbackReason layoutMiss(PlanSurface s, Plane p) {
        if (!p.formats().supportsFormat(s.fourcc)) return FallbackReason.FORMAT_NOT_ON_PLANE;
        if (s.modifier == Modifiers.INVALID) return FallbackReason.IMPLICIT_MODIFIER;
        if (!p.formats().supports(s.fourcc, s.modifier)) return FallbackReason.MODIFIER_NOT_ON_PLANE;
        return null;
    }

    private static boolean taken(FramePlan out, Plane p) {
        for (int k = 0; k < out.overlayCount(); k++) if (out.overlayPlane(k).id() == p.id()) return true;
        return false;
    }

    /** Pixels per second a plane saves composing: area times update rate, an incumbent's counted with its bonus. */
    static double benefit(PlanSurface s, FramePlan previous) {
        double b = (double) s.width * s.height * s.updateHz;
        return previous != null && previous.onOverlay(s.key) ? b * INCUMBENT_BONUS : b;
    }

    /** Insertion sort of candidates[0..n) by benefit, best first (n is a handful). */
    private void sortByBenefit(PlanSurface[] surfaces, int n, FramePlan previous) {
        for (int a = 1; a < n; a++) {
            int c = candidates[a];
            double b = benefit(surfaces[c], previous);
            int j = a - 1;
            while (j >= 0 && benefit(surfaces[candidates[j]], previous) < b) {
                candidates[j + 1] = candidates[j];
                j--;
            }
            candidates[j + 1] = c;
        }
    }

}
