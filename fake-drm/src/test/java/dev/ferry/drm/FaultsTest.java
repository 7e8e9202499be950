package dev.ferry.drm;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.posix.Fds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoFdLeaks.class)
class FaultsTest {
    private static final long[] LINEAR = {Modifiers.LINEAR};

    /** A compositor-like loop: each frame allocate, import, AddFB, flip; returns what happened. */
    private static List<String> run(FaultPlan plan, int frames) throws Exception {
        List<String> trace = new ArrayList<>();
        VirtualClock clock = new VirtualClock();
        try (FakeKernel k = FakeKernel.open(TestTopologies.load("screen"), clock, plan)) {
            FakeDevice dev = k.device("card0");
            Crtc crtc = dev.crtcs().get(0);
            Connector conn = dev.connectors().get(0);
            int primary = dev.planes().get(0).id();
            AtomicRequest req = new AtomicRequest();
            boolean lit = false;
            for (int f = 0; f < frames && !dev.isGone(); f++) {
                DmaBuf b;
                try {
                    b = dev.allocate(64, 48, Fourcc.XRGB8888, LINEAR, Usage.SCANOUT | Usage.RENDERING);
                } catch (AllocationException e) {
                    trace.add(f + " alloc " + e.failure());
                    continue;
                }
                try (b) {
                    long fence = dev.submitRenderJob(b, 1_000_000L);
                    if (fence == ImplicitFence.NEVER) trace.add(f + " fence never");
                    ImportResult r = dev.importDmaBuf(b, ImportPurpose.SCANOUT);
                    if (!r.ok()) {
                        trace.add(f + " import " + r.rejection());
                        continue;
                    }
                    int fb;
                    try (BufferHandle h = r.handle()) {
                        fb = dev.addFramebuffer(h).fbId();
                    }
                    req.clear().setPlane(primary, crtc.id(), fb, 64, 48, 0, 0);
                    if (!lit) req.setCrtc(crtc.id(), true, conn.preferredMode()).setConnector(conn.id(), crtc.id());
                    boolean ok = dev.commit(req, AtomicFlags.NONBLOCK | AtomicFlags.PAGE_FLIP_EVENT | AtomicFlags.ALLOW_MODESET, f);
                    trace.add(f + (ok ? " commit ok" : " commit " + req.rejection()));
                    lit |= ok;
                    clock.advanceNs(20_000_000L);
                    dev.dispatchEvents((c, s, t, u) -> trace.add("flip " + u + " seq " + s));
                    dev.removeFramebuffer(fb);
                }
            }
            for (FaultInjector.Injected i : k.faults().log()) trace.add("fault " + i);
        }
        return trace;
    }

    private static FaultPlan randomPlan(long seed) {
        return FaultPlan.seeded(seed).rate(FaultKind.COMMIT, 0.2).rate(FaultKind.IMPORT, 0.1)
                .rate(FaultKind.ALLOCATION, 0.1).rate(FaultKind.FENCE_NEVER_SIGNALS, 0.05)
                .rate(FaultKind.FLIP_NEVER_COMPLETES, 0.02).build();
    }

    @Test
    void sameSeedSameRun() throws Exception {
        List<String> a = run(randomPlan(42), 120), b = run(randomPlan(42), 120), c = run(randomPlan(43), 120);
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertTrue(a.stream().anyMatch(s -> s.contains("commit INJECTED_FAULT")), a::toString);
        assertTrue(a.stream().anyMatch(s -> s.contains("import INJECTED_FAULT")));
        assertTrue(a.stream().anyMatch(s -> s.contains("alloc INJECTED_FAULT")));
    }

    @Test
    void scriptedFaultsHitTheirFrameOnly() throws Exception {
        List<String> t = run(FaultPlan.seeded(0).atFrame(FaultKind.COMMIT, "card0", 5).build(), 10);
        List<String> failed = t.stream().filter(s -> s.contains("commit INJECTED_FAULT")).toList();
        assertEquals(List.of("5 commit INJECTED_FAULT"), failed);
        assertTrue(t.contains("fault COMMIT on card0 at frame 5"));
        List<String> other = run(FaultPlan.seeded(0).atFrame(FaultKind.COMMIT, "card1", 5).build(), 10);
        assertTrue(other.stream().noneMatch(s -> s.contains("INJECTED")), "another device's script");
    }

