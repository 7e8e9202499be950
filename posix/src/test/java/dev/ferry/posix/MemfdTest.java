package dev.ferry.posix;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** memfd sizes, seals, mappings and pread, the calls shm pools rest on. */
class MemfdTest {
    private int liveAtStart;
    private Arena arena;

    @BeforeEach
    void setUp() {
        liveAtStart = OwnedFd.liveCount();
        arena = Arena.ofConfined();
    }

    @AfterEach
    void tearDown() {
        arena.close();
        assertEquals(liveAtStart, OwnedFd.liveCount(), () -> "fds left open: " + OwnedFd.liveFds());
    }

    @Test
    void sealAgainstShrinkingIsVisibleAndEnforced() throws Exception {
        try (OwnedFd fd = Memfd.create("sealed", 8192)) {
            assertEquals(0, Memfd.seals(fd));
            Memfd.addSeals(fd, Memfd.F_SEAL_SHRINK);
            assertEquals(Memfd.F_SEAL_SHRINK, Memfd.seals(fd) & Memfd.F_SEAL_SHRINK);
            PosixException e = assertThrows(PosixException.class, () -> Memfd.truncate(fd, 4096));
            assertEquals(Errno.EPERM, e.errno());
            assertEquals(8192, Memfd.size(fd));
            Memfd.truncate(fd, 16384); // growing is still allowed
            assertEquals(16384, Memfd.size(fd));

            Memfd.addSeals(fd, Memfd.F_SEAL_GROW | Memfd.F_SEAL_SEAL);
            assertThrows(PosixException.class, () -> Memfd.truncate(fd, 32768));
            PosixException sealed = assertThrows(PosixException.class, () -> Memfd.addSeals(fd, Memfd.F_SEAL_WRITE));
            assertEquals(Errno.EPERM, sealed.errno());
            int all = Memfd.F_SEAL_SHRINK | Memfd.F_SEAL_GROW | Memfd.F_SEAL_SEAL;
            assertEquals(all, Memfd.seals(fd));
        }
    }

    @Test
    void sealsOfAnUnsealableFileReadAsZero() throws Exception {
        try (OwnedFd fd = Fds.open("/proc/self/stat", Fds.O_RDONLY, 0)) {
            assertEquals(0, Memfd.seals(fd));
        }
    }

    @Test
    void preadReturnsShortAfterTheFileShrinks() throws Exception {
        try (OwnedFd fd = Memfd.create("shrinking", 4096)) {
            MemorySegment src = arena.allocate(4096);
            for (int i = 0; i < 4096; i++) src.set(JAVA_BYTE, i, (byte) i);
            Memfd.pwrite(fd.fd(), src, 0);

            MemorySegment dst = arena.allocate(4096);
            assertEquals(4096, Memfd.pread(fd.fd(), dst, 0));
            assertEquals(-1, dst.mismatch(src));

            Memfd.truncate(fd, 1000);
            dst.fill((byte) 0x55);
            assertEquals(1000, Memfd.pread(fd.fd(), dst, 0), "short read, no fault");
            assertEquals(-1, dst.asSlice(0, 1000).mismatch(src.asSlice(0, 1000)));
            assertEquals((byte) 0x55, dst.get(JAVA_BYTE, 1000), "nothing written past what was read");
            assertEquals(0, Memfd.pread(fd.fd(), dst, 2000), "past the end reads nothing");
            assertEquals(500, Memfd.pread(fd.fd(), dst, 500));
        }
    }

    @Test
    void mappingSharesTheFileContents() throws Exception {
        try (OwnedFd fd = Memfd.create("mapped", 4096)) {
            MemorySegment map = Memfd.map(fd, 0, 4096, Memfd.PROT_READ | Memfd.PROT_WRITE);
            try {
                map.set(JAVA_BYTE, 100, (byte) 42);
                MemorySegment one = arena.allocate(1);
                assertEquals(1, Memfd.pread(fd.fd(), one, 100));
                assertEquals(42, one.get(JAVA_BYTE, 0));
            } finally {
                Memfd.unmap(map);
            }
            assertThrows(IllegalArgumentException.class, () -> Memfd.map(fd, 0, 0, Memfd.PROT_READ));
        }
    }

    @Test
    void nameShowsInProcAndCloseIsIdempotent() throws Exception {
        OwnedFd fd = Memfd.create("ferry-name-check", 1);
        int n = fd.fd();
        String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + n)).toString();
        assertTrue(target.contains("memfd:ferry-name-check"), target);
        assertTrue(Fds.isValid(n));
        assertEquals(liveAtStart + 1, OwnedFd.liveCount());
        fd.close();
        fd.close();
        assertThrows(IllegalStateException.class, fd::fd);
        assertEquals(liveAtStart, OwnedFd.liveCount());
    }

    @Test
    void transferLeavesTheLedgerAndDupEntersIt() throws Exception {
        try (OwnedFd fd = Memfd.create("dup", 16); OwnedFd copy = fd.dup()) {
            assertEquals(liveAtStart + 2, OwnedFd.liveCount());
            assertEquals(16, Memfd.size(copy));
            int raw = copy.transfer();
            assertEquals(liveAtStart + 1, OwnedFd.liveCount());
            assertTrue(Fds.isValid(raw));
            Fds.closeRaw(raw);
            copy.close(); // no-op: ownership went away with transfer()
        }
    }
}
