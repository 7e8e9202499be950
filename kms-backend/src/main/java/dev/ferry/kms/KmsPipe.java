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
 * One display pipe: a connected connector, the CRTC driving it, its primary plane, and the
 * mode. It tests and commits what the primary plane shows; the first commit sets the mode.
 * The request object is reused: a commit allocates nothing.
 */
public final class KmsPipe {
    private final DrmDevice device;
    private final Connector connector;
    private final Crtc crtc;
    private final Plane primary;
    private final ModeSpec mode;
    private final AtomicRequest request = new AtomicRequest();
    private boolean modeSet;
    private CommitRejection lastRejection;

    private KmsPipe(DrmDevice device, Connector connector, Crtc crtc, Plane primary, ModeSpec mode) {
        this.device = device;
        this.connector = connector;
        this.crtc = crtc;
        this.primary = primary;
        this.mode = mode;
    }

    /** Pipes for every connected connector, each on its own CRTC and primary plane. */
    public static List<KmsPipe> forDevice(DrmDevice device) {
        java.util.ArrayList<KmsPipe> pipes = new java.util.ArrayList<>();
        java.util.Set<Integer> usedCrtcs = new java.util.HashSet<>();
        for (Connector c : device.connectors()) {
            if (!c.connected() || c.modes().isEmpty()) continue;
            for (Crtc crtc : device.crtcs()) {
                if (usedCrtcs.contains(crtc.id()) || (c.possibleCrtcs() & (1 << crtc.index())) == 0) continue;
                Plane primary = null;
                for (Plane p : device.planes()) {
                    if (p.type() == PlaneType.PRIMARY && (p.possibleCrtcs() & (1 << crtc.index())) != 0) {
                        primary = p;
                        break;
                    }
                }
                if (primary == null) continue;
                usedCrtcs.add(crtc.id());
                pipes.add(new KmsPipe(device, c, crtc, primary, c.preferredMode()));
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

    private AtomicRequest build(int fbId, int srcWidth, int srcHeight) {
        request.clear();
        if (!modeSet) {
            request.setCrtc(crtc.id(), true, mode);
            request.setConnector(connector.id(), crtc.id());
        }
        request.setPlane(primary.id(), crtc.id(), fbId, srcWidth, srcHeight, 0, 0);
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
        if (ok) modeSet = true;
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
