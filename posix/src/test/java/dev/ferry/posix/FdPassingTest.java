package dev.ferry.posix;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SCM_RIGHTS over a real socketpair: counts at and beyond the per-send limit, that a received
 * fd is the same open file, that it arrives close-on-exec, and that nothing leaks.
 */
class FdPassingTest {
    private static final int O_CLOEXEC = 02000000;

    private int liveAtStart;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Arena arena;
    private MessageSocket a;
    private MessageSocket b;

    @BeforeEach
    void setUp() throws PosixException {
        liveAtStart = OwnedFd.liveCount();
        arena = Arena.ofConfined();
        OwnedFd[] pair = UnixSockets.pair();
        a = new MessageSocket(pair[0]);
        b = new MessageSocket(pair[1]);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) c.close();
        a.close();
        b.close();
        arena.close();
        assertEquals(liveAtStart, OwnedFd.liveCount(), () -> "fds left open: " + OwnedFd.liveFds());
    }

    private OwnedFd memfd(String name, String content) throws PosixException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        OwnedFd fd = Memfd.create(name, bytes.length);
        toClose.add(fd);
        MemorySegment src = arena.allocate(bytes.length);
        MemorySegment.copy(bytes, 0, src, JAVA_BYTE, 0, bytes.length);
        Memfd.pwrite(fd.fd(), src, 0);
        return fd;
    }

    private String readAll(int fd) throws PosixException {
        long size = Memfd.size(fd);
        MemorySegment dst = arena.allocate(Math.max(1, size));
        long n = Memfd.pread(fd, dst.asSlice(0, size), 0);
        return new String(dst.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private long send(String text, int[] fds, int count) throws PosixException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        MemorySegment seg = arena.allocate(bytes.length);
        MemorySegment.copy(bytes, 0, seg, JAVA_BYTE, 0, bytes.length);
        return a.send(seg, 0, bytes.length, fds, count);
    }

    /** Receives everything waiting; received fds are adopted (and closed at tear-down). */
    private String receive(List<OwnedFd> into) throws PosixException {
        MemorySegment buf = arena.allocate(4096);
        StringBuilder text = new StringBuilder();
        while (true) {
            long n = b.receive(buf, 0, buf.byteSize(), raw -> {
                OwnedFd fd = OwnedFd.adopt(raw, "received");
                toClose.add(fd);
                into.add(fd);
            });
            if (n <= 0) break;
            text.append(new String(buf.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8));
        }
        return text.toString();
    }

    private static int fdinfoFlags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) return Integer.parseInt(line.substring(6).trim(), 8);
        }
        throw new IllegalStateException("no flags line for fd " + fd);
    }

    @Test
    void oneFdRefersToTheSameFile() throws Exception {
        OwnedFd file = memfd("one", "hello");
        assertEquals(3, send("msg", new int[] {file.fd()}, 1));
        List<OwnedFd> got = new ArrayList<>();
        assertEquals("msg", receive(got));
        assertEquals(1, got.size());
        OwnedFd received = got.getFirst();
        assertFalse(received.fd() == file.fd(), "the kernel installs a new number");
        assertEquals("hello", readAll(received.fd()));

        // Written through the received fd, read through the original: one open file.
        MemorySegment more = arena.allocateFrom("HELLO", StandardCharsets.UTF_8).asSlice(0, 5);
        Memfd.pwrite(received.fd(), more, 0);
        assertEquals("HELLO", readAll(file.fd()));
        Memfd.truncate(received, 2);
        assertEquals(2, Memfd.size(file));
    }

    @Test
    void receivedFdsAreCloseOnExec() throws Exception {
        // The sent fd is deliberately not close-on-exec: only MSG_CMSG_CLOEXEC can set it on arrival.
        OwnedFd plain = Fds.open("/proc/self/stat", Fds.O_RDONLY, 0);
        toClose.add(plain);
        int noCloexec = Fds.fcntl(plain.fd(), 0 /* F_DUPFD */, 0, "fcntl(F_DUPFD)");
        OwnedFd sent = OwnedFd.adopt(noCloexec, "dup without cloexec");
        toClose.add(sent);
        assertEquals(0, fdinfoFlags(sent.fd()) & O_CLOEXEC);

        send("x", new int[] {sent.fd()}, 1);
        List<OwnedFd> got = new ArrayList<>();
        receive(got);
        assertEquals(1, got.size());
        assertEquals(O_CLOEXEC, fdinfoFlags(got.getFirst().fd()) & O_CLOEXEC);
    }

    @Test
    void twentyEightFdsInOneSendArriveInOrder() throws Exception {
        int[] fds = new int[MessageSocket.MAX_FDS_PER_SEND];
        for (int i = 0; i < fds.length; i++) fds[i] = memfd("f" + i, "content " + i).fd();
        send("twenty-eight", fds, fds.length);
        List<OwnedFd> got = new ArrayList<>();
        assertEquals("twenty-eight", receive(got));
        assertEquals(28, got.size());
        for (int i = 0; i < got.size(); i++) assertEquals("content " + i, readAll(got.get(i).fd()));
        for (OwnedFd fd : got) assertEquals(O_CLOEXEC, fdinfoFlags(fd.fd()) & O_CLOEXEC);
    }

    @Test
    void moreThanTwentyEightFdsAreRefusedInOneSendAndArriveInOrderAcrossTwo() throws Exception {
        int total = 61;
        int[] fds = new int[total];
        for (int i = 0; i < total; i++) fds[i] = memfd("g" + i, "file " + i).fd();
        int[] batch = new int[MessageSocket.MAX_FDS_PER_SEND + 1];
        System.arraycopy(fds, 0, batch, 0, batch.length);
        assertThrows(IllegalArgumentException.class, () -> send("too many", batch, batch.length));

        List<OwnedFd> got = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int sent = 0, part = 0; sent < total; part++) {
            int n = Math.min(MessageSocket.MAX_FDS_PER_SEND, total - sent);
            int[] chunk = new int[n];
            System.arraycopy(fds, sent, chunk, 0, n);
            send("part" + part + ";", chunk, n);
            sent += n;
            text.append(receive(got));
        }
        assertEquals("part0;part1;part2;", text.toString());
        assertEquals(total, got.size());
        for (int i = 0; i < total; i++) assertEquals("file " + i, readAll(got.get(i).fd()));
    }

    @Test
    void sendOnAFullSocketReportsMinusOneAndSendsNoFds() throws Exception {
        UnixSockets.setSendBuffer(a.fd(), 4096);
        MemorySegment big = arena.allocate(64 * 1024);
        long total = 0;
        long n;
        while ((n = a.send(big, 0, big.byteSize(), new int[0], 0)) > 0) total += n;
        assertEquals(-1, n);
        OwnedFd file = memfd("late", "late");
        assertEquals(-1, send("y", new int[] {file.fd()}, 1), "a full socket takes neither bytes nor fds");
        List<OwnedFd> got = new ArrayList<>();
        MemorySegment buf = arena.allocate(64 * 1024);
        long read = 0;
        while ((n = b.receive(buf, 0, buf.byteSize(), raw -> got.add(OwnedFd.adopt(raw, "unexpected")))) > 0) read += n;
        toClose.addAll(got);
        assertEquals(total, read);
        assertTrue(got.isEmpty());
    }

    @Test
    void receiveReportsEndOfStream() throws Exception {
        a.close();
        MemorySegment buf = arena.allocate(16);
        assertEquals(0, b.receive(buf, 0, 16, raw -> { throw new AssertionError("fd " + raw); }));
        OwnedFd[] pair = UnixSockets.pair();
        a = new MessageSocket(pair[0]);
        pair[1].close();
    }

    @Test
    void pollSeesReadableAfterSend() throws Exception {
        assertEquals(0, Fds.poll(b.fd().fd(), Fds.POLLIN, 0));
        send("z", new int[0], 0);
        assertEquals(Fds.POLLIN, Fds.poll(b.fd().fd(), Fds.POLLIN, 1000) & Fds.POLLIN);
        assertEquals("z", receive(new ArrayList<>()));
        assertThrows(IllegalArgumentException.class, () -> Fds.poll(b.fd().fd(), Fds.POLLIN, -1));
    }

    @Test
    void listenAcceptConnectOverAPath(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String path = dir.resolve("s").toString();
        try (OwnedFd listener = UnixSockets.listen(path, 4)) {
            assertEquals(null, UnixSockets.accept(listener));
            try (OwnedFd client = UnixSockets.connect(path); OwnedFd server = UnixSockets.accept(listener)) {
                assertTrue(server != null);
                int[] cred = UnixSockets.peerCredentials(server);
                assertEquals(ProcessHandle.current().pid(), cred[0]);
                assertEquals(Fds.getuid(), cred[1]);
                byte[] hello = "hi".getBytes(StandardCharsets.UTF_8);
                try (MessageSocket c = new MessageSocket(OwnedFd.adopt(client.transfer(), "client"));
                     MessageSocket s = new MessageSocket(OwnedFd.adopt(server.transfer(), "server"))) {
                    MemorySegment seg = arena.allocate(2);
                    MemorySegment.copy(hello, 0, seg, JAVA_BYTE, 0, 2);
                    assertEquals(2, c.send(seg, 0, 2, new int[0], 0));
                    MemorySegment in = arena.allocate(8);
                    assertEquals(2, s.receive(in, 0, 8, raw -> { }));
                    assertArrayEquals(hello, in.asSlice(0, 2).toArray(JAVA_BYTE));
                }
            }
        }
        assertThrows(PosixException.class, () -> UnixSockets.connect(path + "-missing"));
    }
}
