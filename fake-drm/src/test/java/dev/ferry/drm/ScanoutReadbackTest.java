package dev.ferry.drm;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a monitor would show, per format and modifier, and the ways it goes visibly wrong. */
@ExtendWith(NoFdLeaks.class)
class ScanoutReadbackTest {
    private static final int W = 64, H = 48;
    private static final int[] FORMATS = {Fourcc.ARGB8888, Fourcc.XRGB8888, Fourcc.ABGR8888, Fourcc.XBGR8888,
            Fourcc.ARGB2101010, Fourcc.NV12};
    private static final long[] LAYOUTS = {Modifiers.LINEAR, Modifiers.FAKE_TILED_4X4, Modifiers.FAKE_TILED_16X16_COLUMN};

    private FakeKernel kernel;

    @BeforeEach
    void open() {
        kernel = FakeKernel.open(TestTopologies.load("screen"), new VirtualClock(), FaultPlan.none());
    }

    @AfterEach
    void close() {
        kernel.close();
    }

    private DmaBuf painted(FakeDevice dev, int fourcc, long[] mods, MemoryDomain where, boolean bracket) throws Exception {
        DmaBuf b = dev.allocate(W, H, fourcc, mods, Usage.SCANOUT | Usage.CPU, where);
        try (CpuMapping m = b.map()) {
            if (bracket) m.beginCpuAccess(CpuMapping.WRITE);
            m.writeImage(Patterns.image(W, H, fourcc));
            if (bracket) m.endCpuAccess(CpuMapping.WRITE);
        }
        return b;
    }

    private static int tolerance(int fourcc) {
        return fourcc == Fourcc.NV12 ? 8 : 0;
    }

