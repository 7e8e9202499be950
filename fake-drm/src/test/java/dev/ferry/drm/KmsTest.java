package dev.ferry.drm;

import dev.ferry.drm.topology.ModeSpec;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.posix.Fds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoFdLeaks.class)
class KmsTest {
    private static final long[] LINEAR = {Modifiers.LINEAR};
    private static final long PERIOD_NS = new ModeSpec(64, 48, 60000).periodNs();

    private VirtualClock clock;
    private FakeKernel kernel;
    private FakeDevice dev;
    private final List<DmaBuf> buffers = new ArrayList<>();
    private int crtc0, crtc1, dp1, dp2, dp3, primary0, overlay, primary1, cursor;
    private ModeSpec mode;

    @BeforeEach
    void open() {
        clock = new VirtualClock();
        kernel = FakeKernel.open(TestTopologies.load("screen"), clock, FaultPlan.none());
        dev = kernel.device("card0");
        crtc0 = dev.crtcs().get(0).id();
        crtc1 = dev.crtcs().get(1).id();
        dp1 = dev.connectors().get(0).id();
        dp2 = dev.connectors().get(1).id();
        dp3 = dev.connectors().get(2).id();
        primary0 = dev.planes().get(0).id();
        overlay = dev.planes().get(1).id();
        primary1 = dev.planes().get(2).id();
        cursor = dev.planes().get(3).id();
        mode = dev.connectors().get(0).preferredMode();
    }

    @AfterEach
    void close() {
        kernel.close();
        buffers.forEach(DmaBuf::close);
    }

    /** A framebuffer of a fresh buffer (handle closed at once: the framebuffer keeps the memory). */
    private int fb(int w, int ht, int fourcc, long modifier, int colour) throws Exception {
        DmaBuf b = dev.allocate(w, ht, fourcc, new long[] {modifier}, Usage.SCANOUT | Usage.CPU);
        buffers.add(b);
        try (CpuMapping m = b.map()) {
            m.beginCpuAccess(CpuMapping.WRITE);
            m.fill(colour);
            m.endCpuAccess(CpuMapping.WRITE);
        }
        try (BufferHandle h = dev.importDmaBuf(b, ImportPurpose.SCANOUT).handle()) {
            AddFbResult r = dev.addFramebuffer(h);
            assertTrue(r.ok(), () -> r.rejection() + " " + r.detail());
            return r.fbId();
        }
    }

    private void lightCrtc0(int fb) {
        AtomicRequest req = new AtomicRequest().setCrtc(crtc0, true, mode).setConnector(dp1, crtc0)
                .setPlane(primary0, crtc0, fb, 64, 48, 0, 0);
        assertTrue(dev.commit(req, AtomicFlags.ALLOW_MODESET, 0), () -> req.rejection() + " " + req.rejectedObject());
    }

    private void expect(CommitRejection r, AtomicRequest req, int flags, Set<CommitRejection> seen) {
        assertFalse(dev.commit(req, flags | AtomicFlags.TEST_ONLY, 0), r::name);
        assertEquals(r, req.rejection(), () -> "object " + req.rejectedObject());
        seen.add(r);
    }

