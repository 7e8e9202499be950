package dev.ferry.drm;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.posix.Fds;
import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel's udmabuf rules: each refusal produced by its condition and no other, beside a twin
 * that differs only in that condition and must be wrapped; and a wrapped wl_shm-style pool
 * scanned out, read back pixel by pixel.
 */
@ExtendWith(NoFdLeaks.class)
class UdmabufTest {
    private static final Udmabuf UDMABUF = new Udmabuf();
    private static final int PAGE = BufferIdentity.PAGE;
    private static final int SHRINK = Memfd.F_SEAL_SHRINK;
    /** 64x64 XRGB8888 at stride 256: 16 KiB, four pages. */
    private static final int W = 64, H = 64, STRIDE = 256, BYTES = STRIDE * H;

    @FunctionalInterface
    interface Attempt {
        UdmabufResult run() throws Exception;
    }

    record Row(UdmabufRefusal expected, Attempt bad, Attempt good) {}

    /** Wraps [offset, offset+size) of a fresh memfd of fileSize bytes with these seals, then closes it. */
    private static UdmabufResult wrap(long fileSize, int seals, long offset, long size) throws Exception {
        try (OwnedFd fd = ShmPools.memfd(fileSize, seals)) {
            return wrapFd(fd, offset, size);
        }
    }

    private static UdmabufResult wrapFd(OwnedFd fd, long offset, long size) {
        UdmabufResult r = UDMABUF.create(fd, offset, size, W, H, Fourcc.XRGB8888, 0, STRIDE);
        if (r.ok()) r.buffer().close();
        return r;
    }

    static List<Row> rows() {
        return List.of(
            new Row(UdmabufRefusal.NOT_A_MEMFD,
                () -> {
                    Path file = Files.createTempFile("ferry-udmabuf", ".bin");
                    try {
                        Files.write(file, new byte[BYTES]);
                        try (OwnedFd fd = Fds.open(file.toString(), Fds.O_RDWR, 0)) {
                            return wrapFd(fd, 0, BYTES);
                        }
                    } finally {
                        Files.delete(file);
                    }
                },
                () -> wrap(BYTES, SHRINK, 0, BYTES)),
            new Row(UdmabufRefusal.NOT_SHRINK_SEALED,
                () -> wrap(BYTES, Memfd.F_SEAL_GROW, 0, BYTES),
                () -> wrap(BYTES, Memfd.F_SEAL_GROW | SHRINK, 0, BYTES)),
            new Row(UdmabufRefusal.WRITE_SEALED,
                () -> wrap(BYTES, SHRINK | Memfd.F_SEAL_WRITE, 0, BYTES),
                () -> wrap(BYTES, SHRINK, 0, BYTES)),
            new Row(UdmabufRefusal.EMPTY,
                () -> wrap(BYTES, SHRINK, 0, 0),
                () -> wrap(BYTES, SHRINK, 0, PAGE)),
            new Row(UdmabufRefusal.OFFSET_UNALIGNED,
                () -> wrap(2L * BYTES, SHRINK, 256, BYTES),
                () -> wrap(2L * BYTES, SHRINK, PAGE, BYTES)),
            new Row(UdmabufRefusal.SIZE_UNALIGNED,
                () -> wrap(2L * BYTES, SHRINK, 0, BYTES + 256),
                () -> wrap(2L * BYTES, SHRINK, 0, BYTES + PAGE)),
            new Row(UdmabufRefusal.OUT_OF_BOUNDS,
                () -> wrap(BYTES, SHRINK, PAGE, BYTES),
                () -> wrap(BYTES + PAGE, SHRINK, PAGE, BYTES)),
            new Row(UdmabufRefusal.TOO_LARGE,
                () -> wrap(Udmabuf.SIZE_LIMIT + PAGE, SHRINK, 0, Udmabuf.SIZE_LIMIT + PAGE),
                () -> wrap(Udmabuf.SIZE_LIMIT + PAGE, SHRINK, 0, Udmabuf.SIZE_LIMIT))
        );
    }

