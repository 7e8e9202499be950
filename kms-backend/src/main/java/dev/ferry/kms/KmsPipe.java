package dev.ferry.kms;

import dev.ferry.drm.AtomicFlags;
import dev.ferry.drm.AtomicRequest;
import dev.ferry.drm.CommitRejection;
import dev.ferry.drm.Connector;
import dev.ferry.drm.Crtc;
import dev.ferry.drm.DrmDevice;
import dev.ferry.drm.Plane;
import dev.ferry.drm.PlaneType;
import dev.ferry.drm.topology.ModeSpec;

import java.util.List;

/**
 * One display pipe: a connected connector, the CRTC driving it, its primary plane, the overlay
 * planes it owns, and the mode. It tests and commits what the planes show, all in one atomic
 * request; the first commit sets the mode. Overlays are staged ({@link #stageOverlay}) and go
 * with the next test or flip; an overlay the last flip turned on and that is no longer staged
 * is turned off by the next one. The request object is reused: a commit allocates nothing.
 */
public final class KmsPipe {
    private final DrmDevice device;
    private final Connector connector;
    private final Crtc crtc;
    private final Plane primary;
    private final ModeSpec mode;
    private final List<Plane> overlays;
    /** The CRTC's cursor plane, or null; staged like an overlay, with its own rectangles. */
    private final Plane cursor;
    private int cursorFb;
    private final int[] cursorRect = new int[4];
    private boolean cursorCommittedOn;
    /** Per overlay: the staged framebuffer (0: off) and rectangles src x, y, w, h, dst x, y, w, h. */
    private final int[] stagedFb;
    private final int[] stagedRects;
    /** Per overlay: whether the last successful flip left it on. */
    private final boolean[] committedOn;
    private final AtomicRequest request = new AtomicRequest();
    private boolean modeSet;
    private CommitRejection lastRejection;

    private KmsPipe(DrmDevice device, Connector connector, Crtc crtc, Plane primary, List<Plane> overlays, Plane cursor, ModeSpec mode) {
        this.device = device;
        this.cursor = cursor;
        this.connector = connector;
        this.crtc = crtc;
        this.primary = primary;
        this.overlays = List.copyOf(overlays);
        this.mode = mode;
        this.stagedFb = new int[overlays.size()];
        this.stagedRects = new int[overlays.size() * 8];
        this.committedOn = new boolean[overlays.size()];
        // Whoever drove this CRTC before (an output whose monitor was unplugged) may have left
        // overlays on: the first request turns every one of this pipe's off unless it is staged.
        java.util.Arrays.fill(committedOn, true);
    }

    /**
     * Pipes for every connected connector, each on its own CRTC and primary plane, with the
     * overlay planes that CRTC can use and no earlier pipe claimed (a plane serves one pipe).
     */
    public static List<KmsPipe> forDevice(DrmDevice device) {
        return forDevice(device, java.util.Set.of(), new java.util.HashSet<>(), new java.util.HashSet<>());
    }

    /**
     * As {@link #forDevice(DrmDevice)}, beside pipes already running: connectors in
     * skipConnectors are left out, and the CRTCs and planes (by id) in usedCrtcs and claimed are
     * not handed out again (both sets gain what the new pipes take). What a re-plugged monitor
     * or device gets.
     */
    public static List<KmsPipe> forDevice(DrmDevice device, java.util.Set<Integer> skipConnectors,
                                          java.util.Set<Integer> usedCrtcs, java.util.Set<Integer> claimed) {
        java.util.ArrayList<KmsPipe> pipes = new java.util.ArrayList<>();
        for (Connector c : device.connectors()) {
            if (!c.connected() || c.modes().isEmpty() || skipConnectors.contains(c.id())) continue;
            for (Crtc crtc : device.crtcs()) {
                if (usedCrtcs.contains(crtc.id()) || (c.possibleCrtcs() & (1 << crtc.index())) == 0) continue;
                Plane primary = null;
                for (Plane p : device.planes()) {
                    if (p.type() == PlaneType.PRIMARY && (p.possibleCrtcs() & (1 << crtc.index())) != 0 && !claimed.contains(p.id())) {
                        primary = p;
                        break;
                    }
                }
                if (primary == null) continue;
                usedCrtcs.add(crtc.id());
                claimed.add(primary.id());
                java.util.ArrayList<Plane> overlays = new java.util.ArrayList<>();
                for (Plane p : device.planes()) {
                    if (p.type() == PlaneType.OVERLAY && (p.possibleCrtcs() & (1 << crtc.index())) != 0 && claimed.add(p.id())) overlays.add(p);
                }
                overlays.sort(java.util.Comparator.comparingInt(Plane::zpos));
                Plane cursor = null;
                for (Plane p : device.planes()) {
                    if (p.type() == PlaneType.CURSOR && (p.possibleCrtcs() & (1 << crtc.index())) != 0 && claimed.add(p.id())) {
                        cursor = p;
                        break;
                    }
                }
                pipes.add(new KmsPipe(device, c, crtc, primary, overlays, cursor, c.preferredMode()));
                break;
            }
        }
        return pipes;
    }

    public DrmDevice device() { return device; }
    public Connector connector() { return connector; }
    public Crtc crtc() { return crtc; }
    public Plane primary() { return primary; }
    public ModeSpec mode() { return mode; }
    public CommitRejection lastRejection() { return lastRejection; }
    /** This pipe's overlay planes, lowest first. */
    public List<Plane> overlays() { return overlays; }

