package dev.ferry.compositor.dmabuf;

import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.core.CompositorGlobal;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.compositor.socket.WaylandSocket;
import dev.ferry.drm.DmaBuf;
import dev.ferry.drm.FakeDevice;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.ImplicitFence;
import dev.ferry.drm.MemoryDomain;
import dev.ferry.drm.Usage;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;
import dev.ferry.kms.RenderDeviceChoice;
import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.interfaces.ZwpLinuxBufferParamsV1;
import dev.ferry.protocol.interfaces.ZwpLinuxDmabufFeedbackV1;
import dev.ferry.protocol.interfaces.ZwpLinuxDmabufV1;
import dev.ferry.protocol.loop.EventLoop;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * linux-dmabuf over a real socket: a Display with the compositor and linux-dmabuf globals on its
 * own event-loop thread, fake-drm devices from a preset, clients built on the generated classes.
 */
class LinuxDmabufTest {
    private static final long HYSTERESIS_NS = 60_000_000L;
    private static final long FENCE_DEADLINE_NS = 80_000_000L;

    private Server server;
    private final List<WaylandClient> clients = new ArrayList<>();
    private final List<DmaBuf> buffers = new ArrayList<>();

    /** The compositor side: loop, display, scene, wl_compositor and linux-dmabuf. */
    static final class Server implements AutoCloseable {
        final Path dir;
        final FakeKernel kernel;
        final EventLoop loop;
        final Display display;
        final Scene scene;
        final WaylandSocket socket;
        final LinuxDmabufGlobal dmabuf;
        final List<Surface> surfaces = new ArrayList<>();
        final Thread thread;