    @TestFactory
    Stream<DynamicTest> eachRefusalByItsConditionAndNoOther() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.expected().name(), () -> {
            UdmabufResult bad = row.bad().run();
            assertEquals(row.expected(), bad.refusal(), () -> "bad case: " + bad);
            UdmabufResult good = row.good().run();
            assertNull(good.refusal(), () -> "twin without the condition: " + good);
        }));
    }

    @Test
    void theTableCoversEveryRefusal() {
        Set<UdmabufRefusal> covered = EnumSet.noneOf(UdmabufRefusal.class);
        for (Row r : rows()) assertTrue(covered.add(r.expected()), "twice: " + r.expected());
        assertEquals(EnumSet.allOf(UdmabufRefusal.class), covered);
    }

    @Test
    void aUdmabufIsCachedSystemMemoryLinearWithoutAFence() throws Exception {
        try (OwnedFd pool = ShmPools.memfd(BYTES, SHRINK);
             DmaBuf buf = UDMABUF.create(pool, 0, BYTES, W, H, Fourcc.XRGB8888, 0, STRIDE).buffer();
             DmaBuf copy = buf.dup();
             FakeKernel k = FakeKernel.open(TestTopologies.load("screen"), new VirtualClock(), FaultPlan.none())) {
            BufferIdentity id = copy.identity();
            assertTrue(id.udmabuf());
            assertEquals(MemoryDomain.SYSTEM, id.domain());
            assertEquals("cached", id.coherency());
            assertEquals(Modifiers.LINEAR, buf.modifier());
            assertEquals(ImplicitFence.NO_FENCE, k.writeFenceSignalAtNs(buf));
            assertThrows(IllegalStateException.class, () -> k.setWriteFence(buf, 1));
        }
    }

    /** A client's sealed pool, wrapped and scanned out: the CRTC shows the client's pixels, uncopied. */
    @Test
    void aWrappedPoolScansOutTheClientsPixels() throws Exception {
        int w = 64, h = 48; // the screen's mode: shown 1:1
        try (FakeKernel k = FakeKernel.open(TestTopologies.load("screen"), new VirtualClock(), FaultPlan.none());
             OwnedFd pool = ShmPools.paintedXrgb(w, h);
             DmaBuf buf = UDMABUF.create(pool, 0, (long) w * h * 4, w, h, Fourcc.XRGB8888, 0, w * 4).buffer()) {
            ScanoutImage shot = Screens.show(k.device("card0"), buf);
            assertEquals(0, Patterns.mismatches(shot, 0, 0, Patterns.image(w, h, Fourcc.XRGB8888), w, h, 0));
            // The device reads the client's memory itself: a later client write shows.
            var map = Memfd.map(pool, 0, 4, Memfd.PROT_READ | Memfd.PROT_WRITE);
            map.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, 0x00123456);
            Memfd.unmap(map);
            assertEquals(0xff123456, Screens.show(k.device("card0"), buf).pixel(0, 0));
        }
    }

    /** A range at a page offset of a bigger pool: the dma-buf starts at the range, not the file. */
    @Test
    void aRangeAtAnOffsetScansOutThatRange() throws Exception {
        int w = 64, h = 48;
        long bytes = (long) w * h * 4;
        try (FakeKernel k = FakeKernel.open(TestTopologies.load("screen"), new VirtualClock(), FaultPlan.none());
             OwnedFd pool = Memfd.create("wayland-shm", bytes * 2)) {
            var map = Memfd.map(pool, 0, bytes * 2, Memfd.PROT_READ | Memfd.PROT_WRITE);
            int[] px = Patterns.image(w, h, Fourcc.XRGB8888);
            for (int i = 0; i < px.length; i++) {
                map.set(java.lang.foreign.ValueLayout.JAVA_INT, 4L * i, 0x00ff00ff);
                map.set(java.lang.foreign.ValueLayout.JAVA_INT, bytes + 4L * i, px[i]);
            }
            Memfd.unmap(map);
            Memfd.addSeals(pool, SHRINK);
            try (DmaBuf buf = UDMABUF.create(pool, bytes, bytes, w, h, Fourcc.XRGB8888, 0, w * 4).buffer()) {
                assertEquals(0, Patterns.mismatches(Screens.show(k.device("card0"), buf), 0, 0, px, w, h, 0));
            }
        }
    }

    /**
     * A pool whose end falls inside its last page (libwayland clients size the file to the buffer:
     * weston-simple-shm's 250x250 is 250 000 bytes): the kernel wraps that page whole, so the
     * buffer scans out; a range reaching one page further, wholly past the end, is refused.
     */
    @Test
    void aPoolEndingInsideItsLastPageIsWrappedWhole() throws Exception {
        int w = 64, h = 48, lead = 100;
        long bytes = (long) w * h * 4;
        long fileSize = lead + bytes; // 12 388 bytes: four pages, the last partly past the end
        long range = BufferIdentity.wholePages(fileSize);
        try (FakeKernel k = FakeKernel.open(TestTopologies.load("screen"), new VirtualClock(), FaultPlan.none());
             OwnedFd pool = Memfd.create("wayland-shm", fileSize)) {
            var map = Memfd.map(pool, 0, fileSize, Memfd.PROT_READ | Memfd.PROT_WRITE);
            int[] px = Patterns.image(w, h, Fourcc.XRGB8888);
            for (int i = 0; i < px.length; i++) map.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, lead + 4L * i, px[i]);
            Memfd.unmap(map);
            Memfd.addSeals(pool, SHRINK);
            assertEquals(UdmabufRefusal.OUT_OF_BOUNDS, wrapFd(pool, 0, range + PAGE).refusal());
            UdmabufResult r = UDMABUF.create(pool, 0, range, w, h, Fourcc.XRGB8888, lead, w * 4);
            assertNull(r.refusal(), () -> "refused: " + r);
            try (DmaBuf buf = r.buffer()) {
                assertEquals(0, Patterns.mismatches(Screens.show(k.device("card0"), buf), 0, 0, px, w, h, 0));
            }
        }
    }
}