    @TestFactory
    List<DynamicTest> everyFormatAndModifierReadsBackExactly() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String devName : new String[] {"card0", "card1"}) {
            for (int f : FORMATS) {
                for (long m : LAYOUTS) {
                    tests.add(DynamicTest.dynamicTest(devName + " " + Fourcc.name(f) + " " + Modifiers.name(m), () -> {
                        FakeDevice dev = kernel.device(devName);
                        try (DmaBuf b = painted(dev, f, new long[] {m}, MemoryDomain.SYSTEM, true)) {
                            assertEquals(m, b.modifier());
                            ScanoutImage shot = Screens.show(dev, b);
                            assertEquals(0, Patterns.mismatches(shot, 0, 0, Patterns.image(W, H, f), W, H, tolerance(f)));
                        }
                    }));
                }
            }
        }
        return tests;
    }

    @Test
    void wrongModifierScramblesThePicture() throws Exception {
        FakeDevice dev = kernel.device("card0");
        for (long written : LAYOUTS) {
            for (long claimed : LAYOUTS) {
                if (written == claimed) continue;
                try (DmaBuf b = painted(dev, Fourcc.XRGB8888, new long[] {written}, MemoryDomain.SYSTEM, true);
                     DmaBuf lie = Screens.withModifier(b, claimed)) {
                    int bad = Patterns.mismatches(Screens.show(dev, lie), 0, 0, Patterns.image(W, H, Fourcc.XRGB8888), W, H, 0);
                    assertTrue(bad > W * H / 2, Modifiers.name(written) + " read as " + Modifiers.name(claimed) + ": " + bad);
                }
            }
        }
    }

    @Test
    void implicitModifierWorksOnTheSameDriverAndScramblesAcrossDrivers() throws Exception {
        int[] want = Patterns.image(W, H, Fourcc.XRGB8888);
        try (DmaBuf b = painted(kernel.device("card0"), Fourcc.XRGB8888, new long[] {Modifiers.INVALID},
                MemoryDomain.SYSTEM_UNCACHED, true)) {
            assertEquals(Modifiers.INVALID, b.modifier());
            assertEquals(Modifiers.FAKE_TILED_16X16_COLUMN, b.identity().layout());
            assertEquals(0, Patterns.mismatches(Screens.show(kernel.device("card0"), b), 0, 0, want, W, H, 0));
            assertTrue(Patterns.mismatches(Screens.show(kernel.device("card1"), b), 0, 0, want, W, H, 0) > W * H / 2);
        }
    }

    @Test
    void unbracketedCpuWritesAreStaleOnANonSnoopingDisplay() throws Exception {
        int[] want = Patterns.image(W, H, Fourcc.XRGB8888);
        FakeDevice noSnoop = kernel.device("card1"), snoop = kernel.device("card0");
        long[] linear = {Modifiers.LINEAR};
        try (DmaBuf b = painted(noSnoop, Fourcc.XRGB8888, linear, MemoryDomain.SYSTEM, false)) {
            assertEquals(W * H, Patterns.mismatches(Screens.show(noSnoop, b), 0, 0, want, W, H, 0), "stale: all black");
            assertEquals(0, Patterns.mismatches(Screens.show(snoop, b), 0, 0, want, W, H, 0), "a snooping device sees them");
            try (CpuMapping m = b.map()) {
                m.beginCpuAccess(CpuMapping.WRITE);
                m.endCpuAccess(CpuMapping.WRITE);
            }
            assertEquals(0, Patterns.mismatches(Screens.show(noSnoop, b), 0, 0, want, W, H, 0), "after the end bracket");
        }
        try (DmaBuf b = painted(noSnoop, Fourcc.XRGB8888, linear, MemoryDomain.SYSTEM_UNCACHED, false)) {
            assertEquals(0, Patterns.mismatches(Screens.show(noSnoop, b), 0, 0, want, W, H, 0), "uncached needs no bracket");
        }
    }

    @Test
    void aRectangleEndBracketFlushesThoseRectanglesAndNothingElse() throws Exception {
        int[] want = Patterns.image(W, H, Fourcc.XRGB8888);
        FakeDevice noSnoop = kernel.device("card1");
        int[] rects = {3, 5, 10, 7, 40, 30, 24, 18};
        try (DmaBuf b = painted(noSnoop, Fourcc.XRGB8888, new long[] {Modifiers.LINEAR}, MemoryDomain.SYSTEM, false)) {
            try (CpuMapping m = b.map()) {
                m.beginCpuAccess(CpuMapping.WRITE);
                m.endCpuWrite(rects, 4);
            }
            ScanoutImage shown = Screens.show(noSnoop, b);
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    boolean inside = x >= 3 && x < 13 && y >= 5 && y < 12 || x >= 40 && y >= 30;
                    assertEquals(inside ? want[y * W + x] : 0xff000000, shown.pixel(x, y), "pixel " + x + "," + y);
                }
            }
        }
    }

    @Test
    void overlaysBlendPremultipliedInZOrder() throws Exception {
        FakeDevice dev = kernel.device("card0");
        try (DmaBuf bottom = dev.allocate(W, H, Fourcc.XRGB8888, new long[] {Modifiers.LINEAR}, Usage.SCANOUT | Usage.CPU);
             DmaBuf top = dev.allocate(16, 16, Fourcc.ARGB8888, new long[] {Modifiers.LINEAR}, Usage.SCANOUT | Usage.CPU)) {
            try (CpuMapping m = bottom.map(); CpuMapping t = top.map()) {
                m.beginCpuAccess(CpuMapping.WRITE);
                m.fill(0xffffffff);
                m.endCpuAccess(CpuMapping.WRITE);
                t.beginCpuAccess(CpuMapping.WRITE);
                t.fill(0x80800000);
                t.endCpuAccess(CpuMapping.WRITE);
            }
            BufferHandle hb = dev.importDmaBuf(bottom, ImportPurpose.SCANOUT).handle();
            BufferHandle ht = dev.importDmaBuf(top, ImportPurpose.SCANOUT).handle();
            int fbb = dev.addFramebuffer(hb).fbId(), fbt = dev.addFramebuffer(ht).fbId();
            hb.close();
            ht.close();
            Crtc crtc = dev.crtcs().get(0);
            Connector conn = dev.connectors().get(0);
            AtomicRequest req = new AtomicRequest().setCrtc(crtc.id(), true, conn.preferredMode())
                    .setConnector(conn.id(), crtc.id())
                    .setPlane(dev.planes().get(0).id(), crtc.id(), fbb, W, H, 0, 0)
                    .setPlane(dev.planes().get(1).id(), crtc.id(), fbt, 16, 16, 8, 8);
            assertTrue(dev.commit(req, AtomicFlags.ALLOW_MODESET, 0), () -> String.valueOf(req.rejection()));
            ScanoutImage shot = dev.readScanout(crtc.id());
            assertEquals(0xffffffff, shot.pixel(0, 0));
            assertEquals(0xffff7f7f, shot.pixel(8, 8));
            assertEquals(0xffff7f7f, shot.pixel(23, 23));
            assertEquals(0xffffffff, shot.pixel(24, 24));
            dev.removeFramebuffer(fbb);
            dev.removeFramebuffer(fbt);
            assertEquals(0, dev.liveObjects());
            assertEquals(0xff000000, dev.readScanout(crtc.id()).pixel(8, 8), "RMFB turned the planes off");
        }
    }

    @Test
    void cpuReadsOfVramAreChargedAsSlow() throws Exception {
        try (FakeKernel k = FakeKernel.open("hybrid-laptop");
             DmaBuf vram = k.device("card1").allocate(256, 64, Fourcc.XRGB8888, new long[] {Modifiers.LINEAR},
                     Usage.SCANOUT | Usage.CPU);
             DmaBuf sys = k.device("card0").allocate(256, 64, Fourcc.XRGB8888, new long[] {Modifiers.LINEAR}, Usage.CPU)) {
            long bytes = CpuAccessLedger.vramReadBytes(), ns = CpuAccessLedger.vramReadNs();
            try (CpuMapping m = sys.map()) {
                m.beginCpuAccess(CpuMapping.READ);
                m.endCpuAccess(CpuMapping.READ);
            }
            assertEquals(bytes, CpuAccessLedger.vramReadBytes(), "system memory reads are not charged");
            try (CpuMapping m = vram.map()) {
                m.beginCpuAccess(CpuMapping.READ);
                m.readPixel(0, 0);
                m.endCpuAccess(CpuMapping.READ);
                assertEquals(bytes + m.view().byteSize(), CpuAccessLedger.vramReadBytes());
                assertEquals(ns + m.view().byteSize() * 10, CpuAccessLedger.vramReadNs(), "100 MB/s");
            }
        }
    }
}
