package dev.ferry.drm;

import dev.ferry.drm.topology.ModeSpec;

/**
 * The atomic check: an {@link AtomicRequest} written into the proposed state (marking the CRTCs
 * it touches), then validated against the pending state by the kernel's rules (modeset needed,
 * possible CRTCs, planes in use, incomplete planes, inactive CRTCs, connectors, then each shown
 * plane's format, modifier, memory, source rectangle, scaling and size); the first broken rule
 * rejects the request with the object it concerns. Knows the device's KMS objects and their
 * ids; the device's lock covers every call.
 */
final class AtomicCheck {
    static final int CRTC_ID_BASE = 40;
    static final int CONNECTOR_ID_BASE = 60;
    static final int PLANE_ID_BASE = 80;

    private final Crtc[] crtcs;
    private final Connector[] connectors;
    private final Plane[] planes;
    private final CrtcTimeline[] timelines;
    private final KmsState pending;
    private final KmsState proposed;
    private final FramebufferTable framebuffers;
    private final ImportRules rules;
    private final boolean needsContiguous;

    AtomicCheck(Crtc[] crtcs, Connector[] connectors, Plane[] planes, CrtcTimeline[] timelines, KmsState pending,
                KmsState proposed, FramebufferTable framebuffers, ImportRules rules, boolean needsContiguous) {
        this.crtcs = crtcs;
        this.connectors = connectors;
        this.planes = planes;
        this.timelines = timelines;
        this.pending = pending;
        this.proposed = proposed;
        this.framebuffers = framebuffers;
        this.rules = rules;
        this.needsContiguous = needsContiguous;
    }

    static boolean reject(AtomicRequest req, CommitRejection r, int object) {
        req.reject(r, object);
        return false;
    }

    int crtcIndex(int id) {
        int i = id - CRTC_ID_BASE;
        return i >= 0 && i < crtcs.length ? i : -2;
    }

    private int planeIndex(int id) {
        int i = id - PLANE_ID_BASE;
        return i >= 0 && i < planes.length ? i : -1;
    }

    private int connectorIndex(int id) {
        int i = id - CONNECTOR_ID_BASE;
        return i >= 0 && i < connectors.length ? i : -1;
    }

    private void touch(int crtc) {
        if (crtc >= 0) timelines[crtc].touched = true;
    }

    /** Writes the request into {@code proposed}, marking touched CRTCs; false if an id is unknown. */
    boolean apply(AtomicRequest r) {
        for (int i = 0; i < r.planes; i++) {
            int p = planeIndex(r.planeId[i]);
            if (p < 0) return reject(r, CommitRejection.NO_SUCH_OBJECT, r.planeId[i]);
            int c = r.crtcId[i] == 0 ? -1 : crtcIndex(r.crtcId[i]);
            if (c == -2) return reject(r, CommitRejection.NO_SUCH_OBJECT, r.crtcId[i]);
            if (r.fbId[i] != 0 && framebuffers.get(r.fbId[i]) == null) return reject(r, CommitRejection.NO_SUCH_OBJECT, r.fbId[i]);
            touch(proposed.planeCrtc[p]);
            touch(c);
            proposed.planeCrtc[p] = c;
            proposed.planeFb[p] = r.fbId[i];
            proposed.srcX[p] = r.srcX[i];
            proposed.srcY[p] = r.srcY[i];
            proposed.srcW[p] = r.srcW[i];
            proposed.srcH[p] = r.srcH[i];
            proposed.dstX[p] = r.dstX[i];
            proposed.dstY[p] = r.dstY[i];
            proposed.dstW[p] = r.dstW[i];
            proposed.dstH[p] = r.dstH[i];
        }
        for (int i = 0; i < r.crtcs; i++) {
            int c = crtcIndex(r.crtcEntryId[i]);
            if (c < 0) return reject(r, CommitRejection.NO_SUCH_OBJECT, r.crtcEntryId[i]);
            touch(c);
            proposed.crtcActive[c] = r.crtcActive[i];
            proposed.crtcMode[c] = r.crtcMode[i];
        }
        for (int i = 0; i < r.connectors; i++) {
            int k = connectorIndex(r.connectorId[i]);
            if (k < 0) return reject(r, CommitRejection.NO_SUCH_OBJECT, r.connectorId[i]);
            int c = r.connectorCrtc[i] == 0 ? -1 : crtcIndex(r.connectorCrtc[i]);
            if (c == -2) return reject(r, CommitRejection.NO_SUCH_OBJECT, r.connectorCrtc[i]);
            touch(proposed.connectorCrtc[k]);
            touch(c);
            proposed.connectorCrtc[k] = c;
        }
        return true;
    }

