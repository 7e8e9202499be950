package dev.ferry.drm;

import dev.ferry.posix.EventFd;
import dev.ferry.posix.Fds;
import dev.ferry.posix.MessageSocket;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.UnixSockets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A timeline made in a child process is recognised here from its fd alone: this side sees the
 * child's job at point 1, hurries it with a deadline hint, waits for it through an eventfd on the
 * real clock, and signals point 2, which the child sees.
 */
@ExtendWith(NoFdLeaks.class)
class SyncobjCrossProcessTest {
    @Test
    void aChildsTimelineIsWaitedOnHurriedAndSignalledHere(@TempDir Path dir) throws Exception {
        String path = dir.resolve("timeline.sock").toString();
        try (OwnedFd listener = UnixSockets.listen(path, 1); FakeKernel k = FakeKernel.open("hybrid-laptop")) {
            String javaBin = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
            Process child = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), ChildTimeline.class.getName(), path)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
            try {
                assertTrue((Fds.poll(listener.fd(), Fds.POLLIN, 30_000) & Fds.POLLIN) != 0, "child connects");
                List<OwnedFd> fds = new ArrayList<>();
                try (MessageSocket socket = new MessageSocket(UnixSockets.accept(listener)); Arena arena = Arena.ofConfined()) {
                    MemorySegment one = arena.allocate(1);
                    while (fds.isEmpty()) {
                        assertTrue((Fds.poll(socket.fd().fd(), Fds.POLLIN, 30_000) & Fds.POLLIN) != 0, "child sends");
                        assertTrue(socket.receive(one, 0, 1, fd -> fds.add(OwnedFd.adopt(fd, "child's timeline"))) != 0, "child hung up");
                    }
                    Syncobjs s = k.device("card0").syncobjs();
                    int h;
                    try (OwnedFd fd = fds.getFirst()) {
                        h = s.importFd(fd);
                    }
                    assertTrue(s.materialised(h, 1), "the child's job is seen here");
                    assertTrue(s.setDeadline(h, 1, k.clock().nowNs() + 20_000_000L), "and hurried: 200 ms down to 20");
                    try (EventFd done = new EventFd()) {
                        s.eventfd(h, 1, 0, done.fd());
                        assertTrue((Fds.poll(done.fd().fd(), Fds.POLLIN, 5_000) & Fds.POLLIN) != 0, "the job signalled");
                    }
                    s.signal(h, 2);
                    s.destroy(h);
                    assertEquals(1, k.deadlineBoosts());
                }
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, child.exitValue(), () -> readLog(dir));
            } finally {
                child.destroyForcibly();
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
}