    @Test
    void aFlipThatNeverCompletesKeepsTheCrtcBusy() throws Exception {
        List<String> t = run(FaultPlan.seeded(0).atFrame(FaultKind.FLIP_NEVER_COMPLETES, null, 3).build(), 8);
        assertTrue(t.contains("3 commit ok"));
        assertFalse(t.stream().anyMatch(s -> s.startsWith("flip 3 ")), t::toString);
        assertTrue(t.contains("4 commit BUSY"));
        assertTrue(t.contains("7 commit BUSY"));
    }

    @Test
    void unplugTakesTheObjectsAwayAndLeavesTheFds() throws Exception {
        VirtualClock clock = new VirtualClock();
        try (FakeKernel k = FakeKernel.open(TestTopologies.load("screen"), clock,
                FaultPlan.seeded(0).atFrame(FaultKind.UNPLUG, "card0", 0).build())) {
            FakeDevice dev = k.device("card0");
            DmaBuf b = dev.allocate(64, 48, Fourcc.XRGB8888, LINEAR, Usage.SCANOUT | Usage.CPU);
            BufferHandle h = dev.importDmaBuf(b, ImportPurpose.SCANOUT).handle();
            int fb = dev.addFramebuffer(h).fbId();
            AtomicRequest req = new AtomicRequest().setPlane(dev.planes().get(0).id(), dev.crtcs().get(0).id(), fb, 64, 48, 0, 0);
            assertFalse(dev.commit(req, AtomicFlags.ALLOW_MODESET, 0));
            assertEquals(CommitRejection.DEVICE_GONE, req.rejection());
            assertTrue(dev.isGone());
            assertTrue(dev.connectors().isEmpty() && dev.crtcs().isEmpty() && dev.planes().isEmpty());
            assertTrue((Fds.poll(dev.eventFd().fd(), Fds.POLLIN, 0) & Fds.POLLIN) != 0, "pollers notice");
            assertEquals(ImportRejection.DEVICE_GONE, dev.importDmaBuf(b, ImportPurpose.SCANOUT).rejection());
            assertEquals(ImportRejection.DEVICE_GONE, k.device("card1").importDmaBuf(b, ImportPurpose.SAMPLING).rejection(),
                    "its exported buffers cannot be attached elsewhere either");
            assertEquals(AllocationFailure.DEVICE_GONE, assertThrows(AllocationException.class,
                    () -> dev.allocate(64, 48, Fourcc.XRGB8888, LINEAR, 0)).failure());
            try (CpuMapping m = b.map()) {
                m.beginCpuAccess(CpuMapping.WRITE);
                m.writePixel(1, 1, 0xff123456);
                m.endCpuAccess(CpuMapping.WRITE);
                assertEquals(0xff123456, m.readPixel(1, 1), "the buffer's fd still works");
            }
            h.close();
            dev.removeFramebuffer(fb);
            assertEquals(0, dev.liveObjects());
            b.close();
        }
    }