    boolean validate(AtomicRequest r, int flags) {
        boolean allowModeset = (flags & AtomicFlags.ALLOW_MODESET) != 0;
        for (int c = 0; c < crtcs.length; c++) {
            if (timelines[c].touched && !allowModeset && (proposed.crtcActive[c] != pending.crtcActive[c]
                    || !java.util.Objects.equals(proposed.crtcMode[c], pending.crtcMode[c]))) {
                return reject(r, CommitRejection.MODESET_REQUIRED, crtcs[c].id());
            }
        }
        for (int k = 0; k < connectors.length; k++) {
            if (!allowModeset && proposed.connectorCrtc[k] != pending.connectorCrtc[k]) {
                return reject(r, CommitRejection.MODESET_REQUIRED, connectors[k].id());
            }
        }
        for (int k = 0; k < connectors.length; k++) {
            int c = proposed.connectorCrtc[k];
            if (c >= 0 && (connectors[k].possibleCrtcs() & (1 << c)) == 0) {
                return reject(r, CommitRejection.CRTC_NOT_POSSIBLE, connectors[k].id());
            }
        }
        for (int p = 0; p < planes.length; p++) {
            int c = proposed.planeCrtc[p];
            if (c >= 0 && (planes[p].possibleCrtcs() & (1 << c)) == 0) {
                return reject(r, CommitRejection.CRTC_NOT_POSSIBLE, planes[p].id());
            }
        }
        for (int i = 0; i < r.planes; i++) {
            int p = planeIndex(r.planeId[i]);
            int was = pending.planeCrtc[p], now = proposed.planeCrtc[p];
            if (was >= 0 && now >= 0 && was != now && pending.planeFb[p] != 0 && pending.crtcActive[was]
                    && proposed.crtcActive[was]) {
                return reject(r, CommitRejection.PLANE_IN_USE, planes[p].id());
            }
        }
        for (int p = 0; p < planes.length; p++) {
            if ((proposed.planeFb[p] != 0) != (proposed.planeCrtc[p] >= 0)) {
                return reject(r, CommitRejection.INCOMPLETE_PLANE, planes[p].id());
            }
        }
        for (int p = 0; p < planes.length; p++) {
            int c = proposed.planeCrtc[p];
            if (c >= 0 && timelines[c].touched && !proposed.crtcActive[c]) return reject(r, CommitRejection.CRTC_INACTIVE, planes[p].id());
        }
        for (int c = 0; c < crtcs.length; c++) {
            if (!timelines[c].touched || !proposed.crtcActive[c]) continue;
            ModeSpec mode = proposed.crtcMode[c];
            boolean driven = false;
            for (int k = 0; k < connectors.length; k++) {
                if (proposed.connectorCrtc[k] != c) continue;
                if (!connectors[k].connected()) return reject(r, CommitRejection.NO_CONNECTOR, connectors[k].id());
                driven = true;
            }
            if (!driven || mode == null) return reject(r, CommitRejection.NO_CONNECTOR, crtcs[c].id());
        }
        for (int p = 0; p < planes.length; p++) {
            int c = proposed.planeCrtc[p];
            if (c < 0 || !timelines[c].touched) continue;
            Framebuffer fb = framebuffers.get(proposed.planeFb[p]);
            Plane plane = planes[p];
            int id = plane.id();
            if (!plane.formats().supportsFormat(fb.fourcc)) return reject(r, CommitRejection.FORMAT_NOT_ON_PLANE, id);
            if (!plane.formats().supports(fb.fourcc, fb.modifier)) return reject(r, CommitRejection.MODIFIER_NOT_ON_PLANE, id);
            BufferIdentity bid = fb.buffer.identity;
            if (!rules.scannable(bid) || (needsContiguous && !bid.domain().contiguous())) {
                return reject(r, CommitRejection.MEMORY_NOT_SCANNABLE, id);
            }
            int sx = proposed.srcX[p], sy = proposed.srcY[p], sw = proposed.srcW[p], sh = proposed.srcH[p];
            if (sx < 0 || sy < 0 || sw <= 0 || sh <= 0 || (long) sx + sw > fb.width || (long) sy + sh > fb.height) {
                return reject(r, CommitRejection.SOURCE_OUT_OF_FB, id);
            }
            int dw = proposed.dstW[p], dh = proposed.dstH[p];
            if (dw > 0 && dh > 0 && (sw != dw || sh != dh) && !plane.scaling()) {
                return reject(r, CommitRejection.SCALING_UNSUPPORTED, id);
            }
            if (dw <= 0 || dh <= 0 || sw > plane.maxWidth() || sh > plane.maxHeight()
                    || dw > plane.maxWidth() || dh > plane.maxHeight()) {
                return reject(r, CommitRejection.PLANE_SIZE_LIMIT, id);
            }
        }
        return true;
    }
}
