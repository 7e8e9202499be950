package dev.ferry.drm;

import dev.ferry.drm.topology.ModeSpec;

/**
 * A whole device's KMS state as flat arrays, so proposing, checking and applying a commit
 * copies arrays instead of allocating objects. Plane and connector CRTCs are CRTC indices
 * (-1: none); framebuffers are ids (0: none).
 */
final class KmsState {
    final int[] planeCrtc, planeFb, srcX, srcY, srcW, srcH, dstX, dstY, dstW, dstH;
    final boolean[] crtcActive;
    final ModeSpec[] crtcMode;
    final int[] connectorCrtc;

    KmsState(int planes, int crtcs, int connectors) {
        planeCrtc = new int[planes];
        java.util.Arrays.fill(planeCrtc, -1);
        planeFb = new int[planes];
        srcX = new int[planes];
        srcY = new int[planes];
        srcW = new int[planes];
        srcH = new int[planes];
        dstX = new int[planes];
        dstY = new int[planes];
        dstW = new int[planes];
        dstH = new int[planes];
        crtcActive = new boolean[crtcs];
        crtcMode = new ModeSpec[crtcs];
        connectorCrtc = new int[connectors];
        java.util.Arrays.fill(connectorCrtc, -1);
    }

    void copyFrom(KmsState o) {
        System.arraycopy(o.planeCrtc, 0, planeCrtc, 0, planeCrtc.length);
        System.arraycopy(o.planeFb, 0, planeFb, 0, planeFb.length);
        System.arraycopy(o.srcX, 0, srcX, 0, srcX.length);
        System.arraycopy(o.srcY, 0, srcY, 0, srcY.length);
        System.arraycopy(o.srcW, 0, srcW, 0, srcW.length);
        System.arraycopy(o.srcH, 0, srcH, 0, srcH.length);
        System.arraycopy(o.dstX, 0, dstX, 0, dstX.length);
        System.arraycopy(o.dstY, 0, dstY, 0, dstY.length);
        System.arraycopy(o.dstW, 0, dstW, 0, dstW.length);
        System.arraycopy(o.dstH, 0, dstH, 0, dstH.length);
        System.arraycopy(o.crtcActive, 0, crtcActive, 0, crtcActive.length);
        System.arraycopy(o.crtcMode, 0, crtcMode, 0, crtcMode.length);
        System.arraycopy(o.connectorCrtc, 0, connectorCrtc, 0, connectorCrtc.length);
    }

    void copyPlane(KmsState o, int p) {
        planeCrtc[p] = o.planeCrtc[p];
        planeFb[p] = o.planeFb[p];
        srcX[p] = o.srcX[p];
        srcY[p] = o.srcY[p];
        srcW[p] = o.srcW[p];
        srcH[p] = o.srcH[p];
        dstX[p] = o.dstX[p];
        dstY[p] = o.dstY[p];
        dstW[p] = o.dstW[p];
        dstH[p] = o.dstH[p];
    }

    void disablePlane(int p) {
        planeCrtc[p] = -1;
        planeFb[p] = 0;
        srcX[p] = srcY[p] = srcW[p] = srcH[p] = dstX[p] = dstY[p] = dstW[p] = dstH[p] = 0;
    }

    /** Everything off: what a device shows when it comes back (re-plugged). */
    void reset() {
        java.util.Arrays.fill(planeCrtc, -1);
        java.util.Arrays.fill(planeFb, 0);
        for (int[] a : new int[][] {srcX, srcY, srcW, srcH, dstX, dstY, dstW, dstH}) java.util.Arrays.fill(a, 0);
        java.util.Arrays.fill(crtcActive, false);
        java.util.Arrays.fill(crtcMode, null);
        java.util.Arrays.fill(connectorCrtc, -1);
    }
}