    /** Stages overlay k (an index in {@link #overlays}) to show fbId, src in buffer pixels, dst on the CRTC. */
    public void stageOverlay(int k, int fbId, int sx, int sy, int sw, int sh, int dx, int dy, int dw, int dh) {
        stagedFb[k] = fbId;
        int o = 8 * k;
        stagedRects[o] = sx;
        stagedRects[o + 1] = sy;
        stagedRects[o + 2] = sw;
        stagedRects[o + 3] = sh;
        stagedRects[o + 4] = dx;
        stagedRects[o + 5] = dy;
        stagedRects[o + 6] = dw;
        stagedRects[o + 7] = dh;
    }

    /** The cursor plane of this pipe's CRTC, or null when it has none. */
    public Plane cursor() { return cursor; }

    /** Stages the cursor plane to show fbId (the whole w x h buffer, unscaled) at (x, y) on the CRTC, which may reach past its edges. */
    public void stageCursor(int fbId, int w, int h, int x, int y) {
        cursorFb = fbId;
        cursorRect[0] = w;
        cursorRect[1] = h;
        cursorRect[2] = x;
        cursorRect[3] = y;
    }

    /** Stages the cursor plane off. */
    public void clearCursor() {
        cursorFb = 0;
    }

    /** Stages every overlay off. */
    public void clearOverlays() {
        java.util.Arrays.fill(stagedFb, 0);
    }

    /** The index of this overlay plane in {@link #overlays}, or -1. */
    public int overlayIndex(Plane p) {
        for (int k = 0; k < overlays.size(); k++) if (overlays.get(k).id() == p.id()) return k;
        return -1;
    }

    private AtomicRequest build(int fbId, int srcWidth, int srcHeight) {
        request.clear();
        if (!modeSet) {
            request.setCrtc(crtc.id(), true, mode);
            request.setConnector(connector.id(), crtc.id());
        }
        request.setPlane(primary.id(), crtc.id(), fbId, srcWidth, srcHeight, 0, 0);
        for (int k = 0; k < stagedFb.length; k++) {
            int o = 8 * k;
            if (stagedFb[k] != 0) {
                request.setPlane(overlays.get(k).id(), crtc.id(), stagedFb[k], stagedRects[o], stagedRects[o + 1], stagedRects[o + 2],
                        stagedRects[o + 3], stagedRects[o + 4], stagedRects[o + 5], stagedRects[o + 6], stagedRects[o + 7]);
            } else if (committedOn[k]) {
                request.disablePlane(overlays.get(k).id());
            }
        }
        if (cursorFb != 0) {
            request.setPlane(cursor.id(), crtc.id(), cursorFb, 0, 0, cursorRect[0], cursorRect[1],
                    cursorRect[2], cursorRect[3], cursorRect[0], cursorRect[1]);
        } else if (cursorCommittedOn) {
            request.disablePlane(cursor.id());
        }
        return request;
    }

    /** Whether the primary plane would take this framebuffer full screen (TEST_ONLY). */
    public boolean test(int fbId, int srcWidth, int srcHeight) {
        AtomicRequest r = build(fbId, srcWidth, srcHeight);
        boolean ok = device.commit(r, AtomicFlags.TEST_ONLY | (modeSet ? 0 : AtomicFlags.ALLOW_MODESET), 0);
        record(ok, r);
        return ok;
    }

    /** Queues a flip to this framebuffer; a page-flip event with userData follows at the vblank it takes effect. */
    public boolean flip(int fbId, int srcWidth, int srcHeight, long userData) {
        AtomicRequest r = build(fbId, srcWidth, srcHeight);
        int flags = AtomicFlags.NONBLOCK | AtomicFlags.PAGE_FLIP_EVENT | (modeSet ? 0 : AtomicFlags.ALLOW_MODESET);
        boolean ok = device.commit(r, flags, userData);
        record(ok, r);
        if (ok) {
            modeSet = true;
            for (int k = 0; k < stagedFb.length; k++) committedOn[k] = stagedFb[k] != 0;
            cursorCommittedOn = cursorFb != 0;
        }
        return ok;
    }

    /**
     * Turns the CRTC off and every plane of this pipe with it, routing the connector to nothing
     * (a blocking modeset): what a compositor does when the monitor behind it is unplugged.
     * False if the device refused (a flip still in flight: the next pipe on this CRTC sets its
     * mode and turns the planes off anyway).
     */
    public boolean disable() {
        request.clear();
        request.setCrtc(crtc.id(), false, null);
        request.setConnector(connector.id(), 0);
        request.disablePlane(primary.id());
        for (Plane p : overlays) request.disablePlane(p.id());
        boolean ok = device.commit(request, AtomicFlags.ALLOW_MODESET, 0);
        record(ok, request);
        if (ok) {
            modeSet = false;
            java.util.Arrays.fill(committedOn, false);
        }
        return ok;
    }

    private void record(boolean ok, AtomicRequest r) {
        lastRejection = ok ? null : r.rejection();
    }

    @Override
    public String toString() {
        return device.info().name() + " " + connector.name() + " " + mode.width() + "x" + mode.height();
    }
}
