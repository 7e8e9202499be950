package dev.ferry.drm;

import dev.ferry.drm.topology.ModeSpec;
import dev.ferry.posix.OwnedFd;

/** Puts one buffer full-screen on a device's first CRTC and reads the screen back. */
final class Screens {
    private Screens() {}

    static ScanoutImage show(FakeDevice dev, DmaBuf buf) {
        ImportResult r = dev.importDmaBuf(buf, ImportPurpose.SCANOUT);
        if (!r.ok()) throw new AssertionError("import: " + r);
        try (BufferHandle h = r.handle()) {
            AddFbResult fb = dev.addFramebuffer(h);
            if (!fb.ok()) throw new AssertionError("addfb: " + fb);
            try {
                Crtc crtc = dev.crtcs().get(0);
                Connector conn = dev.connectors().get(0);
                ModeSpec mode = conn.preferredMode();
                AtomicRequest req = new AtomicRequest()
                        .setCrtc(crtc.id(), true, mode)
                        .setConnector(conn.id(), crtc.id())
                        .setPlane(dev.planes().get(0).id(), crtc.id(), fb.fbId(), 0, 0, buf.width(), buf.height(),
                                0, 0, mode.width(), mode.height());
                if (!dev.commit(req, AtomicFlags.ALLOW_MODESET, 0)) {
                    throw new AssertionError("commit: " + req.rejection() + " on " + req.rejectedObject());
                }
                return dev.readScanout(crtc.id());
            } finally {
                dev.removeFramebuffer(fb.fbId());
            }
        }
    }

    /** The same memory described with another modifier (owns duplicated fds). */
    static DmaBuf withModifier(DmaBuf b, long modifier) throws Exception {
        OwnedFd[] fds = new OwnedFd[b.planeCount()];
        int[] offsets = new int[b.planeCount()];
        int[] strides = new int[b.planeCount()];
        for (int p = 0; p < fds.length; p++) {
            fds[p] = b.fd(p).dup();
            offsets[p] = b.offset(p);
            strides[p] = b.stride(p);
        }
        return DmaBuf.adopt(b.width(), b.height(), b.fourcc(), modifier, fds, offsets, strides);
    }
}
