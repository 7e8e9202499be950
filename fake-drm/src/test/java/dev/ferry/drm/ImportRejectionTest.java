package dev.ferry.drm;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every import rejection, produced by its condition and by no other: each row builds the failing
 * case and a twin that differs only in that condition, which must import cleanly.
 */
@ExtendWith(NoFdLeaks.class)
class ImportRejectionTest {
    private static final Udmabuf UDMABUF = new Udmabuf();
    private static final long[] LINEAR = {Modifiers.LINEAR};
    private static final long[] TILED = {Modifiers.FAKE_TILED_4X4};
    private static final int CPU = Usage.CPU;

    /** One side of a row: builds a buffer in a fresh kernel and tries the import. */
    @FunctionalInterface
    interface Attempt {
        ImportResult run(FakeKernel k) throws Exception;
    }

    record Row(ImportRejection expected, Attempt bad, Attempt good) {}

    private static FaultPlan planFor(ImportRejection r) {
        return r == ImportRejection.INJECTED_FAULT
                ? FaultPlan.seeded(1).atFrame(FaultKind.IMPORT, "card1", 0).build() : FaultPlan.none();
    }

    private static ImportResult importInto(FakeKernel k, String device, ImportPurpose purpose, DmaBuf buf) {
        try (buf) {
            ImportResult r = k.device(device).importDmaBuf(buf, purpose);
            if (r.ok()) r.handle().close();
            return r;
        }
    }

    private static DmaBuf alloc(FakeKernel k, String dev, int w, int h, int fourcc, long[] mods, int usage,
                                MemoryDomain where) throws AllocationException {
        return k.device(dev).allocate(w, h, fourcc, mods, usage, where);
    }

    /** The same buffer described differently (the new description owns duplicated fds). */
    private static DmaBuf redescribe(DmaBuf b, int width, int height, int fourcc, long modifier, int planes,
                                     int strideDelta) throws Exception {
        OwnedFd[] fds = new OwnedFd[planes];
        int[] offsets = new int[planes];
        int[] strides = new int[planes];
        for (int p = 0; p < planes; p++) {
            fds[p] = b.fd(0).dup();
            offsets[p] = p < b.planeCount() ? b.offset(p) : 0;
            strides[p] = (p < b.planeCount() ? b.stride(p) : b.stride(0)) + strideDelta;
        }
        b.close();
        return DmaBuf.adopt(width, height, fourcc, modifier, fds, offsets, strides);
    }

    /** A client's sealed wl_shm pool wrapped by udmabuf: the same XRGB8888 image, written unbracketed. */
    private static DmaBuf udmabuf(int w, int h) throws Exception {
        try (OwnedFd pool = ShmPools.paintedXrgb(w, h)) {
            return UDMABUF.create(pool, 0, (long) w * h * 4, w, h, Fourcc.XRGB8888, 0, w * 4).buffer();
        }
    }

