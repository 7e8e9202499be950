package dev.ferry.drm;

import dev.ferry.drm.topology.ModeSpec;

/**
 * One atomic commit's property changes, kept in preallocated arrays so a compositor can reuse
 * one request every frame: {@link #clear()}, set what changes, commit. Setting the same object
 * twice keeps the last value, as with drmModeAtomicAddProperty. After a refused commit,
 * {@link #rejection()} and {@link #rejectedObject()} say what failed.
 *
 * <p>Rectangles are in whole pixels (the kernel's SRC_* are 16.16 fixed point; a real-device
 * implementation shifts them).
 */
public final class AtomicRequest {
    // Plane entries.
    int planes;
    int[] planeId, crtcId, fbId, srcX, srcY, srcW, srcH, dstX, dstY, dstW, dstH;
    // CRTC entries.
    int crtcs;
    int[] crtcEntryId;
    boolean[] crtcActive;
    ModeSpec[] crtcMode;
    // Connector entries.
    int connectors;
    int[] connectorId, connectorCrtc;

    private CommitRejection rejection;
    private int rejectedObject;

    public AtomicRequest() {
        this(16);
    }

    public AtomicRequest(int capacity) {
        planeId = new int[capacity];
        crtcId = new int[capacity];
        fbId = new int[capacity];
        srcX = new int[capacity];
        srcY = new int[capacity];
        srcW = new int[capacity];
        srcH = new int[capacity];
        dstX = new int[capacity];
        dstY = new int[capacity];
        dstW = new int[capacity];
        dstH = new int[capacity];
        crtcEntryId = new int[capacity];
        crtcActive = new boolean[capacity];
        crtcMode = new ModeSpec[capacity];
        connectorId = new int[capacity];
        connectorCrtc = new int[capacity];
    }

    public AtomicRequest clear() {
        planes = 0;
        crtcs = 0;
        connectors = 0;
        java.util.Arrays.fill(crtcMode, null);
        rejection = null;
        rejectedObject = 0;
        return this;
    }

    /**
     * Shows framebuffer fbId on the plane: source rectangle of the framebuffer, destination
     * rectangle on the CRTC.
     */
    public AtomicRequest setPlane(int plane, int crtc, int fb, int sx, int sy, int sw, int sh,
                                  int dx, int dy, int dw, int dh) {
        int i = 0;
        while (i < planes && planeId[i] != plane) i++;
        if (i == planes) {
            if (planes == planeId.length) throw new IllegalStateException("request full: " + planes + " planes");
            planes++;
        }
        planeId[i] = plane;
        crtcId[i] = crtc;
        fbId[i] = fb;
        srcX[i] = sx;
        srcY[i] = sy;
        srcW[i] = sw;
        srcH[i] = sh;
        dstX[i] = dx;
        dstY[i] = dy;
        dstW[i] = dw;
        dstH[i] = dh;
        return this;
    }

    /** Shows the whole framebuffer unscaled at (x, y). */
    public AtomicRequest setPlane(int plane, int crtc, int fb, int width, int height, int x, int y) {
        return setPlane(plane, crtc, fb, 0, 0, width, height, x, y, width, height);
    }

    public AtomicRequest disablePlane(int plane) {
        return setPlane(plane, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** Sets ACTIVE and MODE_ID (null mode with active false turns the CRTC off). */
    public AtomicRequest setCrtc(int crtc, boolean active, ModeSpec mode) {
        int i = 0;
        while (i < crtcs && crtcEntryId[i] != crtc) i++;
        if (i == crtcs) {
            if (crtcs == crtcEntryId.length) throw new IllegalStateException("request full: " + crtcs + " crtcs");
            crtcs++;
        }
        crtcEntryId[i] = crtc;
        crtcActive[i] = active;
        crtcMode[i] = mode;
        return this;
    }

    /** Routes a connector to a CRTC (0: to none). */
    public AtomicRequest setConnector(int connector, int crtc) {
        int i = 0;
        while (i < connectors && connectorId[i] != connector) i++;
        if (i == connectors) {
            if (connectors == connectorId.length) throw new IllegalStateException("request full");
            connectors++;
        }
        connectorId[i] = connector;
        connectorCrtc[i] = crtc;
        return this;
    }

    public boolean isEmpty() {
        return planes == 0 && crtcs == 0 && connectors == 0;
    }

    /** Why the last commit of this request was refused; null if it was accepted. */
    public CommitRejection rejection() { return rejection; }

    /** The id of the object the rejection is about (plane, CRTC, connector or framebuffer), or 0. */
    public int rejectedObject() { return rejectedObject; }

    void reject(CommitRejection r, int object) {
        rejection = r;
        rejectedObject = object;
    }

    void accept() {
        rejection = null;
        rejectedObject = 0;
    }
}
