package dev.ferry.drm;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.posix.Fds;
import dev.ferry.posix.MessageSocket;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.UnixSockets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A buffer allocated in a child process is recognised and imported here from its fd alone. */
@ExtendWith(NoFdLeaks.class)
class CrossProcessTest {
    @Test
    void childAllocatesParentImportsByFd(@TempDir Path dir) throws Exception {
        String path = dir.resolve("alloc.sock").toString();
        List<DmaBuf> received = new ArrayList<>();
        try (OwnedFd listener = UnixSockets.listen(path, 1)) {
            String javaBin = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
            Process child = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), ChildAllocator.class.getName(), path)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
            try {
                assertTrue((Fds.poll(listener.fd(), Fds.POLLIN, 30_000) & Fds.POLLIN) != 0, "child connects");
                try (MessageSocket socket = new MessageSocket(UnixSockets.accept(listener));
                     Arena arena = Arena.ofConfined()) {
                    MemorySegment bytes = arena.allocate(2L * ChildAllocator.MESSAGE);
                    List<OwnedFd> fds = new ArrayList<>();
                    long got = 0;
                    while (got < bytes.byteSize()) {
                        assertTrue((Fds.poll(socket.fd().fd(), Fds.POLLIN, 30_000) & Fds.POLLIN) != 0, "child sends");
                        long n = socket.receive(bytes, got, bytes.byteSize() - got, fd -> fds.add(OwnedFd.adopt(fd, "received dma-buf")));
                        assertTrue(n != 0, "child hung up early: " + java.nio.file.Files.readString(dir.resolve("child.log")));
                        if (n > 0) got += n;
                    }
                    assertEquals(2, fds.size());
                    for (int i = 0; i < 2; i++) {
                        long at = (long) i * ChildAllocator.MESSAGE;
                        received.add(DmaBuf.adopt(bytes.get(ValueLayout.JAVA_INT_UNALIGNED, at),
                                bytes.get(ValueLayout.JAVA_INT_UNALIGNED, at + 4),
                                bytes.get(ValueLayout.JAVA_INT_UNALIGNED, at + 8),
                                bytes.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 20),
                                new OwnedFd[] {fds.get(i)},
                                new int[] {bytes.get(ValueLayout.JAVA_INT_UNALIGNED, at + 12)},
                                new int[] {bytes.get(ValueLayout.JAVA_INT_UNALIGNED, at + 16)}));
                    }
                    checkImports(received.get(0), received.get(1), child.pid());
                    socket.send(bytes, 0, 1, new int[0], 0);
                }
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, child.exitValue(), () -> readLog(dir));
            } finally {
                child.destroyForcibly();
                received.forEach(DmaBuf::close);
            }
        }
    }

    private static String readLog(Path dir) {
        try {
            return java.nio.file.Files.readString(dir.resolve("child.log"));
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static void checkImports(DmaBuf sys, DmaBuf vram, long childPid) {
        try (FakeKernel k = FakeKernel.open("hybrid-laptop")) {
            FakeDevice igpu = k.device("card0"), dgpu = k.device("card1");
            BufferIdentity sysId = sys.identity(), vramId = vram.identity();
            assertEquals("card0", sysId.exporter());
            assertEquals(MemoryDomain.SYSTEM, sysId.domain());
            assertEquals(childPid, sysId.id() >>> 32, "allocated by the child");
            assertEquals(Modifiers.FAKE_TILED_4X4, sys.modifier());
            assertEquals("card1", vramId.exporter());
            assertEquals(MemoryDomain.VRAM, vramId.domain());

            assertEquals(ImportRejection.MEMORY_UNREACHABLE, igpu.importDmaBuf(vram, ImportPurpose.SAMPLING).rejection());
            ImportResult onDgpu = dgpu.importDmaBuf(vram, ImportPurpose.SAMPLING);
            assertTrue(onDgpu.ok(), onDgpu::toString);
            onDgpu.handle().close();

            ImportResult r = igpu.importDmaBuf(sys, ImportPurpose.SCANOUT);
            assertTrue(r.ok(), r::toString);
            try (BufferHandle h = r.handle()) {
                int fb = igpu.addFramebuffer(h).fbId();
                Connector edp = igpu.connectors().get(0);
                int crtc = igpu.crtcs().get(0).id();
                AtomicRequest req = new AtomicRequest().setCrtc(crtc, true, edp.preferredMode()).setConnector(edp.id(), crtc)
                        .setPlane(igpu.planes().get(0).id(), crtc, fb, ChildAllocator.W, ChildAllocator.H, 0, 0);
                assertTrue(igpu.commit(req, AtomicFlags.ALLOW_MODESET, 0), () -> String.valueOf(req.rejection()));
                ScanoutImage shot = igpu.readScanout(crtc);
                int[] want = Patterns.image(ChildAllocator.W, ChildAllocator.H, Fourcc.XRGB8888);
                assertEquals(0, Patterns.mismatches(shot, 0, 0, want, ChildAllocator.W, ChildAllocator.H, 0),
                        "the child's pixels, de-tiled, on the parent's screen");
                igpu.removeFramebuffer(fb);
            }
        }
    }
}