    static List<Row> rows() {
        MemoryDomain sys = MemoryDomain.SYSTEM, unc = MemoryDomain.SYSTEM_UNCACHED;
        int argb = Fourcc.ARGB8888, xrgb = Fourcc.XRGB8888;
        return List.of(
            new Row(ImportRejection.DEVICE_GONE,
                k -> { DmaBuf b = alloc(k, "card0", 64, 64, argb, LINEAR, CPU, sys); k.device("card1").unplug();
                       return importInto(k, "card1", ImportPurpose.SAMPLING, b); },
                k -> importInto(k, "card1", ImportPurpose.SAMPLING, alloc(k, "card0", 64, 64, argb, LINEAR, CPU, sys))),
            new Row(ImportRejection.INJECTED_FAULT,
                k -> importInto(k, "card1", ImportPurpose.SAMPLING, alloc(k, "card0", 64, 64, argb, LINEAR, CPU, sys)),
                k -> importInto(k, "card1", ImportPurpose.SAMPLING, alloc(k, "card0", 64, 64, argb, LINEAR, CPU, sys))),
            new Row(ImportRejection.NOT_A_DMABUF,
                k -> importInto(k, "card1", ImportPurpose.SAMPLING, DmaBuf.adopt(64, 64, argb, Modifiers.LINEAR,
                        new OwnedFd[] {Memfd.create("just-a-memfd", 64 * 64 * 4 + 8192)}, new int[] {0}, new int[] {256})),
                k -> importInto(k, "card1", ImportPurpose.SAMPLING, alloc(k, "card0", 64, 64, argb, LINEAR, CPU, sys))),
            new Row(ImportRejection.PURPOSE_UNSUPPORTED,
                k -> importInto(k, "card1", ImportPurpose.SCANOUT, alloc(k, "card0", 64, 64, argb, LINEAR, CPU, sys)),
                k -> importInto(k, "card1", ImportPurpose.SAMPLING, alloc(k, "card0", 64, 64, argb, LINEAR, CPU, sys))),
            new Row(ImportRejection.PROTECTED_MEMORY,
                k -> importInto(k, "card1", ImportPurpose.SAMPLING, alloc(k, "card0", 64, 64, argb, LINEAR, Usage.PROTECTED, sys)),
                k -> importInto(k, "card1", ImportPurpose.SAMPLING, alloc(k, "card0", 64, 64, argb, LINEAR, 0, sys))),
            new Row(ImportRejection.MEMORY_UNREACHABLE,
                k -> importInto(k, "card2", ImportPurpose.SAMPLING, alloc(k, "card0", 64, 64, argb, LINEAR, 0, MemoryDomain.VRAM)),
                k -> importInto(k, "card1", ImportPurpose.SAMPLING, alloc(k, "card0", 64, 64, argb, LINEAR, 0, MemoryDomain.VRAM))),
            new Row(ImportRejection.NEEDS_CONTIGUOUS,
                k -> importInto(k, "card4", ImportPurpose.SAMPLING, alloc(k, "card0", 64, 64, argb, LINEAR, CPU, sys)),
                k -> importInto(k, "card4", ImportPurpose.SAMPLING, alloc(k, "card4", 64, 64, argb, LINEAR, CPU, MemoryDomain.CMA))),
            new Row(ImportRejection.CANNOT_SNOOP,
                k -> importInto(k, "card3", ImportPurpose.SAMPLING, alloc(k, "card0", 64, 64, xrgb, LINEAR, CPU, sys)),
                k -> importInto(k, "card3", ImportPurpose.SAMPLING, alloc(k, "card0", 64, 64, xrgb, LINEAR, CPU, unc))),
            new Row(ImportRejection.CPU_WRITES_UNBRACKETED,
                k -> importInto(k, "card6", ImportPurpose.SAMPLING, udmabuf(64, 64)),
                k -> importInto(k, "card6", ImportPurpose.SAMPLING, alloc(k, "card0", 64, 64, xrgb, LINEAR, CPU, sys))),
            new Row(ImportRejection.NOT_SCANOUT_MEMORY,
                k -> importInto(k, "card0", ImportPurpose.SCANOUT, alloc(k, "card0", 64, 64, argb, LINEAR, CPU, sys)),
                k -> importInto(k, "card0", ImportPurpose.SCANOUT, alloc(k, "card0", 64, 64, argb, LINEAR, CPU, unc))),
            new Row(ImportRejection.FORMAT,
                k -> importInto(k, "card3", ImportPurpose.SAMPLING, alloc(k, "card0", 64, 64, argb, LINEAR, CPU, unc)),
                k -> importInto(k, "card3", ImportPurpose.SAMPLING, alloc(k, "card0", 64, 64, xrgb, LINEAR, CPU, unc))),
            new Row(ImportRejection.MODIFIER,
                k -> importInto(k, "card3", ImportPurpose.SAMPLING, alloc(k, "card0", 64, 64, xrgb, TILED, CPU, unc)),
                k -> importInto(k, "card3", ImportPurpose.SAMPLING, alloc(k, "card0", 64, 64, xrgb, LINEAR, CPU, unc))),
            new Row(ImportRejection.BAD_PLANES,
                k -> importInto(k, "card1", ImportPurpose.SAMPLING,
                        redescribe(alloc(k, "card0", 64, 64, argb, LINEAR, CPU, sys), 64, 64, argb, Modifiers.LINEAR, 2, 0)),
                k -> importInto(k, "card1", ImportPurpose.SAMPLING,
                        redescribe(alloc(k, "card0", 64, 64, argb, LINEAR, CPU, sys), 64, 64, argb, Modifiers.LINEAR, 1, 0))),
            new Row(ImportRejection.STRIDE,
                k -> importInto(k, "card1", ImportPurpose.SAMPLING,
                        redescribe(alloc(k, "card0", 64, 64, argb, LINEAR, CPU, sys), 64, 32, argb, Modifiers.LINEAR, 1, 4)),
                k -> importInto(k, "card1", ImportPurpose.SAMPLING,
                        redescribe(alloc(k, "card0", 64, 64, argb, LINEAR, CPU, sys), 64, 32, argb, Modifiers.LINEAR, 1, 0))),
            new Row(ImportRejection.SIZE,
                k -> importInto(k, "card5", ImportPurpose.SAMPLING, alloc(k, "card0", 512, 16, argb, LINEAR, CPU, sys)),
                k -> importInto(k, "card5", ImportPurpose.SAMPLING, alloc(k, "card0", 256, 16, argb, LINEAR, CPU, sys))),
            new Row(ImportRejection.OUT_OF_BOUNDS,
                k -> importInto(k, "card1", ImportPurpose.SAMPLING,
                        redescribe(alloc(k, "card0", 64, 64, argb, LINEAR, CPU, sys), 64, 128, argb, Modifiers.LINEAR, 1, 0)),
                k -> importInto(k, "card1", ImportPurpose.SAMPLING,
                        redescribe(alloc(k, "card0", 64, 64, argb, LINEAR, CPU, sys), 64, 64, argb, Modifiers.LINEAR, 1, 0)))
        );
    }

