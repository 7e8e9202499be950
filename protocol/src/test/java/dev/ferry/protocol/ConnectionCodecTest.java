package dev.ferry.protocol;

import dev.ferry.posix.Fds;
import dev.ferry.posix.Memfd;
import dev.ferry.posix.MessageSocket;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.UnixSockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The codec end to end: a {@link WireWriter} on one {@link Connection}, a real socketpair, and
 * the other Connection's input validated by {@link MessageValidator} and read by
 * {@link WireReader}, as both sides of Ferry do it.
 */
class ConnectionCodecTest {
    static final String IFACE = "ferry_codec_test";

    /** opcode 0: every argument type once (plus the nullable variants). */
    static final Message ALL = new Message("all", 1,
            new byte[] {'i', 'u', 'f', 's', 's', 'a', 'o', 'o', 'n', 'h'},
            new String[] {"i", "u", "f", "s", "nullable_s", "a", "o", "nullable_o", "id", "fd"},
            new boolean[] {false, false, false, false, true, false, false, true, false, false},
            new String[] {null, null, null, null, null, null, IFACE, IFACE, IFACE, null}, false);
    /** opcode 1: an untyped new_id, like wl_registry.bind. */
    static final Message BIND = new Message("bind", 1, new byte[] {'u', 'n'}, new String[] {"name", "id"},
            new boolean[] {false, false}, new String[] {null, null}, false);
    /** opcode 2: one int, no fd. */
    static final Message PLAIN = new Message("plain", 1, new byte[] {'i'}, new String[] {"v"},
            new boolean[] {false}, new String[] {null}, false);
    /** opcode 3: an fd and an int. */
    static final Message WITH_FD = new Message("with_fd", 1, new byte[] {'h', 'i'}, new String[] {"fd", "v"},
            new boolean[] {false, false}, new String[] {null, null}, false);

    /** What the dispatcher decoded, one entry per message. */
    record Decoded(int opcode, Object[] args) {}

    static final List<Decoded> DECODED = new ArrayList<>();
    static ObjectSpace<WireObject> receiverObjects;

    static final Interface TEST = new Interface(IFACE, 1,
            new Message[] {ALL, BIND, PLAIN, WITH_FD}, new Message[0],
            (target, opcode, in) -> {
                switch (opcode) {
                    case 0 -> {
                        Object[] a = {in.nextInt(), in.nextUint(), in.nextFixed(), in.nextString(), in.nextString(),
                                in.nextArray().toArray(JAVA_BYTE), in.nextObject(), in.nextObject(), in.nextNewId(),
                                in.nextFd()};
                        receiverObjects.put(new Obj((int) a[8]));
                        DECODED.add(new Decoded(0, a));
                    }
                    case 1 -> {
                        Object[] a = {in.nextUint(), in.nextString(), in.nextUint(), in.nextNewId()};
                        receiverObjects.put(new Obj((int) a[3]));
                        DECODED.add(new Decoded(1, a));
                    }
                    case 2 -> DECODED.add(new Decoded(2, new Object[] {in.nextInt()}));
                    case 3 -> DECODED.add(new Decoded(3, new Object[] {in.nextFd(), in.nextInt()}));
                    default -> throw new IllegalArgumentException("opcode " + opcode);
                }
            }, null);

    record Obj(int id) implements WireObject {
        @Override public Interface iface() { return TEST; }
        @Override public int version() { return 1; }
    }

    private int liveAtStart;
    private Arena arena;
    private Connection sender;
    private Connection receiver;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final Obj target = new Obj(1);