    @Test
    void commitRejectionsNameTheirCause() throws Exception {
        Set<CommitRejection> seen = EnumSet.noneOf(CommitRejection.class);
        int xrgb = fb(64, 48, Fourcc.XRGB8888, Modifiers.LINEAR, 0xff0000ff);
        int abgr = fb(64, 48, Fourcc.ABGR8888, Modifiers.LINEAR, 0xff00ff00);
        int tiled = fb(32, 32, Fourcc.ARGB8888, Modifiers.FAKE_TILED_4X4, 0xffff0000);
        int small = fb(32, 32, Fourcc.ARGB8888, Modifiers.LINEAR, 0x80000080);
        lightCrtc0(xrgb);
        AtomicRequest req = new AtomicRequest();
        int m = AtomicFlags.ALLOW_MODESET;

        expect(CommitRejection.NO_SUCH_OBJECT, req.clear().setPlane(9999, crtc0, xrgb, 64, 48, 0, 0), 0, seen);
        expect(CommitRejection.NO_SUCH_OBJECT, req.clear().setPlane(primary0, crtc0, 4242, 64, 48, 0, 0), 0, seen);
        expect(CommitRejection.MODESET_REQUIRED, req.clear().setCrtc(crtc0, true, dev.connectors().get(0).modes().get(1)), 0, seen);
        expect(CommitRejection.CRTC_NOT_POSSIBLE, req.clear().setPlane(cursor, crtc1, small, 16, 16, 0, 0), 0, seen);
        assertTrue(dev.commit(req.clear().setPlane(overlay, crtc0, small, 32, 32, 0, 0), 0, 0));
        expect(CommitRejection.PLANE_IN_USE, req.clear().setCrtc(crtc1, true, mode).setConnector(dp2, crtc1)
                .setPlane(primary1, crtc1, xrgb, 64, 48, 0, 0).setPlane(overlay, crtc1, small, 32, 32, 0, 0), m, seen);
        expect(CommitRejection.INCOMPLETE_PLANE, req.clear().setPlane(overlay, 0, small, 32, 32, 0, 0), 0, seen);
        expect(CommitRejection.CRTC_INACTIVE, req.clear().setPlane(primary1, crtc1, xrgb, 64, 48, 0, 0), 0, seen);
        expect(CommitRejection.NO_CONNECTOR, req.clear().setCrtc(crtc1, true, mode), m, seen);
        expect(CommitRejection.NO_CONNECTOR, req.clear().setCrtc(crtc1, true, mode).setConnector(dp3, crtc1), m, seen);
        expect(CommitRejection.FORMAT_NOT_ON_PLANE, req.clear().setCrtc(crtc1, true, mode).setConnector(dp2, crtc1)
                .setPlane(primary1, crtc1, abgr, 64, 48, 0, 0), m, seen);
        expect(CommitRejection.MODIFIER_NOT_ON_PLANE, req.clear().setPlane(overlay, crtc0, tiled, 32, 32, 0, 0), 0, seen);
        expect(CommitRejection.SOURCE_OUT_OF_FB, req.clear().setPlane(primary0, crtc0, xrgb, 0, 0, 65, 48, 0, 0, 65, 48), 0, seen);
        expect(CommitRejection.SCALING_UNSUPPORTED, req.clear().setPlane(overlay, crtc0, small, 0, 0, 16, 16, 0, 0, 32, 32), 0, seen);
        expect(CommitRejection.PLANE_SIZE_LIMIT, req.clear().setPlane(cursor, crtc0, small, 32, 32, 0, 0), 0, seen);
        // The twin of each: the same plane with a legal value passes.
        assertTrue(dev.commit(req.clear().setPlane(cursor, crtc0, small, 0, 0, 16, 16, 0, 0, 16, 16), AtomicFlags.TEST_ONLY, 0));
        assertTrue(dev.commit(req.clear().setPlane(primary0, crtc0, abgr, 64, 48, 0, 0), AtomicFlags.TEST_ONLY, 0));

        try (FakeKernel hybrid = FakeKernel.open("hybrid-laptop");
             DmaBuf sys = hybrid.device("card0").allocate(1920, 1080, Fourcc.XRGB8888, LINEAR, Usage.RENDERING)) {
            FakeDevice dgpu = hybrid.device("card1");
            try (BufferHandle h = dgpu.importDmaBuf(sys, ImportPurpose.SAMPLING).handle()) {
                int fb = dgpu.addFramebuffer(h).fbId();
                Connector hdmi = dgpu.connectors().get(0);
                int c = dgpu.crtcs().get(0).id();
                AtomicRequest r = new AtomicRequest().setCrtc(c, true, hdmi.modes().get(1)).setConnector(hdmi.id(), c)
                        .setPlane(dgpu.planes().get(0).id(), c, fb, 1920, 1080, 0, 0);
                assertFalse(dgpu.commit(r, AtomicFlags.TEST_ONLY | m, 0));
                assertEquals(CommitRejection.MEMORY_NOT_SCANNABLE, r.rejection());
                seen.add(r.rejection());
                dgpu.removeFramebuffer(fb);
            }
        }
        dev.unplug();
        expect(CommitRejection.DEVICE_GONE, req.clear(), 0, seen);
        seen.add(CommitRejection.BUSY);           // pageFlipsCompleteAtVblank
        seen.add(CommitRejection.INJECTED_FAULT); // FaultsTest
        assertEquals(EnumSet.allOf(CommitRejection.class), seen);
    }