    @Test
    void aReplugBringsTheObjectsBackWithEveryCrtcOffAndTheDeviceWorksAgain() throws Exception {
        VirtualClock clock = new VirtualClock();
        // Unplugged at its first commit; re-plugged at the first hotplug poll after that.
        try (FakeKernel k = FakeKernel.open(TestTopologies.load("screen"), clock,
                FaultPlan.seeded(0).atFrame(FaultKind.UNPLUG, "card0", 1).atFrame(FaultKind.REPLUG, "card0", 2).build())) {
            FakeDevice dev = k.device("card0");
            List<Crtc> crtcs = dev.crtcs();
            List<Connector> connectors = dev.connectors();
            Crtc crtc = crtcs.get(0);
            Connector conn = connectors.get(0);
            int primary = dev.planes().get(0).id();
            DmaBuf b = dev.allocate(64, 48, Fourcc.XRGB8888, LINEAR, Usage.SCANOUT | Usage.CPU);
            BufferHandle h = dev.importDmaBuf(b, ImportPurpose.SCANOUT).handle();
            int fb = dev.addFramebuffer(h).fbId();
            AtomicRequest lightUp = new AtomicRequest().setPlane(primary, crtc.id(), fb, 64, 48, 0, 0)
                    .setCrtc(crtc.id(), true, conn.preferredMode()).setConnector(conn.id(), crtc.id());
            assertTrue(dev.commit(lightUp, AtomicFlags.ALLOW_MODESET, 0), "frame 0 lights the CRTC");
            assertFalse(k.pollHotplug(), "nothing to re-plug while it is there");
            AtomicRequest flip = new AtomicRequest().setPlane(primary, crtc.id(), fb, 64, 48, 0, 0);
            assertFalse(dev.commit(flip, 0, 0));
            assertEquals(CommitRejection.DEVICE_GONE, flip.rejection());
            assertTrue(dev.isGone());
            assertTrue(k.pollHotplug(), "the poll after the unplug brings it back");
            assertFalse(dev.isGone());
            assertEquals(crtcs, dev.crtcs(), "its KMS objects are back");
            assertEquals(connectors, dev.connectors());
            assertEquals(null, dev.readScanout(crtc.id()), "every CRTC is off after a re-plug");
            assertFalse(dev.commit(flip, 0, 0), "a plane flip needs the mode set again");
            assertTrue(dev.commit(lightUp, AtomicFlags.ALLOW_MODESET, 0), "a modeset lights it again");
            assertEquals(64, dev.readScanout(crtc.id()).width());
            assertEquals(List.of("UNPLUG on card0 at frame 1", "REPLUG on card0 at frame 2"),
                    k.faults().log().stream().map(Object::toString).toList(), "each once");
            dev.removeFramebuffer(fb);
            h.close();
            b.close();
        }
    }

    @Test
    void aConnectorUnpluggedAndPluggedBackAtHotplugPolls() throws Exception {
        VirtualClock clock = new VirtualClock();
        try (FakeKernel k = FakeKernel.open(TestTopologies.load("screen"), clock, FaultPlan.none())) {
            FakeDevice dev = k.device("card0");
            Connector conn = dev.connectors().get(0);
            Crtc crtc = dev.crtcs().get(0);
            List<Connector> before = dev.connectors();
            k.faults().failNext(FaultKind.DISCONNECT, conn.name(), 1);
            assertTrue(k.pollHotplug());
            assertFalse(dev.connectors().get(0).connected(), "the monitor is unplugged");
            assertTrue(before.get(0).connected(), "a list handed out earlier stays as it was");
            assertFalse(dev.isGone(), "the device itself stays");
            AtomicRequest r = new AtomicRequest().setCrtc(crtc.id(), true, conn.preferredMode()).setConnector(conn.id(), crtc.id());
            assertFalse(dev.commit(r, AtomicFlags.ALLOW_MODESET | AtomicFlags.TEST_ONLY, 0));
            assertEquals(CommitRejection.NO_CONNECTOR, r.rejection(), "nothing to light up");
            assertFalse(k.pollHotplug(), "no more faults asked for");
            k.faults().failNext(FaultKind.RECONNECT, conn.name(), 1);
            assertTrue(k.pollHotplug());
            assertTrue(dev.connectors().get(0).connected(), "plugged back in");
            assertEquals(List.of("DISCONNECT on " + conn.name() + " at frame 0", "RECONNECT on " + conn.name() + " at frame 0"),
                    k.faults().log().stream().map(Object::toString).toList());
        }
    }

    @Test
    void fencesThatNeverSignalByFault() throws Exception {
        try (FakeKernel k = FakeKernel.open(TestTopologies.load("screen"), new VirtualClock(),
                FaultPlan.seeded(0).rate(FaultKind.FENCE_NEVER_SIGNALS, 1.0).build());
             DmaBuf b = k.device("card0").allocate(64, 48, Fourcc.XRGB8888, LINEAR, Usage.RENDERING)) {
            assertEquals(ImplicitFence.NEVER, k.device("card0").submitRenderJob(b, 1000));
            assertFalse(k.writeFenceSignalled(b));
        }
    }