    @BeforeEach
    void setUp() throws Exception {
        liveAtStart = OwnedFd.liveCount();
        arena = Arena.ofConfined();
        OwnedFd[] pair = UnixSockets.pair();
        sender = new Connection(pair[0], 1 << 20);
        receiver = new Connection(pair[1], 1 << 20);
        DECODED.clear();
        receiverObjects = new ObjectSpace<>();
        receiverObjects.put(target);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Decoded d : DECODED) for (Object a : d.args) if (a instanceof OwnedFd fd) fd.close();
        for (AutoCloseable c : toClose) c.close();
        sender.close();
        receiver.close();
        arena.close();
        assertEquals(liveAtStart, OwnedFd.liveCount(), () -> "fds left open: " + OwnedFd.liveFds());
        assertEquals(0, openMemfds("ferry-codec"), "a memfd copy is still open somewhere");
    }

    // ---- helpers ----

    /** One end of a fresh socketpair; the other end is closed at tear-down. */
    private OwnedFd oneEnd() throws Exception {
        OwnedFd[] pair = UnixSockets.pair();
        toClose.add(pair[1]);
        return pair[0];
    }

    /** How many fds of this process refer to memfds whose name starts with prefix. */
    static int openMemfds(String prefix) throws IOException {
        int n = 0;
        try (var dir = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : dir) {
                try {
                    if (Files.readSymbolicLink(p).toString().startsWith("/memfd:" + prefix)) n++;
                } catch (IOException gone) {
                    // the directory stream's own fd, or one closed meanwhile
                }
            }
        }
        return n;
    }

    private OwnedFd memfd(String content) throws Exception {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        OwnedFd fd = Memfd.create("ferry-codec-" + content, Math.max(1, b.length));
        toClose.add(fd);
        MemorySegment src = arena.allocate(Math.max(1, b.length));
        MemorySegment.copy(b, 0, src, JAVA_BYTE, 0, b.length);
        Memfd.pwrite(fd.fd(), src.asSlice(0, b.length), 0);
        return fd;
    }

    private String contents(OwnedFd fd) throws Exception {
        long size = Memfd.size(fd);
        MemorySegment dst = arena.allocate(Math.max(1, size));
        long n = Memfd.pread(fd.fd(), dst.asSlice(0, size), 0);
        return new String(dst.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private static MemorySegment bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (0xa0 + i);
        return MemorySegment.ofArray(b);
    }

    private boolean writeAll(int i, int u, double f, String s, String ns, MemorySegment a, WireObject o,
                             WireObject no, int id, int fd) {
        return sender.writer().begin(target, 0, ALL).putInt(i).putUint(u).putFixed(f).putString(s).putString(ns)
                .putArray(a).putObject(o).putObject(no).putNewId(id).putFd(fd).end();
    }

    /** Reads everything the socket has (waiting up to a second for the first bytes). */
    private int pump() throws Exception {
        assertTrue(sender.flush(), "sender could not flush");
        int reads = 0;
        if (receiver.available() == 0) Fds.poll(receiver.fd().fd(), Fds.POLLIN, 1000);
        while (receiver.fill() > 0) reads++;
        return reads;
    }

    /** The receiving side's dispatch: the same steps as the server's, without a Display. */
    private int decode() {
        WireReader reader = new WireReader(receiverObjects::get, receiver.fdsIn());
        int n = 0;
        while (receiver.available() >= 8) {
            int id = receiver.peekWord(0);
            int word = receiver.peekWord(4);
            int size = word >>> 16;
            assertTrue(size >= 8, "size " + size);
            if (receiver.available() < size) break;
            WireObject t = receiverObjects.get(id);
            assertNotNull(t, "object " + id);
            Message m = t.iface().requests()[word & 0xffff];
            long start = receiver.inputStart();
            String problem = MessageValidator.check(m, receiver.inputBuffer(), start + 8, start + size,
                    receiver.fdsIn().size(), receiverObjects, true);
            assertNull(problem, problem);
            reader.reset(receiver.inputBuffer(), start + 8);
            t.iface().requestDispatcher().dispatch(t, word & 0xffff, reader);
            receiver.consume(size);
            n++;
        }
        return n;
    }

    // ---- every type ----

    @Test
    void everyArgumentTypeRoundTripsAtItsBoundaries() throws Exception {
        String[] strings = {"", "ab", "abc", "abcd", "abcde", "żółw ✓ 日本語 \uD83D\uDE80"};
        int[] ints = {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE, 0x7fff_0000};
        int[] uints = {0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff};
        double[] fixeds = {-1.5, 123.25, -1 / 256.0, 1 / 256.0, 8388607.99609375, -8388608.0, 0.0, -0.75};
        int[] arrayLengths = {0, 1, 2, 3, 4, 5, 7, 8, 13};
        int rounds = Math.max(strings.length, Math.max(fixeds.length, arrayLengths.length));
        List<OwnedFd> sentFds = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            OwnedFd fd = memfd("fd" + r);
            sentFds.add(fd);
            assertTrue(writeAll(ints[r % ints.length], uints[r % uints.length], fixeds[r % fixeds.length],
                    strings[r % strings.length], r % 2 == 0 ? null : strings[(r + 1) % strings.length],
                    bytes(arrayLengths[r % arrayLengths.length]), target, r % 2 == 0 ? null : target,
                    2 + r, fd.fd()));
        }
        pump();
        assertEquals(rounds, decode());
        assertEquals(0, receiver.available());
        assertEquals(0, receiver.fdsIn().size());
        for (int r = 0; r < rounds; r++) {
            Object[] a = DECODED.get(r).args;
            assertEquals(ints[r % ints.length], a[0]);
            assertEquals(uints[r % uints.length], a[1]);
            assertEquals(Integer.toUnsignedLong(uints[r % uints.length]), Integer.toUnsignedLong((int) a[1]));
            assertEquals(fixeds[r % fixeds.length], (double) a[2], 0.0);
            assertEquals(strings[r % strings.length], a[3]);
            assertEquals(r % 2 == 0 ? null : strings[(r + 1) % strings.length], a[4]);
            assertArrayEquals(bytes(arrayLengths[r % arrayLengths.length]).toArray(JAVA_BYTE), (byte[]) a[5]);
            assertSame(target, a[6]);
            assertSame(r % 2 == 0 ? null : target, a[7]);
            assertEquals(2 + r, a[8]);
            assertNotNull(receiverObjects.get(2 + r));
            OwnedFd got = (OwnedFd) a[9];
            assertEquals("fd" + r, contents(got));
            assertFalse(got.fd() == sentFds.get(r).fd());
        }
    }

    @Test
    void fixedIsTwentyFourDotEightOnTheWire() {
        assertEquals(0x180, Fixed.fromDouble(1.5));
        assertEquals(-0x180, Fixed.fromDouble(-1.5));
        assertEquals(1, Fixed.fromDouble(1 / 256.0));
        assertEquals(0x7fffffff, Fixed.fromDouble(8388607.99609375));
        assertEquals(0x80000000, Fixed.fromDouble(-8388608.0));
        assertEquals(-2.0, Fixed.toDouble(0xfffffe00), 0.0);
    }

    @Test
    void stringsAreLengthPrefixedNulTerminatedAndPadded() throws Exception {
        // lengths with the NUL: 1, 3, 4, 5 -> padded payloads of 4, 4, 4, 8 bytes
        String[] values = {"", "ab", "abc", "abcd"};
        int[] expectedSizes = {8 + 4 + 4, 8 + 4 + 4, 8 + 4 + 4, 8 + 4 + 8};
        Message one = new Message("s", 1, new byte[] {'s'}, new String[] {"s"}, new boolean[] {true},
                new String[] {null}, false);
        for (String v : values) assertTrue(sender.writer().begin(target, 0, one).putString(v).end());
        assertTrue(sender.writer().begin(target, 0, one).putString(null).end());
        pump();
        long pos = receiver.inputStart();
        MemorySegment in = receiver.inputBuffer();
        for (int i = 0; i < values.length; i++) {
            int size = receiver.peekWord((int) (pos - receiver.inputStart()) + 4) >>> 16;
            assertEquals(expectedSizes[i], size, "message size for \"" + values[i] + "\"");
            int len = receiver.peekWord((int) (pos - receiver.inputStart()) + 8);
            assertEquals(values[i].length() + 1, len);
            for (int b = len - 1; b < ((len + 3) & ~3); b++) {
                assertEquals(0, in.get(JAVA_BYTE, pos + 12 + b), "NUL and padding are zero");
            }
            assertNull(MessageValidator.check(one, in, pos + 8, pos + size, 0, receiverObjects, true));
            pos += size;
        }
        assertEquals(12, receiver.peekWord((int) (pos - receiver.inputStart()) + 4) >>> 16, "null string is one word");
        assertEquals(0, receiver.peekWord((int) (pos - receiver.inputStart()) + 8));
    }

    @Test
    void untypedNewIdCarriesInterfaceAndVersion() throws Exception {
        assertTrue(sender.writer().begin(target, 1, BIND).putUint(7).putString("wl_compositor").putUint(6)
                .putNewId(2).end());
        assertTrue(sender.writer().begin(target, 1, BIND).putUint(0xffffffff).putString("abc").putUint(1)
                .putNewId(3).end());
        pump();
        assertEquals(8 + 4 + (4 + 16) + 4 + 4, receiver.peekWord(4) >>> 16);
        assertEquals(2, decode());
        assertArrayEquals(new Object[] {7, "wl_compositor", 6, 2}, DECODED.get(0).args);
        assertArrayEquals(new Object[] {0xffffffff, "abc", 1, 3}, DECODED.get(1).args);
    }

    // ---- framing ----

    @Test
    void severalMessagesInOneReadAllDecode() throws Exception {
        for (int i = 0; i < 500; i++) assertTrue(sender.writer().begin(target, 2, PLAIN).putInt(i).end());
        assertEquals(500 * 12, sender.pendingOutput());
        assertEquals(1, pump(), "one read takes all");
        assertEquals(500, decode());
        for (int i = 0; i < 500; i++) assertEquals(i, DECODED.get(i).args[0]);
    }

    /** Moves what the sender flushed into a byte array and raw fds (owned by the caller). */
    private byte[] intercept(Connection from, MessageSocket peer, List<Integer> fds) throws Exception {
        assertTrue(from.flush());
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        MemorySegment buf = arena.allocate(65536);
        Fds.poll(peer.fd().fd(), Fds.POLLIN, 1000);
        long n;
        while ((n = peer.receive(buf, 0, buf.byteSize(), fds::add)) > 0) all.writeBytes(buf.asSlice(0, n).toArray(JAVA_BYTE));
        return all.toByteArray();
    }

    @Test
    void aMessageDeliveredOneByteAtATimeDecodesOnceComplete() throws Exception {
        // Encode through a real Connection, capture the bytes, then trickle them to the receiver.
        OwnedFd[] p1 = UnixSockets.pair();
        Connection encoder = new Connection(p1[0], 1 << 20);
        MessageSocket tap = new MessageSocket(p1[1]);
        toClose.add(encoder);
        toClose.add(tap);
        OwnedFd fd = memfd("trickled");
        encoder.writer().begin(target, 0, ALL).putInt(-5).putUint(0xffffffff).putFixed(-2.5).putString("abcd")
                .putString("non-ASCII ✓").putArray(bytes(5)).putObject(target).putObject(null).putNewId(2)
                .putFd(fd.fd()).end();
        encoder.writer().begin(target, 2, PLAIN).putInt(42).end();
        List<Integer> fds = new ArrayList<>();
        byte[] stream = intercept(encoder, tap, fds);
        assertEquals(1, fds.size());
        int firstSize = 8 + 4 * 3 + (4 + 8) + (4 + 16) + (4 + 8) + 4 * 3;
        assertEquals(firstSize + 12, stream.length);

        // The sender's socket: the fd goes with the first byte, as sendmsg attaches it.
        MessageSocket trickle = new MessageSocket(senderSocketReplacement());
        toClose.add(trickle);
        MemorySegment one = arena.allocate(1);
        int[] fdArray = {fds.getFirst()};
        for (int i = 0; i < stream.length; i++) {
            one.set(JAVA_BYTE, 0, stream[i]);
            assertEquals(1, trickle.send(one, 0, 1, fdArray, i == 0 ? 1 : 0));
            if (i == 0) Fds.closeRaw(fdArray[0]); // the kernel holds its own reference now
            Fds.poll(receiver.fd().fd(), Fds.POLLIN, 1000);
            assertEquals(1, receiver.fill());
            int decoded = decode();
            int expected = (i + 1 == firstSize ? 1 : 0) + (i + 1 == stream.length ? 1 : 0);
            assertEquals(expected, decoded, "after byte " + (i + 1));
            if (i == 0) assertEquals(1, receiver.fdsIn().size(), "fd queued with the first byte");
        }
        assertEquals(2, DECODED.size());
        Object[] a = DECODED.getFirst().args;
        assertEquals(-5, a[0]);
        assertEquals("abcd", a[3]);
        assertEquals("non-ASCII ✓", a[4]);
        assertEquals("trickled", contents((OwnedFd) a[9]));
        assertEquals(42, DECODED.get(1).args[0]);
    }

    /** Replaces the sender Connection's socket with a raw one on the same pair (for hand-made sends). */
    private OwnedFd senderSocketReplacement() throws Exception {
        sender.close();
        OwnedFd[] pair = UnixSockets.pair();
        receiver.close();
        receiver = new Connection(pair[1], 1 << 20);
        sender = new Connection(oneEnd(), 1 << 20);
        return pair[0];
    }

    @Test
    void fdsThatArriveWithEarlierBytesWaitForTheirMessage() throws Exception {
        // plain(1), with_fd(a, 2), plain(3), with_fd(b, 4): both fds ride on the very first byte.
        OwnedFd a = memfd("early-a");
        OwnedFd b = memfd("early-b");
        byte[] stream = Bytes.concat(
                Bytes.message(1, 2).word(1).build(),
                Bytes.message(1, 3).word(2).build(),
                Bytes.message(1, 2).word(3).build(),
                Bytes.message(1, 3).word(4).build());
        MessageSocket raw = new MessageSocket(senderSocketReplacement());
        toClose.add(raw);
        MemorySegment seg = arena.allocate(stream.length);
        MemorySegment.copy(stream, 0, seg, JAVA_BYTE, 0, stream.length);
        assertEquals(4, raw.send(seg, 0, 4, new int[] {a.fd(), b.fd()}, 2));
        assertEquals(stream.length - 4, raw.send(seg, 4, stream.length - 4, new int[0], 0));
        Fds.poll(receiver.fd().fd(), Fds.POLLIN, 1000);
        while (receiver.fill() > 0) { }
        assertEquals(2, receiver.fdsIn().size());
        assertEquals(4, decode());
        assertEquals(1, DECODED.get(0).args[0]);
        assertEquals("early-a", contents((OwnedFd) DECODED.get(1).args[0]));
        assertEquals(2, DECODED.get(1).args[1]);
        assertEquals(3, DECODED.get(2).args[0]);
        assertEquals("early-b", contents((OwnedFd) DECODED.get(3).args[0]));
        assertEquals(0, receiver.fdsIn().size());
    }

    @Test
    void moreThanTwentyEightFdsAreSplitAcrossSendsAtMessageBoundaries() throws Exception {
        int count = 70;
        for (int i = 0; i < count; i++) {
            OwnedFd fd = memfd("many-" + i);
            assertTrue(sender.writer().begin(target, 3, WITH_FD).putFd(fd.fd()).putInt(i).end());
        }
        assertEquals(count, sender.outFdCount());
        assertTrue(sender.flush());
        assertEquals(0, sender.outFdCount(), "queued duplicates closed once sent");
        for (int tries = 0; DECODED.size() < count && tries < 100; tries++) {
            Fds.poll(receiver.fd().fd(), Fds.POLLIN, 100);
            while (receiver.fill() > 0) { }
            decode();
        }
        assertEquals(count, DECODED.size());
        for (int i = 0; i < count; i++) {
            assertEquals(i, DECODED.get(i).args[1]);
            assertEquals("many-" + i, contents((OwnedFd) DECODED.get(i).args[0]));
        }
    }

    // ---- output limits ----

    @Test
    void outputPastItsBoundDropsTheMessageWholeWithItsFds() throws Exception {
        Connection small = new Connection(oneEnd(), Connection.MAX_MESSAGE_SIZE);
        toClose.add(small);
        OwnedFd fd = memfd("bounded");
        Obj t = new Obj(1);
        int written = 0;
        while (small.writer().begin(t, 3, WITH_FD).putFd(fd.fd()).putInt(written).end()) written++;
        assertTrue(small.overflowed());
        assertEquals(written * 12L, small.pendingOutput());
        assertEquals(written, small.outFdCount(), "the dropped message's fd duplicate was closed");
        assertEquals(1 + written, openMemfds("ferry-codec-bounded"));
        assertFalse(small.writer().begin(t, 2, PLAIN).putInt(1).end(), "an overflowed connection takes nothing");
        small.close();
        toClose.remove(small);
        assertEquals(1, openMemfds("ferry-codec-bounded"), "close releases queued duplicates");
    }

    @Test
    void aMessageOverTheWireLimitIsRefusedAndTheWriterStaysUsable() throws Exception {
        Message one = new Message("a", 1, new byte[] {'a'}, new String[] {"a"}, new boolean[] {false},
                new String[] {null}, false);
        assertThrows(IllegalArgumentException.class,
                () -> sender.writer().begin(target, 0, one).putArray(MemorySegment.ofArray(new byte[70000])).end());
        assertEquals(0, sender.pendingOutput());
        assertFalse(sender.overflowed());
        assertTrue(sender.writer().begin(target, 2, PLAIN).putInt(9).end());
        pump();
        assertEquals(1, decode());
        assertEquals(9, DECODED.getFirst().args[0]);
    }

    @Test
    void outputGrowsPastItsInitialSizeAndKeepsOrder() throws Exception {
        Message one = new Message("a", 1, new byte[] {'a'}, new String[] {"a"}, new boolean[] {false},
                new String[] {null}, false);
        byte[] big = new byte[60000];
        Arrays.fill(big, (byte) 7);
        for (int i = 0; i < 3; i++) assertTrue(sender.writer().begin(target, 0, one).putArray(MemorySegment.ofArray(big)).end());
        assertEquals(3 * (8 + 4 + 60000L), sender.pendingOutput());
        assertTrue(sender.flush());
        int reads = 0;
        long total = 0;
        while (total < 3 * 60012L && reads < 1000) {
            Fds.poll(receiver.fd().fd(), Fds.POLLIN, 100);
            long n;
            while ((n = receiver.fill()) > 0) total += n;
            reads++;
            while (receiver.available() >= 8 && receiver.available() >= (receiver.peekWord(4) >>> 16)) {
                assertEquals(60012, receiver.peekWord(4) >>> 16);
                assertEquals(60000, receiver.peekWord(8));
                receiver.consume(60012);
            }
        }
        assertEquals(3 * 60012L, total);
    }

    // ---- validation, without a server ----

    @Test
    void validatorNamesWhatIsWrong() {
        Message s = new Message("s", 1, new byte[] {'s'}, new String[] {"s"}, new boolean[] {false},
                new String[] {null}, false);
        Message a = new Message("a", 1, new byte[] {'a'}, new String[] {"a"}, new boolean[] {false},
                new String[] {null}, false);
        assertTrue(check(s, Bytes.message(1, 0).word(4).raw((byte) 'a', (byte) 'b', (byte) 'c', (byte) 'd'))
                .contains("not NUL-terminated"));
        assertTrue(check(s, Bytes.message(1, 0).word(200).raw(new byte[8])).contains("runs past"));
        assertTrue(check(s, Bytes.message(1, 0).word(0)).contains("null string"));
        assertTrue(check(s, Bytes.message(1, 0)).contains("too short"));
        assertTrue(check(s, Bytes.message(1, 0).word(0xfffffffc).raw(new byte[8])).contains("runs past"));
        assertTrue(check(a, Bytes.message(1, 0).word(5).raw(new byte[4])).contains("runs past"));
        assertTrue(check(a, Bytes.message(1, 0).word(0).word(0)).contains("left over"));
        assertNull(check(a, Bytes.message(1, 0).word(5).raw(new byte[8])));
        assertTrue(check(PLAIN, Bytes.message(1, 2).word(1).word(2)).contains("left over"));
        assertTrue(check(WITH_FD, Bytes.message(1, 3).word(1)).contains("file descriptor expected"));
        assertTrue(check(ALL, Bytes.message(1, 0).word(0).word(0).word(0).string("x").word(0).word(0)
                .word(9).word(0).word(2)).contains("unknown object 9"));
        assertTrue(check(ALL, Bytes.message(1, 0).word(0).word(0).word(0).string("x").word(0).word(0)
                .word(0).word(0).word(2)).contains("null object"));
        assertTrue(check(BIND, Bytes.message(1, 1).word(1).string("x").word(1).word(1)).contains("in use"));
        assertTrue(check(BIND, Bytes.message(1, 1).word(1).string("x").word(1).word(5)).contains("skips ahead"));
        assertTrue(check(BIND, Bytes.message(1, 1).word(1).string("x").word(1).word(0xff000001)).contains("server's range"));
        assertTrue(check(BIND, Bytes.message(1, 1).word(1).string("x").word(1)).contains("too short"));
        assertNull(check(BIND, Bytes.message(1, 1).word(1).string("x").word(1).word(2)));
    }

    private String check(Message m, Bytes message) {
        byte[] b = message.build();
        MemorySegment seg = arena.allocate(b.length + 8);
        MemorySegment.copy(b, 0, seg, JAVA_BYTE, 0, b.length);
        String problem = MessageValidator.check(m, seg, 8, b.length, 0, receiverObjects, true);
        return problem == null ? null : problem;
    }
}