    @TestFactory
    Stream<DynamicTest> eachRejectionByItsConditionAndNoOther() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.expected().name(), () -> {
            try (FakeKernel k = FakeKernel.open(TestTopologies.load("rules"), new VirtualClock(), planFor(row.expected()))) {
                ImportResult bad = row.bad().run(k);
                assertEquals(row.expected(), bad.rejection(), () -> "bad case: " + bad);
            }
            try (FakeKernel k = FakeKernel.open(TestTopologies.load("rules"), new VirtualClock(), FaultPlan.none())) {
                ImportResult good = row.good().run(k);
                assertNull(good.rejection(), () -> "twin without the condition: " + good);
            }
        }));
    }

    @Test
    void theTableCoversEveryRejection() {
        Set<ImportRejection> covered = EnumSet.noneOf(ImportRejection.class);
        for (Row r : rows()) assertTrue(covered.add(r.expected()), "twice: " + r.expected());
        assertEquals(EnumSet.allOf(ImportRejection.class), covered);
        for (ImportRejection r : ImportRejection.values()) assertTrue(r.reason().length() > 10);
    }

    @Test
    void presetRulesHold() throws Exception {
        try (FakeKernel k = FakeKernel.open("hybrid-laptop")) {
            FakeDevice igpu = k.device("card0"), dgpu = k.device("card1");
            try (DmaBuf vram = dgpu.allocate(256, 64, Fourcc.XRGB8888, LINEAR, Usage.SCANOUT | Usage.RENDERING)) {
                assertEquals(MemoryDomain.VRAM, vram.identity().domain());
                assertEquals(ImportRejection.MEMORY_UNREACHABLE, igpu.importDmaBuf(vram, ImportPurpose.SAMPLING).rejection());
            }
            try (DmaBuf sys = igpu.allocate(256, 64, Fourcc.XRGB8888, LINEAR, Usage.SCANOUT | Usage.RENDERING)) {
                assertEquals(ImportRejection.NOT_SCANOUT_MEMORY, dgpu.importDmaBuf(sys, ImportPurpose.SCANOUT).rejection());
                ImportResult r = dgpu.importDmaBuf(sys, ImportPurpose.SAMPLING);
                assertTrue(r.ok(), r::toString);
                r.handle().close();
            }
        }
        try (FakeKernel k = FakeKernel.open("usb-display")) {
            FakeDevice usb = k.device("card1");
            try (DmaBuf tiled = k.device("card0").allocate(256, 64, Fourcc.XRGB8888, TILED, Usage.RENDERING)) {
                assertEquals(ImportRejection.MODIFIER, usb.importDmaBuf(tiled, ImportPurpose.SCANOUT).rejection());
            }
            assertEquals(AllocationFailure.MODIFIER, org.junit.jupiter.api.Assertions.assertThrows(AllocationException.class,
                    () -> usb.allocate(64, 64, Fourcc.XRGB8888, TILED, Usage.SCANOUT)).failure());
        }
        try (FakeKernel k = FakeKernel.open("arm-soc")) {
            try (DmaBuf gpuBuf = k.device("card1").allocate(64, 64, Fourcc.XRGB8888, LINEAR, Usage.RENDERING)) {
                assertEquals(ImportRejection.NEEDS_CONTIGUOUS, k.device("card0").importDmaBuf(gpuBuf, ImportPurpose.SCANOUT).rejection());
            }
        }
    }

    @Test
    void identityTravelsInTheMemfdName() throws Exception {
        try (FakeKernel k = FakeKernel.open("hybrid-laptop");
             DmaBuf b = k.device("card1").allocate(1920, 1080, Fourcc.NV12, new long[] {Modifiers.FAKE_TILED_16X16_COLUMN},
                     Usage.CPU)) {
            String name = BufferIdentity.memfdNameOf(b.fd(1).fd());
            BufferIdentity id = BufferIdentity.parse(name);
            assertEquals("card1", id.exporter());
            assertEquals((226L << 8) | 1, id.devT());
            assertEquals(MemoryDomain.VRAM, id.domain());
            assertEquals("wc", id.coherency());
            assertEquals(Fourcc.NV12, id.fourcc());
            assertEquals(Modifiers.FAKE_TILED_16X16_COLUMN, id.modifier());
            assertEquals(b.stride(1), id.planeStrides()[1]);
            assertEquals(b.offset(1), id.planeOffsets()[1]);
            assertEquals(name, id.memfdName());
            int seals = Memfd.seals(b.fd(0));
            assertEquals(Memfd.F_SEAL_SHRINK | Memfd.F_SEAL_GROW, seals & (Memfd.F_SEAL_SHRINK | Memfd.F_SEAL_GROW));
        }
    }
}