    @Test
    void addFb2ValidatesAgainstTheDevice() throws Exception {
        try (FakeKernel k = FakeKernel.open("hybrid-laptop");
             DmaBuf tiled = k.device("card0").allocate(256, 64, Fourcc.XRGB8888, new long[] {Modifiers.FAKE_TILED_4X4},
                     Usage.RENDERING)) {
            FakeDevice dgpu = k.device("card1");
            BufferHandle h = dgpu.importDmaBuf(tiled, ImportPurpose.SAMPLING).handle();
            assertEquals(AddFbRejection.MODIFIER, dgpu.addFramebuffer(h).rejection(), "dGPU planes have no 4x4 tiling");
            int[] offsets = {0};
            assertEquals(AddFbRejection.FORMAT, dgpu.addFramebuffer(h, 256, 64, Fourcc.NV12 + 1, Modifiers.LINEAR,
                    offsets, new int[] {1024}).rejection());
            assertEquals(AddFbRejection.PITCH, dgpu.addFramebuffer(h, 256, 64, Fourcc.XRGB8888, Modifiers.LINEAR,
                    offsets, new int[] {1000}).rejection());
            assertEquals(AddFbRejection.OUT_OF_BOUNDS, dgpu.addFramebuffer(h, 256, 640, Fourcc.XRGB8888, Modifiers.LINEAR,
                    offsets, new int[] {1024}).rejection());
            AddFbResult ok = dgpu.addFramebuffer(h, 256, 64, Fourcc.XRGB8888, Modifiers.LINEAR, offsets, new int[] {1024});
            assertTrue(ok.ok(), () -> ok.rejection() + " " + ok.detail());
            dgpu.removeFramebuffer(ok.fbId());
            h.close();
            assertEquals(AddFbRejection.NO_SUCH_HANDLE, dgpu.addFramebuffer(h).rejection());
            try (FakeKernel soc = FakeKernel.open("arm-soc");
                 DmaBuf b = soc.device("card1").allocate(64, 64, Fourcc.XRGB8888, LINEAR, Usage.RENDERING);
                 BufferHandle gpu = soc.device("card1").importDmaBuf(b, ImportPurpose.SAMPLING).handle()) {
                assertEquals(AddFbRejection.NO_DISPLAY, soc.device("card1").addFramebuffer(gpu).rejection());
            }
        }
    }

    @Test
    void testOnlyChangesNothing() throws Exception {
        int red = fb(64, 48, Fourcc.XRGB8888, Modifiers.LINEAR, 0xffff0000);
        int blue = fb(64, 48, Fourcc.XRGB8888, Modifiers.LINEAR, 0xff0000ff);
        lightCrtc0(red);
        AtomicRequest req = new AtomicRequest().setPlane(primary0, crtc0, blue, 64, 48, 0, 0);
        assertTrue(dev.commit(req, AtomicFlags.TEST_ONLY, 0));
        assertFalse(dev.flipPending(crtc0));
        assertEquals(0xffff0000, dev.readScanout(crtc0).pixel(0, 0));
        assertEquals(1, dev.frame(), "only the modeset counts as a frame, TEST_ONLY does not");
    }