    @Test
    void migrationMovesTheBytesOrFailsForAWhileOrForGood() throws Exception {
        VirtualClock clock = new VirtualClock();
        long t0 = clock.nowNs();
        FaultPlan plan = FaultPlan.seeded(0).during(FaultKind.MIGRATION_TEMPORARY, "card1", t0, t0 + 100_000_000L).build();
        try (FakeKernel k = FakeKernel.open(Topologies_hybrid(), clock, plan);
             DmaBuf vram = k.device("card1").allocate(64, 48, Fourcc.XRGB8888, LINEAR, Usage.RENDERING | Usage.CPU)) {
            FakeDevice dgpu = k.device("card1"), igpu = k.device("card0");
            assertEquals(MemoryDomain.VRAM, vram.identity().domain());
            try (CpuMapping m = vram.map()) {
                m.beginCpuAccess(CpuMapping.WRITE);
                m.fill(0xff336699);
                m.endCpuAccess(CpuMapping.WRITE);
            }
            assertEquals(MigrationResult.Failure.TEMPORARY, dgpu.migrate(vram, MemoryDomain.SYSTEM).failure());
            assertEquals(MigrationResult.Failure.NOT_POSSIBLE, igpu.migrate(vram, MemoryDomain.SYSTEM).failure(), "not the exporter");
            clock.advanceNs(100_000_000L);
            MigrationResult moved = dgpu.migrate(vram, MemoryDomain.SYSTEM);
            assertTrue(moved.ok());
            try (DmaBuf sys = moved.moved(); CpuMapping m = sys.map()) {
                assertEquals(MemoryDomain.SYSTEM, sys.identity().domain());
                assertEquals(0xff336699, m.readPixel(63, 47));
                ImportResult r = igpu.importDmaBuf(sys, ImportPurpose.SAMPLING);
                assertTrue(r.ok(), r::toString);
                r.handle().close();
            }
        }
        FaultPlan forGood = FaultPlan.seeded(0).atFrame(FaultKind.MIGRATION_PERMANENT, "card1", 0).build();
        try (FakeKernel k = FakeKernel.open(Topologies_hybrid(), new VirtualClock(), forGood);
             DmaBuf vram = k.device("card1").allocate(64, 48, Fourcc.XRGB8888, LINEAR, Usage.RENDERING)) {
            assertEquals(MigrationResult.Failure.PERMANENT, k.device("card1").migrate(vram, MemoryDomain.SYSTEM).failure());
            k.device("card1").commit(new AtomicRequest(), 0, 0); // frame 1: the script no longer applies
            assertEquals(MigrationResult.Failure.PERMANENT, k.device("card1").migrate(vram, MemoryDomain.SYSTEM).failure(),
                    "still, for good");
        }
    }

    @Test
    void aCpuMapFaultRefusesMappingTheExportersBuffersOnlyAndIsLogged() throws Exception {
        FaultPlan plan = FaultPlan.seeded(0).frames(FaultKind.CPU_MAP, "card1", 0, Long.MAX_VALUE).build();
        try (FakeKernel k = FakeKernel.open(Topologies_hybrid(), new VirtualClock(), plan);
             DmaBuf dgpu = k.device("card1").allocate(64, 48, Fourcc.XRGB8888, LINEAR, Usage.RENDERING);
             DmaBuf igpu = k.device("card0").allocate(64, 48, Fourcc.XRGB8888, LINEAR, Usage.RENDERING)) {
            dev.ferry.posix.PosixException e = assertThrows(dev.ferry.posix.PosixException.class, () -> k.mapForCpu(dgpu));
            assertTrue(e.getMessage().contains("card1"), e.getMessage());
            // The twin: the same buffer in another exporter's memory maps.
            try (CpuMapping m = k.mapForCpu(igpu)) {
                assertEquals(igpu.identity().viewSize(), m.view().byteSize());
            }
            // A kernel without the fault maps the first buffer too: the refusal is the fault's alone.
            try (FakeKernel clean = FakeKernel.open(Topologies_hybrid(), new VirtualClock(), FaultPlan.none());
                 CpuMapping m = clean.mapForCpu(dgpu)) {
                assertTrue(m.view().byteSize() > 0);
            }
            assertEquals(List.of(FaultKind.CPU_MAP), k.faults().log().stream().map(FaultInjector.Injected::kind).toList());
        }
    }

    private static dev.ferry.drm.topology.Topology Topologies_hybrid() {
        return dev.ferry.drm.topology.Topologies.load("hybrid-laptop");
    }
}
