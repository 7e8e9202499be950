package dev.ferry.compositor.robustness;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.FerryServer;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.drm.DmaBuf;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.Usage;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import dev.ferry.protocol.server.Client;
import dev.ferry.protocol.fuzz.JazzerCorpus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of linux-dmabuf's params path on a running kms Ferry (fake-drm devices,
 * the CPU renderer): each input is a program for one client, decoded op by op, that makes
 * params objects, adds planes with real fds (fake-drm dma-bufs of several layouts and memory,
 * a plain sealed memfd, an unsealed one, an eventfd), and creates buffers with {@code create} and
 * {@code create_immed} at chosen or wild sizes, formats, modifiers, offsets, strides and flags,
 * then attaches them to a surface and commits. Whatever it sent, the client is either answered
 * (its {@code wl_display.sync} comes back) or cut off with a protocol error that is not
 * Ferry's own failure ({@code implementation}); once it is gone every fd it passed is closed
 * (the process's fd count is back to where it was), and the compositor serves the next client.
 *
 * <p>Decoding bytes as ops (rather than Jazzer's FuzzedDataProvider) keeps the corpus replayable
 * without Jazzer's agent. A plain test run replays the committed corpus; {@code scripts/fuzz
 * dmabuf} runs the fuzzer.
 */
class DmabufParamsFuzzTest {
    private static final int DISPLAY = 1, REGISTRY = 2, COMPOSITOR = 3, DMABUF = 4, SURFACE = 5, FIRST_FREE = 6;
    private static final int MAX_OPS = 64;
    private static final int[] FORMATS = {Fourcc.XRGB8888, Fourcc.ARGB8888, Fourcc.NV12, Fourcc.ABGR8888, 0, 0x20203852};
    private static final long[] MODIFIERS = {Modifiers.LINEAR, Modifiers.INVALID, Modifiers.FAKE_TILED_4X4,
            Modifiers.FAKE_TILED_16X16_COLUMN, 0x0100000000000001L, -1L};
    private static final int[] SIZES = {64, 1, 0, -1, 65, 32, 4096, 16385, Integer.MAX_VALUE, Integer.MIN_VALUE};
    private static final int[] OFFSETS = {0, 4096, 64 * 64 * 4, 64 * 64 * 4 - 4, -1, 1, 0x7fffffff, 256};
    private static final int[] STRIDES = {256, 0, 64 * 4, 255, 4, -1, 0x10000, 128};

    private static Path runtimeDir;
    private static Compositor ferry;
    private static Path socket;
    private static FakeKernel clientKernel;
    /** The fds an add may pass, by index: every kind the params path must tell apart. */
    private static final List<OwnedFd> fds = new ArrayList<>();
    private static final List<DmaBuf> buffers = new ArrayList<>();
    private static Map<String, Integer> globals;
    private static int dmabufVersion;
    private static List<String> fdBaseline;
    private static int ownedBaseline;
    /** An fd that is no memory at all. */
    private static dev.ferry.posix.EventFd eventFd;
    private static final ConcurrentLinkedQueue<Client> connected = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws Exception {
        runtimeDir = Files.createTempDirectory("ferry-fuzz-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        ferry = Compositor.create(Compositor.Options.kms(runtimeDir, "wayland-fuzz", KmsBackend.Config.of("laptop-igpu"))
                .withRenderer("cpu"));
        ferry.startThread();
        socket = runtimeDir.resolve(ferry.socketName());
        ferry.onLoop(() -> {
            ferry.display().onClientCreated(connected::add);
            return null;
        });
        clientKernel = FakeKernel.open("laptop-igpu");
        var card0 = clientKernel.device("card0");
        buffers.add(card0.allocate(64, 64, Fourcc.XRGB8888, new long[] {Modifiers.LINEAR}, Usage.RENDERING | Usage.LINEAR));
        buffers.add(card0.allocate(64, 64, Fourcc.ARGB8888, new long[] {Modifiers.FAKE_TILED_4X4}, Usage.RENDERING));
        buffers.add(card0.allocate(100, 30, Fourcc.XRGB8888, new long[] {Modifiers.LINEAR}, Usage.SCANOUT | Usage.LINEAR));
        for (DmaBuf b : buffers) fds.add(b.fd(0));
        OwnedFd sealed = Memfd.create("ferry-fuzz-plain", 64 * 64 * 4);
        Memfd.addSeals(sealed, Memfd.F_SEAL_SHRINK);
        fds.add(sealed);
        fds.add(Memfd.create("ferry-fuzz-unsealed", 64 * 64 * 4));
        eventFd = new dev.ferry.posix.EventFd();
        fds.add(eventFd.fd());
        try (RawWaylandSocket c = new RawWaylandSocket(socket)) {
            globals = c.globals();
        }
        dmabufVersion = dev.ferry.compositor.dmabuf.LinuxDmabufGlobal.VERSION;
    }

    @AfterAll
    static void stop() throws Exception {
        if (ferry != null) ferry.close();
        for (DmaBuf b : buffers) b.close();
        for (int i = buffers.size(); i < fds.size(); i++) fds.get(i).close();
        if (clientKernel != null) clientKernel.close();
    }

    /** Replays the committed corpus in a plain test run (without Jazzer's agent). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void corpusReplays(String name, byte[] input) throws Exception {
        anyParamsProgramLeavesTheCompositorServingAndNoFdBehind(input);
    }

    static Stream<Arguments> corpus() throws Exception {
        return JazzerCorpus.of(DmabufParamsFuzzTest.class, "anyParamsProgramLeavesTheCompositorServingAndNoFdBehind");
    }

    /** The fuzzer itself (scripts/fuzz sets JAZZER_FUZZ), over the same corpus. */
    @FuzzTest(maxDuration = "60s")
    @EnabledIfEnvironmentVariable(named = "JAZZER_FUZZ", matches = ".+")
    void anyParamsProgramLeavesTheCompositorServingAndNoFdBehind(byte[] input) throws Exception {
        connected.clear();
        if (fdBaseline == null) {
            // Taken before the first input, once the fuzzer (if any) has opened what it keeps.
            fdBaseline = openFds();
            ownedBaseline = OwnedFd.liveCount();
        }
        Program p = new Program(ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN));
        byte[] answer;
        try (RawWaylandSocket c = new RawWaylandSocket(socket)) {
            c.send(RawWaylandSocket.join(
                    RawWaylandSocket.message(DISPLAY, 1, -1, REGISTRY),
                    RawWaylandSocket.bind(globals, "wl_compositor", 4, COMPOSITOR),
                    RawWaylandSocket.bind(globals, "zwp_linux_dmabuf_v1", dmabufVersion, DMABUF),
                    RawWaylandSocket.message(COMPOSITOR, 0, -1, SURFACE)));
            p.run(c);
            answer = c.roundtrip(p.nextId++);
        }
        RawWaylandSocket.DisplayError error = RawWaylandSocket.findError(answer);
        if (error != null) {
            // wl_display.error's implementation code on the display itself; a params object's
            // code 3 is its own (incomplete).
            assertTrue(error.objectId() != DISPLAY || error.code() != 3, "Ferry failed in its own code: " + error);
            assertTrue(!error.message().contains("compositor failed"), error.toString());
        }
        Client client = connected.poll();
        assertTrue(client != null || FerryServer.eventually(Duration.ofSeconds(5), () -> !connected.isEmpty()), "never connected");
        if (client == null) client = connected.poll();
        Client seen = client;
        assertTrue(FerryServer.eventually(Duration.ofSeconds(10), () -> ferry.onLoop(seen::disconnected)),
                "the compositor never let the client go");
        // Every fd it passed, and everything Ferry opened for its buffers, closed with it.
        assertTrue(FerryServer.eventually(Duration.ofSeconds(5), () -> OwnedFd.liveCount() == ownedBaseline && openFds().equals(fdBaseline)),
                () -> "fds left open after the client went: " + OwnedFd.liveCount() + " owned (" + ownedBaseline + " before); in the"
                        + " process and not before: " + difference(openFds(), fdBaseline));
        assertEquals(Boolean.TRUE, ferry.onLoop(() -> Boolean.TRUE), "the loop still serves");
    }

    /**
     * One client's requests, decoded from the input: each op is a byte choosing the request,
     * then bytes choosing its arguments (mostly from lists of telling values, sometimes raw).
     * Ids: params and buffers get fresh ids, and arguments refer to them by index, or now and
     * then to an id that was never made.
     */
    private static final class Program {
        final ByteBuffer in;
        final List<Integer> params = new ArrayList<>();
        final List<Integer> buffers = new ArrayList<>();
        int nextId = FIRST_FREE;

        Program(ByteBuffer in) {
            this.in = in;
        }

        void run(RawWaylandSocket c) throws Exception {
            for (int op = 0; op < MAX_OPS && in.hasRemaining(); op++) {
                if (!c.sendQuietly(next(), nextFds)) return; // cut off: what it said is read by the round trip
            }
        }

        private int[] nextFds = new int[0];

        /** The next request's bytes; its fds in nextFds. */
        private byte[] next() {
            nextFds = new int[0];
            int op = u8() % 9;
            return switch (op) {
                case 0 -> {
                    int id = nextId++;
                    params.add(id);
                    yield RawWaylandSocket.message(DMABUF, 1, -1, id);
                }
                case 1 -> {
                    int fd = u8() % (fds.size() + 1);
                    nextFds = fd < fds.size() ? new int[] {fds.get(fd).fd()} : new int[0]; // no fd: the message lacks one
                    long modifier = pick(MODIFIERS);
                    yield RawWaylandSocket.message(ref(params), 1, -1, u8() % 6 - 1, pick(OFFSETS), pick(STRIDES),
                            (int) (modifier >>> 32), (int) modifier);
                }
                case 2 -> RawWaylandSocket.message(ref(params), 2, -1, pick(SIZES), pick(SIZES), pick(FORMATS), flags());
                case 3 -> {
                    int id = nextId++;
                    buffers.add(id);
                    yield RawWaylandSocket.message(ref(params), 3, -1, id, pick(SIZES), pick(SIZES), pick(FORMATS), flags());
                }
                case 4 -> RawWaylandSocket.message(ref(params), 0, -1);
                case 5 -> RawWaylandSocket.message(ref(buffers), 0, -1);
                case 6 -> RawWaylandSocket.join(RawWaylandSocket.message(SURFACE, 1, -1, ref(buffers), 0, 0),
                        RawWaylandSocket.message(SURFACE, 2, -1, 0, 0, 64, 64), RawWaylandSocket.message(SURFACE, 6, -1));
                case 7 -> {
                    int id = nextId++;
                    yield u8() % 2 == 0 ? RawWaylandSocket.message(DMABUF, 2, -1, id) : RawWaylandSocket.message(DMABUF, 3, -1, id, SURFACE);
                }
                default -> {
                    // A created buffer's id is only known from its `created` event: a client
                    // guessing the next server id (0xff000000 up) and using it.
                    int id = 0xff000000 + u8() % 4;
                    yield RawWaylandSocket.join(RawWaylandSocket.message(SURFACE, 1, -1, id, 0, 0), RawWaylandSocket.message(SURFACE, 6, -1));
                }
            };
        }

        private int flags() {
            int b = u8();
            return b < 200 ? 0 : (b < 250 ? 1 << (b % 3) : u32());
        }

        /** An id made earlier (by index), 0, or one never made. */
        private int ref(List<Integer> made) {
            int b = u8();
            if (b < 240 && !made.isEmpty()) return made.get(b % made.size());
            return b % 2 == 0 ? 0 : nextId + 7;
        }

        private int pick(int[] values) {
            int b = u8();
            return b < 224 ? values[b % values.length] : u32();
        }

        private long pick(long[] values) {
            int b = u8();
            return b < 224 ? values[b % values.length] : ((long) u32() << 32) | (u32() & 0xffffffffL);
        }

        private int u8() {
            return in.hasRemaining() ? in.get() & 0xff : 0;
        }

        private int u32() {
            return in.remaining() >= 4 ? in.getInt() : u8();
        }
    }

    /** What after holds beyond before (both sorted lists of fd targets). */
    private static List<String> difference(List<String> after, List<String> before) {
        List<String> extra = new ArrayList<>(after);
        for (String b : before) extra.remove(b);
        return extra;
    }

    /**
     * The process's fds by what they are, less the JVM's own (jars and modules it opens as it
     * loads classes, which Jazzer's agent makes it do mid-run) and the listing's own. Socket and
     * pipe inodes are dropped: their kind is what must match.
     */
    private static List<String> openFds() {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (target.endsWith(".jar") || target.contains("/lib/modules") || target.endsWith(".so")) continue;
                    // Directories: the fuzzer listing its corpus (Ferry opens none).
                    if (Files.isDirectory(Path.of(target))) continue;
                    out.add(target.replaceAll("\\[\\d+]", "[]"));
                } catch (java.io.IOException gone) {
                    // the listing's own fd
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        java.util.Collections.sort(out);
        return out;
    }

}