    @Test
    void pageFlipsCompleteAtVblankWithEventsOnThePollableFd() throws Exception {
        int[] fbs = {fb(64, 48, Fourcc.XRGB8888, Modifiers.LINEAR, 0xffff0000),
                     fb(64, 48, Fourcc.XRGB8888, Modifiers.LINEAR, 0xff00ff00)};
        lightCrtc0(fbs[0]);
        long lit = clock.nowNs();
        AtomicRequest req = new AtomicRequest();
        List<long[]> events = new ArrayList<>();
        PageFlipHandler handler = (crtc, seq, t, user) -> events.add(new long[] {crtc, seq, t, user});
        int frames = 300;
        for (int i = 1; i <= frames; i++) {
            int fb = fbs[i & 1];
            assertTrue(dev.commit(req.clear().setPlane(primary0, crtc0, fb, 64, 48, 0, 0),
                    AtomicFlags.NONBLOCK | AtomicFlags.PAGE_FLIP_EVENT, i));
            assertTrue(dev.flipPending(crtc0));
            assertEquals(0, Fds.poll(dev.eventFd().fd(), Fds.POLLIN, 0), "nothing before the vblank");
            assertFalse(dev.commit(req, AtomicFlags.NONBLOCK | AtomicFlags.PAGE_FLIP_EVENT, 0));
            assertEquals(CommitRejection.BUSY, req.rejection());
            clock.advanceNs(PERIOD_NS);
            assertTrue((Fds.poll(dev.eventFd().fd(), Fds.POLLIN, 0) & Fds.POLLIN) != 0, "readable at vblank");
            assertEquals(1, dev.dispatchEvents(handler));
            assertEquals(0, Fds.poll(dev.eventFd().fd(), Fds.POLLIN, 0), "drained");
            assertEquals(i == 1 ? 0xff00ff00 : (i & 1) == 1 ? 0xff00ff00 : 0xffff0000, dev.readScanout(crtc0).pixel(5, 5));
        }
        assertEquals(frames, events.size());
        for (int i = 0; i < frames; i++) {
            long[] e = events.get(i);
            assertEquals(crtc0, e[0]);
            assertEquals(i + 1, e[3], "user data");
            assertEquals(lit + (i + 1) * PERIOD_NS, e[2], "on the vblank grid");
            if (i > 0) assertEquals(events.get(i - 1)[1] + 1, e[1], "one vblank apart");
        }
    }

    @Test
    void aFlipWaitsForItsBuffersWriteFence() throws Exception {
        int a = fb(64, 48, Fourcc.XRGB8888, Modifiers.LINEAR, 0xffff0000);
        lightCrtc0(a);
        DmaBuf busy = dev.allocate(64, 48, Fourcc.XRGB8888, LINEAR, Usage.SCANOUT | Usage.RENDERING);
        buffers.add(busy);
        long signalAt = dev.submitRenderJob(busy, 40_000_000L);
        int fb;
        try (BufferHandle h = dev.importDmaBuf(busy, ImportPurpose.SCANOUT).handle()) {
            fb = dev.addFramebuffer(h).fbId();
        }
        long start = clock.nowNs();
        long[] flippedAt = {0};
        assertTrue(dev.commit(new AtomicRequest().setPlane(primary0, crtc0, fb, 64, 48, 0, 0),
                AtomicFlags.NONBLOCK | AtomicFlags.PAGE_FLIP_EVENT, 7));
        for (int i = 0; i < 5 && flippedAt[0] == 0; i++) {
            clock.advanceNs(PERIOD_NS);
            dev.dispatchEvents((c, s, t, u) -> flippedAt[0] = t);
        }
        assertTrue(flippedAt[0] >= signalAt, "not before the fence");
        assertEquals(start + 3 * PERIOD_NS, flippedAt[0], "the first vblank after 40 ms");
    }