        Server(String preset) throws Exception {
            dir = Files.createTempDirectory("ferry-dmabuf-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            kernel = FakeKernel.open(preset);
            loop = new EventLoop();
            display = new Display(loop);
            scene = new Scene(o -> {});
            new CompositorGlobal(display, new Surface.SurfaceEvents() {
                @Override public void committed(Surface s) { if (!surfaces.contains(s)) surfaces.add(s); }
                @Override public void destroyed(Surface s) { surfaces.remove(s); }
            });
            dmabuf = new LinuxDmabufGlobal(display, kernel, RenderDeviceChoice.choose(kernel.devices(), null).device(), null,
                    new LinuxDmabufGlobal.Config(HYSTERESIS_NS, FENCE_DEADLINE_NS));
            socket = WaylandSocket.open(dir, "wayland-dmabuf-test");
            display.listen(socket.listener());
            thread = Thread.ofPlatform().name("dmabuf-test-loop").start(() -> {
                try {
                    loop.run();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        <T> T onLoop(Supplier<T> work) throws Exception {
            CompletableFuture<T> f = new CompletableFuture<>();
            loop.execute(() -> {
                try {
                    f.complete(work.get());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
            return f.get(5, TimeUnit.SECONDS);
        }

        WaylandClient connect() throws IOException {
            return WaylandClient.connect(dir.resolve(socket.name()).toString());
        }

        @Override
        public void close() throws Exception {
            loop.stop();
            thread.join(5000);
            display.close();
            dmabuf.close();
            socket.close();
            loop.close();
            kernel.close();
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private WaylandClient client() throws IOException {
        WaylandClient c = server.connect();
        clients.add(c);
        return c;
    }

    private DmaBuf allocate(FakeDevice d, int w, int h, int fourcc, long modifier, MemoryDomain placement) throws Exception {
        DmaBuf b = d.allocate(w, h, fourcc, new long[] {modifier}, Usage.RENDERING, placement);
        buffers.add(b);
        return b;
    }

    private static Proxy params(Proxy dmabuf, DmaBuf b) {
        Proxy p = ZwpLinuxDmabufV1.createParams(dmabuf);
        for (int i = 0; i < b.planeCount(); i++) {
            ZwpLinuxBufferParamsV1.add(p, b.fd(i), i, b.offset(i), b.stride(i), (int) (b.modifier() >>> 32), (int) b.modifier());
        }
        return p;
    }

    private static void expectError(WaylandClient c, Proxy on, int code) {
        try {
            for (int i = 0; i < 10; i++) c.roundtrip();
        } catch (IOException expected) {
            // the compositor sends the error and hangs up
        }
        assertTrue(c.display().failed(), "expected protocol error " + code);
        assertEquals(code, c.display().errorCode(), c.display().error());
        assertEquals(on.id(), c.display().errorObjectId(), c.display().error());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (WaylandClient c : clients) c.close();
        for (DmaBuf b : buffers) b.close();
        if (server != null) server.close();
    }

    // ---------------------------------------------------------------- params errors

    interface Case {
        Proxy run(Proxy dmabuf, DmaBuf buf) throws Exception;
    }

    private void paramsError(int code, Case c) throws Exception {
        WaylandClient cl = client();
        Proxy dmabuf = cl.bind(ZwpLinuxDmabufV1.INTERFACE, 5);
        DmaBuf buf = allocate(server.kernel.devices().get(0), 64, 32, Fourcc.XRGB8888, Modifiers.LINEAR, null);
        Proxy on = c.run(dmabuf, buf);
        expectError(cl, on, code);
    }

    @Test
    void everyParamsErrorHasItsCode() throws Exception {
        server = new Server("laptop-igpu");
        int lin = 0;
        paramsError(ZwpLinuxBufferParamsV1.ERROR_PLANE_IDX, (d, b) -> {
            Proxy p = ZwpLinuxDmabufV1.createParams(d);
            ZwpLinuxBufferParamsV1.add(p, b.fd(0), 4, 0, b.stride(0), 0, lin);
            return p;
        });
        paramsError(ZwpLinuxBufferParamsV1.ERROR_PLANE_SET, (d, b) -> {
            Proxy p = params(d, b);
            ZwpLinuxBufferParamsV1.add(p, b.fd(0), 0, 0, b.stride(0), 0, lin);
            return p;
        });
        paramsError(ZwpLinuxBufferParamsV1.ERROR_ALREADY_USED, (d, b) -> {
            Proxy p = params(d, b);
            ZwpLinuxBufferParamsV1.create(p, 64, 32, Fourcc.XRGB8888, 0);
            ZwpLinuxBufferParamsV1.add(p, b.fd(0), 1, 0, b.stride(0), 0, lin);
            return p;
        });
        paramsError(ZwpLinuxBufferParamsV1.ERROR_ALREADY_USED, (d, b) -> {
            Proxy p = params(d, b);
            ZwpLinuxBufferParamsV1.create(p, 64, 32, Fourcc.XRGB8888, 0);
            ZwpLinuxBufferParamsV1.create(p, 64, 32, Fourcc.XRGB8888, 0);
            return p;
        });
        paramsError(ZwpLinuxBufferParamsV1.ERROR_INCOMPLETE, (d, b) -> {
            Proxy p = ZwpLinuxDmabufV1.createParams(d);
            ZwpLinuxBufferParamsV1.add(p, b.fd(0), 1, 0, b.stride(0), 0, lin); // plane 0 missing
            ZwpLinuxBufferParamsV1.create(p, 64, 32, Fourcc.XRGB8888, 0);
            return p;
        });
        paramsError(ZwpLinuxBufferParamsV1.ERROR_INCOMPLETE, (d, b) -> {
            Proxy p = params(d, b); // NV12 needs two planes
            ZwpLinuxBufferParamsV1.create(p, 64, 32, Fourcc.NV12, 0);
            return p;
        });
        paramsError(ZwpLinuxBufferParamsV1.ERROR_INVALID_DIMENSIONS, (d, b) -> {
            Proxy p = params(d, b);
            ZwpLinuxBufferParamsV1.create(p, 0, 32, Fourcc.XRGB8888, 0);
            return p;
        });
        paramsError(ZwpLinuxBufferParamsV1.ERROR_OUT_OF_BOUNDS, (d, b) -> {
            Proxy p = ZwpLinuxDmabufV1.createParams(d);
            ZwpLinuxBufferParamsV1.add(p, b.fd(0), 0, 0, 1 << 20, 0, lin); // stride * height past the end
            ZwpLinuxBufferParamsV1.create(p, 64, 32, Fourcc.XRGB8888, 0);
            return p;
        });
        paramsError(ZwpLinuxBufferParamsV1.ERROR_OUT_OF_BOUNDS, (d, b) -> {
            Proxy p = ZwpLinuxDmabufV1.createParams(d);
            ZwpLinuxBufferParamsV1.add(p, b.fd(0), 0, 0xfffff000, b.stride(0), 0, lin); // offset overflow
            ZwpLinuxBufferParamsV1.create(p, 64, 32, Fourcc.XRGB8888, 0);
            return p;
        });
        paramsError(ZwpLinuxBufferParamsV1.ERROR_INVALID_FORMAT, (d, b) -> {
            Proxy p = params(d, b);
            ZwpLinuxBufferParamsV1.create(p, 64, 32, Fourcc.XRGB8888, 0x10); // unknown flag bit
            return p;
        });
        paramsError(ZwpLinuxBufferParamsV1.ERROR_INVALID_FORMAT, (d, b) -> {
            Proxy p = ZwpLinuxDmabufV1.createParams(d);
            ZwpLinuxBufferParamsV1.add(p, b.fd(0), 0, 0, b.stride(0), 0x0e000000, 77); // never advertised
            ZwpLinuxBufferParamsV1.create(p, 64, 32, Fourcc.XRGB8888, 0);
            return p;
        });
        paramsError(ZwpLinuxBufferParamsV1.ERROR_INVALID_FORMAT, (d, b) -> {
            Proxy p = ZwpLinuxDmabufV1.createParams(d);
            ZwpLinuxBufferParamsV1.add(p, b.fd(0), 0, 0, b.stride(0), 0, lin);
            long t = Modifiers.FAKE_TILED_4X4;
            ZwpLinuxBufferParamsV1.add(p, b.fd(0), 1, 0, b.stride(0), (int) (t >>> 32), (int) t); // mixed modifiers
            return p;
        });
        assertEquals(0, server.onLoop(() -> 0)); // the loop survived every client's error
    }

    // ---------------------------------------------------------------- import test

    @Test
    void createAnswersCreatedOrFailedAfterARealImportTest() throws Exception {
        server = new Server("dual-dgpu-nop2p");
        WaylandClient c = client();
        Proxy dmabuf = c.bind(ZwpLinuxDmabufV1.INTERFACE, 5);
        DmaBuf good = allocate(server.kernel.device("card0"), 64, 32, Fourcc.XRGB8888, Modifiers.LINEAR, MemoryDomain.SYSTEM);
        // Protected memory: only its own device may touch it, the CPU not at all. (Another GPU's
        // plain vram is no dead end: the CPU can read it, slowly, for a system-RAM copy.)
        DmaBuf unreachable = server.kernel.device("card1").allocate(64, 32, Fourcc.XRGB8888, new long[] {Modifiers.LINEAR},
                Usage.RENDERING | Usage.PROTECTED, MemoryDomain.VRAM);
        buffers.add(unreachable);
        String[] answers = new String[2];
        for (int i = 0; i < 2; i++) {
            int k = i;
            Proxy p = params(dmabuf, i == 0 ? good : unreachable);
            p.listen(new ZwpLinuxBufferParamsV1.Listener() {
                @Override public void created(Proxy self, Proxy buffer) { answers[k] = "created"; }
                @Override public void failed(Proxy self) { answers[k] = "failed"; }
            });
            ZwpLinuxBufferParamsV1.create(p, 64, 32, Fourcc.XRGB8888, 0);
        }
        c.roundtrip();
        assertArrayEquals(new String[] {"created", "failed"}, answers);
        assertFalse(c.display().failed());
    }

    @Test
    void anotherGpusVramIsCreatedForTheSystemRamCopy() throws Exception {
        server = new Server("dual-dgpu-nop2p");
        WaylandClient c = client();
        Proxy dmabuf = c.bind(ZwpLinuxDmabufV1.INTERFACE, 5);
        DmaBuf vram = allocate(server.kernel.device("card1"), 64, 32, Fourcc.XRGB8888, Modifiers.LINEAR, MemoryDomain.VRAM);
        String[] answer = new String[1];
        Proxy p = params(dmabuf, vram);
        p.listen(new ZwpLinuxBufferParamsV1.Listener() {
            @Override public void created(Proxy self, Proxy buffer) { answer[0] = "created"; }
            @Override public void failed(Proxy self) { answer[0] = "failed"; }
        });
        ZwpLinuxBufferParamsV1.create(p, 64, 32, Fourcc.XRGB8888, 0);
        c.roundtrip();
        assertEquals("created", answer[0], "card0 cannot reach card1's vram without p2p, but the CPU can");
    }

    @Test
    void createImmedFailureIsInvalidWlBuffer() throws Exception {
        server = new Server("dual-dgpu-nop2p");
        WaylandClient c = client();
        Proxy dmabuf = c.bind(ZwpLinuxDmabufV1.INTERFACE, 5);
        // Protected memory: only its own device may touch it, the CPU not at all. (Another GPU's
        // plain vram is no dead end: the CPU can read it, slowly, for a system-RAM copy.)
        DmaBuf unreachable = server.kernel.device("card1").allocate(64, 32, Fourcc.XRGB8888, new long[] {Modifiers.LINEAR},
                Usage.RENDERING | Usage.PROTECTED, MemoryDomain.VRAM);
        buffers.add(unreachable);
        Proxy p = params(dmabuf, unreachable);
        ZwpLinuxBufferParamsV1.createImmed(p, 64, 32, Fourcc.XRGB8888, 0);
        expectError(c, p, ZwpLinuxBufferParamsV1.ERROR_INVALID_WL_BUFFER);
    }

    // ---------------------------------------------------------------- versions below 4

    @Test
    void version3GetsFormatAndModifierEvents() throws Exception {
        server = new Server("laptop-igpu");
        WaylandClient c = client();
        List<Integer> formats = new ArrayList<>();
        List<long[]> pairs = new ArrayList<>();
        Proxy d = c.bind(ZwpLinuxDmabufV1.INTERFACE, 3);
        d.listen(new ZwpLinuxDmabufV1.Listener() {
            @Override public void format(Proxy self, int f) { formats.add(f); }
            @Override public void modifier(Proxy self, int f, int hi, int lo) {
                pairs.add(new long[] {f, ((long) hi << 32) | Integer.toUnsignedLong(lo)});
            }
        });
        c.roundtrip();
        FormatTableFile t = server.dmabuf.table();
        assertEquals(t.size(), pairs.size());
        for (int i = 0; i < t.size(); i++) {
            assertEquals(t.format(i), (int) pairs.get(i)[0]);
            assertEquals(t.modifier(i), pairs.get(i)[1]);
        }
        assertTrue(formats.contains(Fourcc.XRGB8888));
        assertTrue(t.contains(Fourcc.XRGB8888, Modifiers.FAKE_TILED_4X4), t.toString());
    }

    // ---------------------------------------------------------------- feedback

    /** What a feedback object received, batch by batch. */
    static final class FeedbackLog implements ZwpLinuxDmabufFeedbackV1.Listener {
        final List<List<long[]>> batches = new ArrayList<>(); // per batch: tranches {targetDevT, flags, n}
        List<long[]> current = new ArrayList<>();
        long[] tranche = new long[3];
        OwnedFd table;
        int tableSize;
        int tables;
        long mainDevT;

        @Override public void formatTable(Proxy self, OwnedFd fd, int size) {
            tables++;
            if (table != null) table.close();
            table = fd;
            tableSize = size;
        }
        @Override public void mainDevice(Proxy self, MemorySegment dev) { mainDevT = DmabufFeedback.devTOf(dev); }
        @Override public void trancheTargetDevice(Proxy self, MemorySegment dev) { tranche[0] = DmabufFeedback.devTOf(dev); }
        @Override public void trancheFlags(Proxy self, int flags) { tranche[1] = flags; }
        @Override public void trancheFormats(Proxy self, MemorySegment idx) { tranche[2] = idx.byteSize() / 2; }
        @Override public void trancheDone(Proxy self) {
            current.add(tranche);
            tranche = new long[3];
        }
        @Override public void done(Proxy self) {
            batches.add(current);
            current = new ArrayList<>();
        }
    }

    @Test
    void defaultFeedbackHasOneTrancheAndASealedReadOnlyTable() throws Exception {
        server = new Server("laptop-igpu");
        WaylandClient c = client();
        Proxy d = c.bind(ZwpLinuxDmabufV1.INTERFACE, 5);
        FeedbackLog log = new FeedbackLog();
        ZwpLinuxDmabufV1.getDefaultFeedback(d).listen(log);
        c.roundtrip();
        long main = server.kernel.device("card0").info().devT();
        assertEquals(1, log.batches.size());
        assertEquals(1, log.batches.get(0).size());
        assertArrayEquals(new long[] {main, 0, server.dmabuf.table().size()}, log.batches.get(0).get(0));
        assertEquals(main, log.mainDevT);
        try (OwnedFd t = log.table) {
            int seals = Memfd.seals(t);
            int want = Memfd.F_SEAL_SHRINK | Memfd.F_SEAL_GROW | Memfd.F_SEAL_WRITE;
            assertEquals(want, seals & want, "seals " + seals);
            assertEquals(16L * server.dmabuf.table().size(), log.tableSize);
            assertThrows(Exception.class, () -> Memfd.map(t, 0, log.tableSize, Memfd.PROT_READ | Memfd.PROT_WRITE));
            MemorySegment m = Memfd.map(t, 0, log.tableSize, Memfd.PROT_READ);
            try {
                long[][] entries = FormatTableFile.decode(m);
                FormatTableFile table = server.dmabuf.table();
                for (int i = 0; i < entries.length; i++) {
                    assertEquals(Integer.toUnsignedLong(table.format(i)), entries[i][0]);
                    assertEquals(table.modifier(i), entries[i][1]);
                    assertEquals(0, m.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder()), 16L * i + 4));
                }
                // every advertised pair has a reader: the device samples it and the CPU path knows its layout
                for (long[] e : entries) assertTrue(server.kernel.device("card0").sampleFormats().supports((int) e[0], e[1]));
            } finally {
                Memfd.unmap(m);
            }
        }
        log.table = null;
    }

    @Test
    void surfaceFeedbackGainsAndLosesTheScanoutTrancheAfterTheHysteresis() throws Exception {
        server = new Server("laptop-igpu");
        WaylandClient c = client();
        Proxy comp = c.bind(WlCompositor.INTERFACE, 6);
        Proxy d = c.bind(ZwpLinuxDmabufV1.INTERFACE, 5);
        Proxy surface = WlCompositor.createSurface(comp);
        WlSurface.commit(surface);
        FeedbackLog log = new FeedbackLog();
        ZwpLinuxDmabufV1.getSurfaceFeedback(d, surface).listen(log);
        c.roundtrip();
        assertEquals(1, log.batches.size());
        FakeDevice card0 = server.kernel.device("card0");
        Output output = server.onLoop(() -> {
            Output o = new Output(server.display, "eDP-1", "test", "fake", "panel", 0, 0, 1920, 1080, 60_000);
            o.setScanoutTarget(new Output.ScanoutTarget(card0.info().devT(), "card0", card0.planes().get(0).formats()));
            return o;
        });
        Surface s = server.onLoop(() -> server.surfaces.get(0));
        FeedbackController fc = server.dmabuf.feedback();
        Runnable fixable = () -> fc.surfacePresented(output, s, PathKind.GPU_COMPOSITION,
                EnumSet.of(FallbackReason.MODIFIER_NOT_ON_PLANE), System.nanoTime());
        Runnable structural = () -> fc.surfacePresented(output, s, PathKind.GPU_COMPOSITION,
                EnumSet.of(FallbackReason.NOT_FULLSCREEN, FallbackReason.MODIFIER_NOT_ON_PLANE), System.nanoTime());

        // Fixable for less than the hysteresis, then structural: nothing is sent.
        server.onLoop(() -> { fixable.run(); return 0; });
        server.onLoop(() -> { structural.run(); return 0; });
        Thread.sleep(2 * HYSTERESIS_NS / 1_000_000);
        c.roundtrip();
        assertEquals(1, log.batches.size(), "a verdict that did not hold was sent");

        // Fixable and held: after the hysteresis, the timer sends a scanout tranche first.
        server.onLoop(() -> { fixable.run(); return 0; });
        Thread.sleep(HYSTERESIS_NS / 1_000_000 / 2);
        server.onLoop(() -> { fixable.run(); return 0; });
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (log.batches.size() < 2 && System.nanoTime() < deadline) {
            c.dispatch(20);
        }
        assertEquals(2, log.batches.size());
        List<long[]> b = log.batches.get(1);
        assertEquals(2, b.size());
        assertEquals(card0.info().devT(), b.get(0)[0]);
        assertEquals(ZwpLinuxDmabufFeedbackV1.TRANCHE_FLAGS_SCANOUT, b.get(0)[1]);
        assertTrue(b.get(0)[2] > 0 && b.get(0)[2] <= server.dmabuf.table().size());
        assertEquals(0, b.get(1)[1]);
        assertEquals(1, log.tables, "the table is sent once per feedback object");

        // The same verdict again, and direct scanout: nothing re-sent; the latency is recorded.
        for (int i = 0; i < 3; i++) server.onLoop(() -> { fixable.run(); return 0; });
        Thread.sleep(2 * HYSTERESIS_NS / 1_000_000);
        server.onLoop(() -> { fc.surfacePresented(output, s, PathKind.DIRECT_SCANOUT, EnumSet.noneOf(FallbackReason.class), 0); return 0; });
        c.roundtrip();
        assertEquals(2, log.batches.size(), "identical feedback re-sent");
        FeedbackController.SurfaceFeedback stats = server.onLoop(() -> fc.feedbackOf(s));
        assertTrue(stats.hasScanoutTranche());
        assertEquals(1, stats.changes());
        assertTrue(stats.changeToScanoutNs() >= 0);

        // A structural reason, held: the scanout tranche goes.
        server.onLoop(() -> { structural.run(); return 0; });
        deadline = System.nanoTime() + 2_000_000_000L;
        while (log.batches.size() < 3 && System.nanoTime() < deadline) c.dispatch(20);
        assertEquals(3, log.batches.size());
        assertEquals(1, log.batches.get(2).size());
        assertEquals(0, log.batches.get(2).get(0)[1]);
        if (log.table != null) log.table.close();
    }

    // ---------------------------------------------------------------- fences

    @Test
    void aNeverSignallingFenceKeepsThePreviousBufferWhileOthersFlow() throws Exception {
        server = new Server("laptop-igpu");
        FakeDevice card0 = server.kernel.device("card0");
        WaylandClient c = client();
        Proxy comp = c.bind(WlCompositor.INTERFACE, 6);
        Proxy d = c.bind(ZwpLinuxDmabufV1.INTERFACE, 5);
        DmaBuf a = allocate(card0, 64, 32, Fourcc.XRGB8888, Modifiers.LINEAR, null);
        DmaBuf hung = allocate(card0, 64, 32, Fourcc.XRGB8888, Modifiers.LINEAR, null);
        DmaBuf other = allocate(card0, 64, 32, Fourcc.XRGB8888, Modifiers.LINEAR, null);
        Proxy bufA = ZwpLinuxBufferParamsV1.createImmed(params(d, a), 64, 32, Fourcc.XRGB8888, 0);
        Proxy bufHung = ZwpLinuxBufferParamsV1.createImmed(params(d, hung), 64, 32, Fourcc.XRGB8888, 0);
        Proxy bufOther = ZwpLinuxBufferParamsV1.createImmed(params(d, other), 64, 32, Fourcc.XRGB8888, 0);
        Proxy s1 = WlCompositor.createSurface(comp);
        Proxy s2 = WlCompositor.createSurface(comp);
        WlSurface.attach(s1, bufA, 0, 0);
        WlSurface.commit(s1);
        c.roundtrip();
        Surface first = server.onLoop(() -> server.surfaces.get(0));
        Resource aRes = server.onLoop(() -> first.buffer().resource());

        server.kernel.setWriteFence(hung, ImplicitFence.NEVER);
        WlSurface.attach(s1, bufHung, 0, 0);
        WlSurface.commit(s1);
        long commitsBefore = server.onLoop(first::commitCount);
        // The other surface keeps committing while the first waits.
        for (int i = 0; i < 5; i++) {
            WlSurface.attach(s2, bufOther, 0, 0);
            WlSurface.damageBuffer(s2, 0, 0, 64, 32);
            WlSurface.commit(s2);
            c.roundtrip();
        }
        Surface second = server.onLoop(() -> server.surfaces.get(1));
        assertEquals(5, server.onLoop(second::commitCount));
        assertSame(aRes, server.onLoop(() -> first.buffer().resource()), "latched before the fence signalled");
        assertEquals(1, server.onLoop(() -> server.dmabuf.fences().pending()));

        Thread.sleep(2 * FENCE_DEADLINE_NS / 1_000_000);
        c.roundtrip();
        assertSame(aRes, server.onLoop(() -> first.buffer().resource()), "a buffer whose fence never signalled is shown");
        assertEquals(commitsBefore + 1, server.onLoop(first::commitCount), "the held commit applied without its buffer");
        FenceWaiter.Counts counts = server.onLoop(() -> server.dmabuf.fences().countsFor(first));
        assertEquals(new FenceWaiter.Counts(1, 0, 1), counts);
        assertEquals(0, server.onLoop(() -> server.dmabuf.fences().pending()));

        // A fence that signals soon is waited for and then latched.
        server.kernel.setWriteFence(hung, System.nanoTime() + 20_000_000L);
        WlSurface.attach(s1, bufHung, 0, 0);
        WlSurface.commit(s1);
        c.roundtrip();
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (server.onLoop(() -> first.buffer().resource()) == aRes && System.nanoTime() < deadline) Thread.sleep(5);
        assertNotSame(aRes, server.onLoop(() -> first.buffer().resource()));
        assertEquals(1, server.onLoop(() -> server.dmabuf.fences().countsFor(first)).signalled());
    }

    // ---------------------------------------------------------------- fds

    @Test
    void noFdLeaksOnAnyPath() throws Exception {
        int before = OwnedFd.liveCount();
        server = new Server("dual-dgpu-nop2p");
        int withServer = OwnedFd.liveCount();
        WaylandClient c = server.connect();
        Proxy comp = c.bind(WlCompositor.INTERFACE, 6);
        Proxy d = c.bind(ZwpLinuxDmabufV1.INTERFACE, 5);
        try (DmaBuf good = server.kernel.device("card0").allocate(64, 32, Fourcc.XRGB8888, new long[] {Modifiers.LINEAR}, Usage.RENDERING,
                     MemoryDomain.SYSTEM);
             DmaBuf bad = server.kernel.device("card1").allocate(64, 32, Fourcc.XRGB8888, new long[] {Modifiers.LINEAR},
                     Usage.RENDERING | Usage.PROTECTED, MemoryDomain.VRAM)) {
            ZwpLinuxBufferParamsV1.create(params(d, bad), 64, 32, Fourcc.XRGB8888, 0);     // failed
            Proxy unused = params(d, good);                                                  // destroyed unused
            ZwpLinuxBufferParamsV1.destroy(unused);
            Proxy b = ZwpLinuxBufferParamsV1.createImmed(params(d, good), 64, 32, Fourcc.XRGB8888, 0);
            Proxy s = WlCompositor.createSurface(comp);
            WlSurface.attach(s, b, 0, 0);
            WlSurface.commit(s);
            FeedbackLog log = new FeedbackLog();
            ZwpLinuxDmabufV1.getSurfaceFeedback(d, s).listen(log);
            c.roundtrip();
            if (log.table != null) log.table.close();
            Proxy p = params(d, good);
            ZwpLinuxBufferParamsV1.add(p, good.fd(0), 0, 0, good.stride(0), 0, 0);           // plane_set: error path
            try {
                for (int i = 0; i < 5; i++) c.roundtrip();
            } catch (IOException expected) {
            }
            assertTrue(c.display().failed());
        } finally {
            c.close();
        }
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (OwnedFd.liveCount() != withServer && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(withServer, OwnedFd.liveCount(), () -> "leaked: " + OwnedFd.liveFds());
        server.close();
        server = null;
        assertEquals(before, OwnedFd.liveCount(), () -> "leaked: " + OwnedFd.liveFds());
    }
}
