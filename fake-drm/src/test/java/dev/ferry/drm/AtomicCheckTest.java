package dev.ferry.drm;

import dev.ferry.drm.topology.ModeSpec;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The atomic check alone, on card0's objects (DP-1 and DP-2 connected, DP-3 not; primary 0 on
 * CRTC 0, a 32x32 unscaled overlay, primary 2 on CRTC 1 only): each refusal beside a twin
 * request that differs only in what the rule reads.
 */
@ExtendWith(NoFdLeaks.class)
class AtomicCheckTest {
    private static final ModeSpec MODE = new ModeSpec(64, 48, 60000);
    private static final int CRTC0 = AtomicCheck.CRTC_ID_BASE, CRTC1 = AtomicCheck.CRTC_ID_BASE + 1;
    private static final int DP1 = AtomicCheck.CONNECTOR_ID_BASE, DP3 = AtomicCheck.CONNECTOR_ID_BASE + 2;
    private static final int PRIMARY0 = AtomicCheck.PLANE_ID_BASE, OVERLAY = AtomicCheck.PLANE_ID_BASE + 1,
            PRIMARY1 = AtomicCheck.PLANE_ID_BASE + 2;
    private DeviceParts parts;
    private Crtc[] crtcs;
    private Connector[] connectors;
    private Plane[] planes;
    private CrtcTimeline[] timelines;
    private KmsState pending;
    private KmsState proposed;
    private FramebufferTable framebuffers;
    private AtomicCheck check;
    private DmaBuf buf;
    private int fb;

    @BeforeEach
    void framebuffer() throws Exception {
        parts = new DeviceParts();
        crtcs = DeviceParts.crtcs(parts.card0);
        connectors = DeviceParts.connectors(parts.card0);
        planes = DeviceParts.planes(parts.card0);
        timelines = DeviceParts.timelines(crtcs.length);
        pending = new KmsState(planes.length, crtcs.length, connectors.length);
        proposed = new KmsState(planes.length, crtcs.length, connectors.length);
        framebuffers = new FramebufferTable(parts.card0.scanoutFormats(), parts.rules(parts.card0));
        check = new AtomicCheck(crtcs, connectors, planes, timelines, pending, proposed, framebuffers,
                parts.rules(parts.card0), false);
        buf = parts.card0.allocate(64, 48, Fourcc.XRGB8888, new long[] {Modifiers.LINEAR}, Usage.SCANOUT, MemoryDomain.SYSTEM);
        ImportedBuffer b = DeviceParts.imported(buf, Modifiers.LINEAR);
        fb = framebuffers.add(b, 64, 48, Fourcc.XRGB8888, Modifiers.LINEAR, buf.offsetsArray(), buf.stridesArray()).fbId();
        b.release();
    }

    @AfterEach
    void close() {
        framebuffers.clear();
        buf.close();
        parts.close();
    }

    /** The device's order: proposed from pending, apply, validate. Null if the request passes. */
    private CommitRejection check(AtomicRequest req, int flags) {
        proposed.copyFrom(pending);
        for (CrtcTimeline t : timelines) t.touched = false;
        if (check.apply(req) && check.validate(req, flags)) return null;
        assertTrue(req.rejection() != null);
        return req.rejection();
    }

    /** Lights CRTC0 on the given connector with one plane showing w x h of the framebuffer. */
    private static AtomicRequest light(int connector, int plane, int w, int h) {
        return new AtomicRequest().setCrtc(CRTC0, true, MODE).setConnector(connector, CRTC0).setPlane(plane, CRTC0, 0, w, h, 0, 0);
    }

    private AtomicRequest lit(int connector, int plane, int w, int h) {
        return new AtomicRequest().setCrtc(CRTC0, true, MODE).setConnector(connector, CRTC0).setPlane(plane, CRTC0, fb, w, h, 0, 0);
    }

    @Test
    void lightingACrtcIsAModeset() {
        assertEquals(CommitRejection.MODESET_REQUIRED, check(lit(DP1, PRIMARY0, 64, 48), 0));
        assertEquals(null, check(lit(DP1, PRIMARY0, 64, 48), AtomicFlags.ALLOW_MODESET));
    }

    @Test
    void anUnknownObjectIsNamed() {
        AtomicRequest bad = lit(DP1, AtomicCheck.PLANE_ID_BASE + planes.length, 64, 48);
        assertEquals(CommitRejection.NO_SUCH_OBJECT, check(bad, AtomicFlags.ALLOW_MODESET));
        assertEquals(AtomicCheck.PLANE_ID_BASE + planes.length, bad.rejectedObject());
        assertEquals(CommitRejection.NO_SUCH_OBJECT, check(light(DP1, PRIMARY0, 64, 48).setPlane(PRIMARY0, CRTC0, fb + 1, 64, 48, 0, 0),
                AtomicFlags.ALLOW_MODESET), "an unknown framebuffer");
    }

    @Test
    void aDisconnectedConnectorCannotDriveACrtc() {
        AtomicRequest bad = lit(DP3, PRIMARY0, 64, 48);
        assertEquals(CommitRejection.NO_CONNECTOR, check(bad, AtomicFlags.ALLOW_MODESET));
        assertEquals(DP3, bad.rejectedObject());
    }

    @Test
    void aPlaneGoesOnlyOnTheCrtcsItLists() {
        AtomicRequest bad = lit(DP1, PRIMARY1, 64, 48);
        assertEquals(CommitRejection.CRTC_NOT_POSSIBLE, check(bad, AtomicFlags.ALLOW_MODESET));
        assertEquals(PRIMARY1, bad.rejectedObject());
        AtomicRequest onItsCrtc = new AtomicRequest().setCrtc(CRTC1, true, MODE).setConnector(DP1, CRTC1)
                .setPlane(PRIMARY1, CRTC1, fb, 64, 48, 0, 0);
        assertEquals(null, check(onItsCrtc, AtomicFlags.ALLOW_MODESET));
    }

    @Test
    void theOverlaysSizeLimitAndScaling() {
        AtomicRequest tooBig = lit(DP1, PRIMARY0, 64, 48).setPlane(OVERLAY, CRTC0, fb, 48, 32, 0, 0);
        assertEquals(CommitRejection.PLANE_SIZE_LIMIT, check(tooBig, AtomicFlags.ALLOW_MODESET));
        assertEquals(OVERLAY, tooBig.rejectedObject());
        AtomicRequest scaled = lit(DP1, PRIMARY0, 64, 48).setPlane(OVERLAY, CRTC0, fb, 0, 0, 32, 32, 0, 0, 16, 16);
        assertEquals(CommitRejection.SCALING_UNSUPPORTED, check(scaled, AtomicFlags.ALLOW_MODESET));
        AtomicRequest fits = lit(DP1, PRIMARY0, 64, 48).setPlane(OVERLAY, CRTC0, fb, 32, 32, 0, 0);
        assertEquals(null, check(fits, AtomicFlags.ALLOW_MODESET));
        AtomicRequest pastTheFb = lit(DP1, PRIMARY0, 64, 48).setPlane(OVERLAY, CRTC0, fb, 40, 24, 32, 32, 0, 0, 32, 32);
        assertEquals(CommitRejection.SOURCE_OUT_OF_FB, check(pastTheFb, AtomicFlags.ALLOW_MODESET));
    }
}