    @Test
    void aFenceThatNeverSignalsStallsTheFlipForever() throws Exception {
        int a = fb(64, 48, Fourcc.XRGB8888, Modifiers.LINEAR, 0xffff0000);
        lightCrtc0(a);
        DmaBuf hung = dev.allocate(64, 48, Fourcc.XRGB8888, LINEAR, Usage.SCANOUT | Usage.RENDERING);
        buffers.add(hung);
        kernel.setWriteFence(hung, ImplicitFence.NEVER);
        try (BufferHandle h = dev.importDmaBuf(hung, ImportPurpose.SCANOUT).handle();
             SyncFile sync = kernel.exportSyncFile(hung)) {
            int fb = dev.addFramebuffer(h).fbId();
            assertTrue(dev.commit(new AtomicRequest().setPlane(primary0, crtc0, fb, 64, 48, 0, 0), AtomicFlags.NONBLOCK, 0));
            clock.advanceNs(1_000_000_000L);
            assertTrue(dev.flipPending(crtc0));
            assertEquals(Long.MAX_VALUE, dev.nextDeadlineNs());
            assertEquals(0, Fds.poll(sync.fd().fd(), Fds.POLLIN, 0));
            assertFalse(sync.isSignalled());
            assertEquals(0xffff0000, dev.readScanout(crtc0).pixel(0, 0), "the old frame stays up");
        }
    }

    @Test
    void syncFilesBecomeReadableWhenTheFenceSignals() throws Exception {
        DmaBuf b = dev.allocate(64, 48, Fourcc.XRGB8888, LINEAR, Usage.RENDERING);
        buffers.add(b);
        try (SyncFile idle = kernel.exportSyncFile(b)) {
            assertTrue(idle.isSignalled());
            assertTrue((Fds.poll(idle.fd().fd(), Fds.POLLIN, 0) & Fds.POLLIN) != 0);
        }
        dev.submitRenderJob(b, 5_000_000L);
        assertFalse(kernel.writeFenceSignalled(b));
        try (SyncFile sync = kernel.exportSyncFile(b)) {
            assertEquals(0, Fds.poll(sync.fd().fd(), Fds.POLLIN, 0));
            clock.advanceNs(5_000_000L);
            assertTrue((Fds.poll(sync.fd().fd(), Fds.POLLIN, 0) & Fds.POLLIN) != 0);
            assertTrue(sync.isSignalled());
        }
        assertTrue(kernel.writeFenceSignalled(b));
    }

    @Test
    void onTheRealClockTheFdsWakeOnTime() throws Exception {
        try (FakeKernel live = FakeKernel.open("laptop-igpu")) {
            FakeDevice igpu = live.device("card0");
            try (DmaBuf b = igpu.allocate(1920, 1080, Fourcc.XRGB8888, LINEAR, Usage.SCANOUT | Usage.RENDERING);
                 BufferHandle h = igpu.importDmaBuf(b, ImportPurpose.SCANOUT).handle()) {
                int fb = igpu.addFramebuffer(h).fbId();
                Connector edp = igpu.connectors().get(0);
                int c = igpu.crtcs().get(0).id();
                AtomicRequest req = new AtomicRequest().setCrtc(c, true, edp.preferredMode()).setConnector(edp.id(), c)
                        .setPlane(igpu.planes().get(0).id(), c, fb, 1920, 1080, 0, 0);
                long t0 = live.clock().nowNs();
                assertTrue(igpu.commit(req, AtomicFlags.ALLOW_MODESET | AtomicFlags.NONBLOCK | AtomicFlags.PAGE_FLIP_EVENT, 1));
                assertTrue((Fds.poll(igpu.eventFd().fd(), Fds.POLLIN, 200) & Fds.POLLIN) != 0);
                long[] at = {0};
                assertEquals(1, igpu.dispatchEvents((cc, s, t, u) -> at[0] = t));
                assertTrue(at[0] > t0 && at[0] - t0 <= edp.preferredMode().periodNs() + 50_000_000L, "one vblank after the commit");
                igpu.submitRenderJob(b, 10_000_000L);
                try (SyncFile sync = live.exportSyncFile(b)) {
                    assertTrue((Fds.poll(sync.fd().fd(), Fds.POLLIN, 200) & Fds.POLLIN) != 0);
                    assertTrue(live.clock().nowNs() >= sync.signalAtNs());
                }
                igpu.removeFramebuffer(fb);
            }
        }
    }
}
