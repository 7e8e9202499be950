package dev.ferry.compositor.nested;

import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.FerryServer;
import dev.ferry.compositor.backend.nested.NestedBackend;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.compositor.scene.Window;
import dev.ferry.protocol.loop.EventLoop;
import dev.ferry.protocol.server.Display;
import dev.ferry.renderer.Renderer;
import dev.ferry.renderer.Renderers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static dev.ferry.compositor.FerryServer.eventually;
import static dev.ferry.compositor.FerryServer.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ferry nested inside Ferry headless, both in this process: the nested Ferry is a real Wayland
 * client of the outer one over its socket, and what the inner clients draw must show up on the
 * outer output where the nested window is.
 */
@Timeout(60)
class NestedFerryTest {
    /** A colour no other pixel on either screen has. */
    static final int MARK = 0x3366cc;

    /** The host and the private directory; each test starts its nested Ferry (or backend) its own way. */
    private NestedInHeadless fixture;
    private FerryServer outer;
    private Path nestedDir;
    private Compositor nested;

    @BeforeEach
    void start() throws Exception {
        fixture = NestedInHeadless.hostOnly(1920, 1080);
        outer = fixture.outer();
        nestedDir = fixture.nestedDir();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            // One started its own way is closed here; the fixture closes the one it started.
            if (nested != null && nested != fixture.nested()) nested.close();
        } finally {
            fixture.close();
        }
    }

    private String outerSocket() {
        return fixture.outerSocket();
    }

    private Compositor startNested(int width, int height) throws Exception {
        nested = fixture.startPlain(width, height);
        return nested;
    }

    /** A client program on the nested Ferry. */
    /** A client program on the nested Ferry that {@link #startNested} started. */
    private Process startInNested(String... command) throws IOException {
        return fixture.startInNested(Path.of(command[0]).getFileName() + ".log", java.util.Map.of(), command);
    }

    private Window innerWindow(String title) {
        return fixture.innerWindow(title);
    }

    @Test
    void innerClientsShowOnTheOuterScreenWhereTheNestedWindowIs() throws Exception {
        startNested(800, 600);
        assertTrue(eventually(Duration.ofSeconds(5), () -> outer.window("Ferry nested") != null), "the nested window never mapped on the outer Ferry");
        Window host = outer.window("Ferry nested");
        int[] hostRect = outer.windowRect(host);
        assertEquals(800, hostRect[2]);
        assertEquals(600, hostRect[3]);

        Process shm = startInNested("weston-simple-shm");
        try (WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             ShmWindow marked = new ShmWindow(client, "marked", 120, 90, true)) {
            assertTrue(eventually(Duration.ofSeconds(10), () -> innerWindow("simple-shm") != null), "simple-shm never mapped in the nested Ferry");
            assertTrue(marked.draw(ShmWindow.fill(MARK)));
            for (int i = 0; i < 5; i++) {
                assertTrue(marked.awaitFrame(2000), "no frame callback through the nested Ferry");
                marked.draw(ShmWindow.fill(MARK));
            }
            Window m = innerWindow("marked");
            Window s = innerWindow("simple-shm");
            int[] mr = nested.onLoop(() -> new int[] {m.x(), m.y()});
            int[] sr = nested.onLoop(() -> new int[] {s.x(), s.y(), s.surface().width(), s.surface().height()});
            // Wait for a frame of the outer Ferry that has both.
            assertTrue(eventually(Duration.ofSeconds(3), () -> outer.screenshot().at(hostRect[0] + mr[0] + 60, hostRect[1] + mr[1] + 45) == (0xff000000 | MARK)),
                    "the marked window's colour never reached the outer screen");

            Compositor.Screenshot shot = outer.screenshot();
            // The whole marked window (mapped last, so on top), pixel for pixel.
            for (int y = 0; y < 90; y++) {
                for (int x = 0; x < 120; x++) {
                    int ox = hostRect[0] + mr[0] + x, oy = hostRect[1] + mr[1] + y;
                    assertEquals(0xff000000 | MARK, shot.at(ox, oy), "outer pixel at " + ox + "," + oy);
                }
            }
            // simple-shm's rings, drawn by a libwayland client inside the nested Ferry, on the outer screen.
            int lit = 0;
            for (int y = sr[1] + 20; y < sr[1] + sr[3] - 20; y += 5) {
                for (int x = sr[0] + 20; x < sr[0] + sr[2] - 20; x += 5) {
                    boolean underMarked = x >= mr[0] && x < mr[0] + 120 && y >= mr[1] && y < mr[1] + 90;
                    if (!underMarked && (shot.at(hostRect[0] + x, hostRect[1] + y) & 0xffffff) != 0) lit++;
                }
            }
            assertTrue(lit > 600, "simple-shm's area on the outer screen is mostly black: " + lit + " lit samples");
            // Outside the nested window the outer Ferry shows its own black background.
            assertEquals(0xff000000, shot.at(1900, 1060));

            // Frames keep flowing, paced by the outer Ferry's frame callbacks.
            long before = outer.commits(host);
            Thread.sleep(1000);
            long perSecond = outer.commits(host) - before;
            System.out.println("nested frames committed to the outer Ferry in 1 s (simple-shm animating): " + perSecond);
            assertTrue(perSecond >= 20 && perSecond <= 65, perSecond + " nested frames in a second at 60 Hz");
        } finally {
            shm.destroy();
            waitFor(shm, Duration.ofSeconds(5));
        }
    }

    @Test
    void nestedFerryEndsCleanlyWithinASecondWhenTheHostGoesAway() throws Exception {
        nested = Compositor.create(Compositor.Options.nested(nestedDir, "wayland-nested", outerSocket())
                .withRenderer("cpu").withOutputs(1, 320, 240, 60_000));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread loop = runNested(failure);
        assertTrue(eventually(Duration.ofSeconds(5), () -> outer.window("Ferry nested") != null));
        long start = System.nanoTime();
        fixture.closeHost();
        loop.join(1000);
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertFalse(loop.isAlive(), "the nested loop still runs a second after the host went away");
        assertNull(failure.get(), "the nested loop ended with an exception");
        System.out.println("nested Ferry stopped " + tookMs + " ms after the host closed");
        nested.close();
        nested = null;
    }

    /** Runs the nested Ferry's loop on a thread that records how it ended. */
    private Thread runNested(AtomicReference<Throwable> failure) {
        return Thread.ofPlatform().name("nested-loop").start(() -> {
            try {
                nested.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
    }

    @Test
    void nestedFerryEndsCleanlyWhenTheHostClosesItsWindow() throws Exception {
        nested = Compositor.create(Compositor.Options.nested(nestedDir, "wayland-nested", outerSocket())
                .withRenderer("cpu").withOutputs(1, 320, 240, 60_000));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread loop = runNested(failure);
        assertTrue(eventually(Duration.ofSeconds(5), () -> outer.window("Ferry nested") != null));
        // The outer Ferry has no window decorations to click: send xdg_toplevel.close as a host would.
        int sent = outer.compositor().onLoop(() -> {
            int n = 0;
            for (var client : outer.compositor().display().clients()) {
                for (int id = 1; id < 64; id++) {
                    var r = client.resource(id);
                    if (r != null && r.iface().name().equals("xdg_toplevel")) {
                        dev.ferry.protocol.interfaces.XdgToplevel.sendClose(r);
                        n++;
                    }
                }
            }
            return n;
        });
        assertEquals(1, sent);
        loop.join(1000);
        assertFalse(loop.isAlive(), "the nested loop still runs a second after its window was closed");
        assertNull(failure.get(), "the nested loop ended with an exception");
        nested.close();
        nested = null;
        // The nested Ferry left the outer one: its window is gone.
        assertTrue(eventually(Duration.ofSeconds(2), () -> outer.window("Ferry nested") == null));
    }

    @Test
    void oneHostWindowPerOutputSideBySide() throws Exception {
        nested = Compositor.create(Compositor.Options.nested(nestedDir, "wayland-nested", outerSocket())
                .withRenderer("cpu").withOutputs(2, 400, 300, 60_000));
        nested.startThread();
        assertTrue(eventually(Duration.ofSeconds(5), () -> outer.window("NESTED-1") != null && outer.window("NESTED-2") != null),
                "two nested windows on the outer Ferry");
        assertEquals(400, outer.windowRect(outer.window("NESTED-2"))[2]);
        int[][] layout = nested.onLoop(() -> nested.scene().outputs().stream().map(o -> new int[] {o.x(), o.width()}).toArray(int[][]::new));
        assertEquals(0, layout[0][0]);
        assertEquals(400, layout[1][0]);
    }

    @Test
    void presentationTimesInsideFollowTheHostsRefresh() throws Exception {
        startNested(640, 480);
        assertTrue(eventually(Duration.ofSeconds(5), () -> outer.window("Ferry nested") != null));
        Process p = startInNested("weston-presentation-shm");
        Thread.sleep(2000);
        p.destroy();
        waitFor(p, Duration.ofSeconds(5));
        String out = Files.readString(nestedDir.resolve("weston-presentation-shm.log"));
        // Lines like "  42: f2c  1 ms, c2p 16 ms, f2p 17 ms, p2p 16666 us, t2p  15616, [s___], seq 1034".
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("p2p\\s+(\\d+) us.*seq (\\d+)").matcher(out);
        int lines = 0, onGrid = 0;
        long lastSeq = -1;
        while (m.find()) {
            lines++;
            long seq = Long.parseLong(m.group(2));
            assertTrue(seq > lastSeq, "sequence goes forward:\n" + out);
            lastSeq = seq;
            long p2p = Long.parseLong(m.group(1));
            if (lines > 3 && p2p % 16666 <= 1 || lines > 3 && 16666 - p2p % 16666 <= 1) onGrid++;
        }
        System.out.println("presentation-shm inside the nested Ferry: " + lines + " presented frames in 2 s, " + onGrid + " on the host's 60 Hz grid");
        assertTrue(lines >= 30, "only " + lines + " presented frames reported:\n" + out);
        assertTrue(onGrid >= (lines - 3) * 9 / 10, onGrid + " of " + lines + " presentation intervals on the host's refresh grid:\n" + out);
    }

    @Test
    void aHostConfigureWithANewSizeResizesTheNestedOutput() throws Exception {
        // The backend alone on its own loop, so the test can ask it for fullscreen.
        EventLoop loop = new EventLoop();
        Display display = new Display(loop);
        Renderer renderer = Renderers.create("cpu");
        AtomicReference<NestedBackend> backendRef = new AtomicReference<>();
        Scene scene = new Scene(o -> backendRef.get().schedule(o));
        NestedBackend backend = new NestedBackend(new NestedBackend.Config(outerSocket(), 1, 640, 480, 60_000, null),
                display, scene, renderer, loop, null);
        backendRef.set(backend);
        backend.start();
        Thread t = Thread.ofPlatform().name("nested-loop").start(() -> {
            try {
                loop.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            Output out = scene.outputs().getFirst();
            assertEquals(640, out.width());
            assertTrue(eventually(Duration.ofSeconds(5), () -> outer.window("Ferry nested") != null));
            Window host = outer.window("Ferry nested");
            assertTrue(eventually(Duration.ofSeconds(2), () -> outer.windowRect(host)[2] == 640));

            loop.execute(() -> backend.setFullscreen(out, true));
            assertTrue(eventually(Duration.ofSeconds(3), () -> out.width() == 1920 && out.height() == 1080), "output is " + out);
            assertTrue(eventually(Duration.ofSeconds(3), () -> {
                int[] r = outer.windowRect(host);
                return r[0] == 0 && r[1] == 0 && r[2] == 1920 && r[3] == 1080;
            }), "the outer window is " + java.util.Arrays.toString(outer.windowRect(host)));
            NestedBackend.HostStats stats = onLoop(loop, () -> backend.hostStats(out));
            assertEquals(1920, stats.width());
            assertTrue(stats.buffers() <= 3, stats.buffers() + " host buffers");

            // Measurement: full-output damage every frame for a second at 1920x1080.
            long t0 = System.nanoTime();
            while (System.nanoTime() - t0 < 1_000_000_000L) {
                loop.execute(scene::damageAll);
                Thread.sleep(8);
            }
            NestedBackend.HostStats after = onLoop(loop, () -> backend.hostStats(out));
            long frames = after.commits() - stats.commits();
            double mib = (after.copiedBytes() - stats.copiedBytes()) / (double) (1 << 20);
            System.out.printf("nested 1920x1080, full damage: %d frames in 1 s, copy %.2f ms and %.1f MiB per frame, %d host buffers%n",
                    frames, (after.copyNs() - stats.copyNs()) / 1e6 / Math.max(1, frames), mib / Math.max(1, frames), after.buffers());
            assertTrue(frames >= 20, frames + " full frames in a second");

            loop.execute(() -> backend.setFullscreen(out, false));
            assertTrue(eventually(Duration.ofSeconds(3), () -> out.width() == 640 && out.height() == 480), "back to the windowed size: " + out);
            assertTrue(eventually(Duration.ofSeconds(3), () -> outer.windowRect(host)[2] == 640));
        } finally {
            loop.stop();
            t.join(2000);
            backend.close();
            renderer.close();
            display.close();
            loop.close();
        }
    }

    @Test
    void refusesToNestInsideItself() throws Exception {
        Exception e = assertThrows(Exception.class, () -> Compositor.create(Compositor.Options.nested(nestedDir, "wayland-self",
                nestedDir.resolve("wayland-self").toString()).withRenderer("cpu")));
        assertTrue(e.getMessage().contains("own socket"), e.getMessage());
    }

    static <T> T onLoop(EventLoop loop, java.util.function.Supplier<T> work) throws Exception {
        java.util.concurrent.CompletableFuture<T> f = new java.util.concurrent.CompletableFuture<>();
        loop.execute(() -> f.complete(work.get()));
        return f.get(5, java.util.concurrent.TimeUnit.SECONDS);
    }
}
