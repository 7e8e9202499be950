package dev.ferry.compositor.nested;

import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.FerryServer;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlPointer;
import dev.ferry.protocol.interfaces.WlSeat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

import static dev.ferry.compositor.FerryServer.eventually;
import static dev.ferry.compositor.FerryServer.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Input through a nested Ferry: `ferry ctl input` on the outer Ferry (headless) moves, clicks
 * and types on the nested Ferry's window; the nested Ferry passes the host's pointer, keys,
 * keymap and modifiers on to the client under the pointer, which must see them as it would
 * on the host.
 */
@Timeout(90)
class NestedInputTest {
    private NestedInHeadless fixture;
    private FerryServer outer;
    private Path nestedDir;
    private Compositor nested;

    @BeforeEach
    void start() throws Exception {
        fixture = NestedInHeadless.plain(800, 600, Duration.ofSeconds(10));
        outer = fixture.outer();
        nestedDir = fixture.nestedDir();
        nested = fixture.nested();
    }

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) fixture.close();
    }

    /** A program inside with WAYLAND_DEBUG=1, whose log the tests read. */
    private Process startInNested(String log, String... command) throws IOException {
        return fixture.startInNested(log, java.util.Map.of("WAYLAND_DEBUG", "1"), command);
    }

    private String log(String name) {
        return fixture.log(name);
    }

    private int[] innerRect(String title) {
        return fixture.innerRect(title);
    }

    private void outerInput(String command) {
        fixture.outerInput(command);
    }

    @Test
    void outerClicksAndKeysReachTheInnerClientUnderThePointer() throws Exception {
        FerryServer.requireProgram("weston-eventdemo");
        Process p = startInNested("eventdemo.log", "stdbuf", "-oL", "weston-eventdemo", "--title=inner-eventdemo",
                "--log-key", "--log-button");
        try {
            assertTrue(eventually(Duration.ofSeconds(20), () -> innerRect("inner-eventdemo") != null), "eventdemo never mapped in the nested Ferry");
            int[] inner = innerRect("inner-eventdemo");
            int[] host = outer.windowRect(outer.window("Ferry nested"));
            int cx = inner[2] / 2, cy = inner[3] / 2;
            // The nested output fills its host window 1:1: outer layout = host window + inner layout.
            outerInput("move " + (host[0] + inner[0] + cx) + " " + (host[1] + inner[1] + cy));
            outerInput("click");
            outerInput("type aB");
            assertTrue(eventually(Duration.ofSeconds(10), () -> log("eventdemo.log").contains("unicode: 66, state: released")),
                    "keys never reached the inner client:\n" + log("eventdemo.log"));
            String out = log("eventdemo.log");
            assertTrue(Pattern.compile("wl_pointer@\\d+\\.enter\\(\\d+, wl_surface@\\d+, " + cx + "\\.0+, " + cy + "\\.0+\\)").matcher(out).find(),
                    "no pointer enter at the surface-local " + cx + "," + cy + ":\n" + out);
            assertTrue(out.contains("button: 272, state: pressed, x: " + cx + ", y: " + cy)
                    && out.contains("button: 272, state: released, x: " + cx + ", y: " + cy), "no left click at " + cx + "," + cy + ":\n" + out);
            // The outer Ferry's keymap and modifier state, passed on: 'a', then Shift+b as 'B' with Shift's bit.
            assertTrue(out.contains("key key: 30, unicode: 97, state: pressed, modifiers: 0x0"), out);
            assertTrue(out.contains("key key: 48, unicode: 66, state: pressed, modifiers: 0x1"), out);
            assertEquals("the host compositor's", nested.onLoop(() -> nested.seat().keymap().origin()));
        } finally {
            p.destroy();
            waitFor(p, Duration.ofSeconds(5));
        }
    }

    /**
     * A GTK 4 text entry inside the nested Ferry takes text typed on the outer one. The widget
     * factory focuses its first entry with its text selected, so typing replaces it; GTK tells
     * the compositor the entry's text through text-input-v3 (set_surrounding_text), which is
     * what is checked: the text as GTK holds it, not as pixels would have to be read.
     */
    @Test
    void gtkEntryInsideTheNestedFerryTakesTextTypedOnTheOuter() throws Exception {
        FerryServer.requireProgram("gtk4-widget-factory");
        ProcessBuilder pb = new ProcessBuilder("gtk4-widget-factory");
        pb.environment().put("XDG_RUNTIME_DIR", nestedDir.toString());
        pb.environment().put("WAYLAND_DISPLAY", nested.socketName());
        pb.environment().put("GDK_BACKEND", "wayland");
        pb.environment().put("WAYLAND_DEBUG", "1");
        pb.environment().remove("DISPLAY");
        pb.redirectErrorStream(true);
        pb.redirectOutput(nestedDir.resolve("gtk.log").toFile());
        Process p = pb.start();
        try {
            assertTrue(eventually(Duration.ofSeconds(40), () -> log("gtk.log").contains("set_surrounding_text(\"comboboxentry\"")),
                    "GTK never focused its entry:\n" + tail(log("gtk.log")));
            outerInput("type Ferry 14");
            assertTrue(eventually(Duration.ofSeconds(20), () -> log("gtk.log").contains("set_surrounding_text(\"Ferry 14\", 8, 8)")),
                    "the GTK entry never held the typed text:\n" + tail(log("gtk.log")));
        } finally {
            p.destroy();
            waitFor(p, Duration.ofSeconds(5));
        }
    }

    private static String tail(String log) {
        return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
    }

    /**
     * Latency of input through the nested Ferry: from the outer Ferry's seat sending a motion
     * (the host event) to a client of the nested Ferry receiving it, over 300 motions. Printed
     * for BENCHMARKS.md; the bound only catches a pathology (events waiting for a frame or a timer).
     */
    @Test
    void pointerMotionReachesAnInnerClientQuickly() throws Exception {
        try (WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             ShmWindow window = new ShmWindow(client, "latency-probe", 300, 200, true)) {
            Proxy seat = client.bind(WlSeat.INTERFACE, 5);
            Proxy pointer = WlSeat.getPointer(seat);
            long[] receivedNs = {0};
            int[] motions = {0};
            pointer.listen(new WlPointer.Listener() {
                @Override
                public void motion(Proxy self, int time, double x, double y) {
                    receivedNs[0] = System.nanoTime();
                    motions[0]++;
                }
            });
            assertTrue(window.draw(ShmWindow.fill(0x336699)));
            client.roundtrip();
            assertTrue(eventually(Duration.ofSeconds(10), () -> innerRect("latency-probe") != null), "the probe never mapped");
            int[] inner = innerRect("latency-probe");
            int[] host = outer.windowRect(outer.window("Ferry nested"));
            int x0 = host[0] + inner[0], y0 = host[1] + inner[1] + 100;
            outerInput("move " + (x0 + 5) + " " + y0);
            client.roundtrip();
            int n = 300;
            long[] latencyNs = new long[n];
            for (int i = 0; i < n; i++) {
                int before = motions[0];
                long sentNs = System.nanoTime();
                outerInput("move " + (x0 + 10 + i % 250) + " " + y0);
                long deadline = sentNs + 5_000_000_000L;
                while (motions[0] == before && System.nanoTime() < deadline) client.dispatch(100);
                assertTrue(motions[0] > before, "motion " + i + " never arrived");
                latencyNs[i] = receivedNs[0] - sentNs;
            }
            java.util.Arrays.sort(latencyNs);
            long p50 = latencyNs[n / 2], p99 = latencyNs[n * 99 / 100];
            System.out.printf("nested input latency (outer seat -> inner client), %d motions: p50 %d us, p99 %d us%n",
                    n, p50 / 1000, p99 / 1000);
            assertTrue(p99 < 100_000_000L, "p99 " + p99 / 1000 + " us");
        }
    }

    /**
     * A cursor an inner client sets is the host's cursor: wl_pointer.set_cursor inside becomes
     * the outer Ferry's cursor (the client's own buffer, its hotspot), drawn by the outer Ferry
     * at its pointer, and the nested Ferry composes no cursor of its own; a cursor shape inside
     * becomes the outer Ferry's cursor shape.
     */
    @Test
    void aCursorSetInsideIsTheHostsCursorAndAShapeTheHostsShape() throws Exception {
        try (WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             ShmWindow window = new ShmWindow(client, "cursor-probe", 300, 200, true)) {
            Proxy seat = client.bind(WlSeat.INTERFACE, 5);
            Proxy pointer = WlSeat.getPointer(seat);
            int[] enterSerial = {-1};
            pointer.listen(new WlPointer.Listener() {
                @Override
                public void enter(Proxy self, int serial, Proxy surface, double x, double y) {
                    enterSerial[0] = serial;
                }
            });
            Proxy compositor = client.bind(dev.ferry.protocol.interfaces.WlCompositor.INTERFACE, 4);
            Proxy shm = client.bind(dev.ferry.protocol.interfaces.WlShm.INTERFACE, 1);
            assertTrue(window.draw(ShmWindow.fill(0x336699)));
            client.roundtrip();
            assertTrue(eventually(Duration.ofSeconds(10), () -> innerRect("cursor-probe") != null), "the probe never mapped");
            int[] inner = innerRect("cursor-probe");
            int[] host = outer.windowRect(outer.window("Ferry nested"));
            int px = host[0] + inner[0] + 150, py = host[1] + inner[1] + 100;
            outerInput("move " + px + " " + py);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (enterSerial[0] < 0 && System.nanoTime() < deadline) client.dispatch(100);
            assertTrue(enterSerial[0] >= 0, "no pointer enter inside");

            try (dev.ferry.client.ShmPool pool = new dev.ferry.client.ShmPool(shm, 16 * 16 * 4, true)) {
                pool.memory().fill((byte) 0);
                for (int i = 0; i < 16 * 16; i++) pool.memory().setAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, i, 0xffcc3399);
                Proxy cursor = dev.ferry.protocol.interfaces.WlCompositor.createSurface(compositor);
                dev.ferry.protocol.interfaces.WlSurface.attach(cursor, pool.buffer(0, 16, 16, 64, dev.ferry.protocol.interfaces.WlShm.FORMAT_ARGB8888), 0, 0);
                dev.ferry.protocol.interfaces.WlSurface.damage(cursor, 0, 0, 16, 16);
                dev.ferry.protocol.interfaces.WlSurface.commit(cursor);
                WlPointer.setCursor(pointer, enterSerial[0], cursor, 3, 4);
                client.roundtrip();
                assertTrue(eventually(Duration.ofSeconds(5), () -> outer.compositor().onLoop(() -> {
                    var c = outer.compositor().seat().cursor();
                    return c != null && c.surface() != null && c.hotspotX() == 3 && c.hotspotY() == 4;
                })), "the outer Ferry's cursor is not the inner client's: " + outer.compositor().onLoop(() -> outer.compositor().seat().cursor()));
                assertEquals(null, nested.onLoop(() -> nested.scene().cursor()), "the nested Ferry composes the cursor itself too");
                // Drawn by the outer Ferry with its hotspot on the outer pointer: (px, py) is 3,4 into the 16x16 image.
                assertTrue(eventually(Duration.ofSeconds(5), () -> {
                    Compositor.Screenshot shot = outer.screenshot();
                    return (shot.at(px, py) & 0xffffff) == 0xcc3399 && (shot.at(px - 3 + 15, py - 4 + 15) & 0xffffff) == 0xcc3399
                            && (shot.at(px - 4, py) & 0xffffff) != 0xcc3399 && (shot.at(px - 3 + 16, py) & 0xffffff) != 0xcc3399;
                }), "the outer screen does not show the inner cursor at the pointer");

                // A shape: the host's cursor-shape device gets it.
                Proxy shapes = client.bind(dev.ferry.protocol.interfaces.WpCursorShapeManagerV1.INTERFACE, 1);
                Proxy device = dev.ferry.protocol.interfaces.WpCursorShapeManagerV1.getPointer(shapes, pointer);
                dev.ferry.protocol.interfaces.WpCursorShapeDeviceV1.setShape(device, enterSerial[0],
                        dev.ferry.protocol.interfaces.WpCursorShapeDeviceV1.SHAPE_TEXT);
                client.roundtrip();
                assertTrue(eventually(Duration.ofSeconds(5), () -> outer.compositor().onLoop(() -> {
                    var c = outer.compositor().seat().cursor();
                    return c != null && c.surface() == null && c.shape() == dev.ferry.protocol.interfaces.WpCursorShapeDeviceV1.SHAPE_TEXT;
                })), "the outer Ferry's cursor is not the text shape: " + outer.compositor().onLoop(() -> outer.compositor().seat().cursor()));
            }
        }
    }

    /**
     * A pointer lock inside locks the host's pointer: the outer Ferry's pointer stays where it
     * is when the outer seat moves, and the motion reaches the locked inner client as relative
     * motion (outer relative pointer -> nested Ferry -> inner relative pointer).
     */
    @Test
    void aPointerLockInsideLocksTheHostPointerAndMotionArrivesAsDeltas() throws Exception {
        try (WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             ShmWindow window = new ShmWindow(client, "lock-probe", 300, 200, true)) {
            Proxy seat = client.bind(WlSeat.INTERFACE, 5);
            Proxy pointer = WlSeat.getPointer(seat);
            int[] entered = {0};
            pointer.listen(new WlPointer.Listener() {
                @Override
                public void enter(Proxy self, int serial, Proxy surface, double x, double y) {
                    entered[0]++;
                }
            });
            double[] deltas = {0, 0};
            Proxy relative = dev.ferry.protocol.interfaces.ZwpRelativePointerManagerV1.getRelativePointer(
                    client.bind(dev.ferry.protocol.interfaces.ZwpRelativePointerManagerV1.INTERFACE, 1), pointer);
            relative.listen(new dev.ferry.protocol.interfaces.ZwpRelativePointerV1.Listener() {
                @Override
                public void relativeMotion(Proxy self, int hi, int lo, double dx, double dy, double ux, double uy) {
                    deltas[0] += ux;
                    deltas[1] += uy;
                }
            });
            assertTrue(window.draw(ShmWindow.fill(0x339966)));
            client.roundtrip();
            assertTrue(eventually(Duration.ofSeconds(10), () -> innerRect("lock-probe") != null), "the probe never mapped");
            int[] inner = innerRect("lock-probe");
            int[] host = outer.windowRect(outer.window("Ferry nested"));
            int px = host[0] + inner[0] + 150, py = host[1] + inner[1] + 100;
            outerInput("move " + px + " " + py);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (entered[0] == 0 && System.nanoTime() < deadline) client.dispatch(100);
            assertTrue(entered[0] > 0, "no pointer enter inside");

            // The outer Ferry's own lock taking effect (the nested Ferry's request reaches it a loop cycle later).
            java.util.concurrent.atomic.AtomicBoolean outerLocked = new java.util.concurrent.atomic.AtomicBoolean();
            outer.compositor().onLoop(() -> {
                outer.compositor().seat().addConstraintListener(new dev.ferry.compositor.seat.Seat.ConstraintListener() {
                    @Override
                    public void constrained(dev.ferry.compositor.core.Surface surface, boolean lock, dev.ferry.compositor.core.RectSet region) {
                        if (lock) outerLocked.set(true);
                    }

                    @Override
                    public void unconstrained(dev.ferry.compositor.core.Surface surface) {
                        outerLocked.set(false);
                    }
                });
                return null;
            });
            boolean[] locked = {false};
            Proxy lock = dev.ferry.protocol.interfaces.ZwpPointerConstraintsV1.lockPointer(
                    client.bind(dev.ferry.protocol.interfaces.ZwpPointerConstraintsV1.INTERFACE, 1), window.surface(), pointer, null,
                    dev.ferry.protocol.interfaces.ZwpPointerConstraintsV1.LIFETIME_PERSISTENT);
            lock.listen(new dev.ferry.protocol.interfaces.ZwpLockedPointerV1.Listener() {
                @Override
                public void locked(Proxy self) {
                    locked[0] = true;
                }
            });
            deadline = System.nanoTime() + 5_000_000_000L;
            while (!locked[0] && System.nanoTime() < deadline) client.dispatch(100);
            assertTrue(locked[0], "the inner lock never took effect");
            assertTrue(eventually(Duration.ofSeconds(5), () -> {
                        try {
                            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(nested.statsJson())
                                    .get("outputs").get(0).get("host_pointer_constraints").asInt() == 1;
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }),
                    "the nested Ferry did not lock the host pointer: " + new String(nested.statsJson()));
            assertTrue(eventually(Duration.ofSeconds(5), outerLocked::get), "the outer Ferry never locked its pointer");
            client.roundtrip();
            double before = deltas[0];
            outerInput("move " + (px + 40) + " " + (py + 10));
            double[] at = outer.compositor().onLoop(() -> new double[] {outer.compositor().seat().pointerX(), outer.compositor().seat().pointerY()});
            assertEquals(px, at[0], 0.5, "the outer pointer moved although the inner client locked it");
            assertEquals(py, at[1], 0.5);
            deadline = System.nanoTime() + 5_000_000_000L;
            while (deltas[0] - before < 40 && System.nanoTime() < deadline) client.dispatch(100);
            assertEquals(40, deltas[0] - before, 0.01, "relative motion inside");
            // A new region for the lock inside goes to the host's lock (still locked: it is in effect).
            Proxy lockRegion = dev.ferry.protocol.interfaces.WlCompositor.createRegion(client.bind(dev.ferry.protocol.interfaces.WlCompositor.INTERFACE, 4));
            dev.ferry.protocol.interfaces.WlRegion.add(lockRegion, 0, 0, 150, 150);
            dev.ferry.protocol.interfaces.ZwpLockedPointerV1.setRegion(lock, lockRegion);
            client.roundtrip();
            assertTrue(eventually(Duration.ofSeconds(5), () -> hostConstraintsForwarded() == 2),
                    "the lock's set_region did not reach the host: " + new String(nested.statsJson()));
            outerInput("move " + (px + 30) + " " + (py + 30));
            at = outer.compositor().onLoop(() -> new double[] {outer.compositor().seat().pointerX(), outer.compositor().seat().pointerY()});
            assertEquals(px, at[0], 0.5, "the outer pointer moved while the inner lock with its new region holds");
            // Unlocked inside: the host pointer moves again.
            dev.ferry.protocol.interfaces.ZwpLockedPointerV1.destroy(lock);
            client.roundtrip();
            assertTrue(eventually(Duration.ofSeconds(5), () -> {
                outerInput("move " + (px + 20) + " " + py);
                return outer.compositor().onLoop(() -> Math.abs(outer.compositor().seat().pointerX() - (px + 20)) < 0.5);
            }), "the outer pointer stayed locked after the inner lock went");
        }
    }

    /** A confinement inside confines the host's pointer to the same rectangle of the window. */
    @Test
    void aConfinementInsideConfinesTheHostPointerToTheSameRectangle() throws Exception {
        try (WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             ShmWindow window = new ShmWindow(client, "confine-probe", 300, 200, true)) {
            Proxy seat = client.bind(WlSeat.INTERFACE, 5);
            Proxy pointer = WlSeat.getPointer(seat);
            int[] entered = {0};
            pointer.listen(new WlPointer.Listener() {
                @Override
                public void enter(Proxy self, int serial, Proxy surface, double x, double y) {
                    entered[0]++;
                }
            });
            Proxy compositor = client.bind(dev.ferry.protocol.interfaces.WlCompositor.INTERFACE, 4);
            assertTrue(window.draw(ShmWindow.fill(0x996633)));
            client.roundtrip();
            assertTrue(eventually(Duration.ofSeconds(10), () -> innerRect("confine-probe") != null), "the probe never mapped");
            int[] inner = innerRect("confine-probe");
            int[] host = outer.windowRect(outer.window("Ferry nested"));
            int ox = host[0] + inner[0], oy = host[1] + inner[1];
            outerInput("move " + (ox + 50) + " " + (oy + 50));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (entered[0] == 0 && System.nanoTime() < deadline) client.dispatch(100);
            assertTrue(entered[0] > 0, "no pointer enter inside");
            // Confined to the window's 100x80 top-left corner.
            Proxy region = dev.ferry.protocol.interfaces.WlCompositor.createRegion(compositor);
            dev.ferry.protocol.interfaces.WlRegion.add(region, 0, 0, 100, 80);
            boolean[] confined = {false};
            Proxy confine = dev.ferry.protocol.interfaces.ZwpPointerConstraintsV1.confinePointer(
                    client.bind(dev.ferry.protocol.interfaces.ZwpPointerConstraintsV1.INTERFACE, 1), window.surface(), pointer, region,
                    dev.ferry.protocol.interfaces.ZwpPointerConstraintsV1.LIFETIME_PERSISTENT);
            confine.listen(new dev.ferry.protocol.interfaces.ZwpConfinedPointerV1.Listener() {
                @Override
                public void confined(Proxy self) {
                    confined[0] = true;
                }
            });
            deadline = System.nanoTime() + 5_000_000_000L;
            while (!confined[0] && System.nanoTime() < deadline) client.dispatch(100);
            assertTrue(confined[0], "the inner confinement never took effect");
            // The host's pointer, asked to go far right and down, stops at the rectangle's last pixel.
            assertTrue(eventually(Duration.ofSeconds(5), () -> {
                outerInput("move " + (ox + 600) + " " + (oy + 400));
                double[] at = outer.compositor().onLoop(() -> new double[] {outer.compositor().seat().pointerX(), outer.compositor().seat().pointerY()});
                return Math.abs(at[0] - (ox + 99)) < 0.5 && Math.abs(at[1] - (oy + 79)) < 0.5;
            }), "the outer pointer is not confined to the inner rectangle: "
                    + java.util.Arrays.toString(outer.compositor().onLoop(() -> new double[] {outer.compositor().seat().pointerX(), outer.compositor().seat().pointerY()}))
                    + " for a rectangle ending at " + (ox + 99) + "," + (oy + 79));
            // set_region inside: the host's confinement grows to the same 200x150 rectangle.
            Proxy wider = dev.ferry.protocol.interfaces.WlCompositor.createRegion(compositor);
            dev.ferry.protocol.interfaces.WlRegion.add(wider, 0, 0, 200, 150);
            dev.ferry.protocol.interfaces.ZwpConfinedPointerV1.setRegion(confine, wider);
            client.roundtrip();
            assertTrue(eventually(Duration.ofSeconds(5), () -> {
                outerInput("move " + (ox + 600) + " " + (oy + 400));
                double[] at = outer.compositor().onLoop(() -> new double[] {outer.compositor().seat().pointerX(), outer.compositor().seat().pointerY()});
                return Math.abs(at[0] - (ox + 199)) < 0.5 && Math.abs(at[1] - (oy + 149)) < 0.5;
            }), "the outer pointer is not confined to the new rectangle: "
                    + java.util.Arrays.toString(outer.compositor().onLoop(() -> new double[] {outer.compositor().seat().pointerX(), outer.compositor().seat().pointerY()}))
                    + " for a rectangle ending at " + (ox + 199) + "," + (oy + 149));
            assertEquals(2, hostConstraintsForwarded(), "the confinement and its set_region");
        }
    }

    /**
     * A copy inside reaches the host's clipboard: the inner client sets the selection quoting the
     * serial of a click that came from the host, the nested Ferry quotes the host's serial of that
     * click to the host, and wl-paste on the outer Ferry reads the inner client's text.
     */
    @Test
    void aSelectionSetInsideIsTheHostsClipboardQuotingTheHostsSerial() throws Exception {
        String text = "copied inside the nested Ferry";
        try (WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             ShmWindow window = new ShmWindow(client, "copy-probe", 300, 200, true)) {
            Proxy seat = client.bind(WlSeat.INTERFACE, 5);
            Proxy pointer = WlSeat.getPointer(seat);
            int[] pressSerial = {0};
            boolean[] pressed = {false};
            pointer.listen(new WlPointer.Listener() {
                @Override
                public void button(Proxy self, int serial, int time, int button, int state) {
                    if (state == WlPointer.BUTTON_STATE_PRESSED) {
                        pressSerial[0] = serial;
                        pressed[0] = true;
                    }
                }
            });
            Proxy manager = client.bind(dev.ferry.protocol.interfaces.WlDataDeviceManager.INTERFACE, 3);
            Proxy device = dev.ferry.protocol.interfaces.WlDataDeviceManager.getDataDevice(manager, seat);
            assertTrue(window.draw(ShmWindow.fill(0x669933)));
            client.roundtrip();
            assertTrue(eventually(Duration.ofSeconds(10), () -> innerRect("copy-probe") != null), "the probe never mapped");
            int[] inner = innerRect("copy-probe");
            int[] host = outer.windowRect(outer.window("Ferry nested"));
            outerInput("move " + (host[0] + inner[0] + 150) + " " + (host[1] + inner[1] + 100));
            int outerBefore = outer.compositor().onLoop(() -> outer.compositor().seat().lastSerial());
            outerInput("click");
            int outerAfter = outer.compositor().onLoop(() -> outer.compositor().seat().lastSerial());
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!pressed[0] && System.nanoTime() < deadline) client.dispatch(100);
            assertTrue(pressed[0], "no button press inside");

            Proxy source = dev.ferry.protocol.interfaces.WlDataDeviceManager.createDataSource(manager);
            dev.ferry.protocol.interfaces.WlDataSource.offer(source, "text/plain;charset=utf-8");
            dev.ferry.protocol.interfaces.WlDataSource.offer(source, "text/plain");
            int[] sends = {0};
            source.listen(new dev.ferry.protocol.interfaces.WlDataSource.Listener() {
                @Override
                public void send(Proxy self, String mimeType, dev.ferry.posix.OwnedFd fd) {
                    try (fd; var out = new java.io.FileOutputStream("/proc/self/fd/" + fd.fd())) {
                        out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        sends[0]++;
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            dev.ferry.protocol.interfaces.WlDataDevice.setSelection(device, source, pressSerial[0]);
            client.roundtrip();
            assertTrue(eventually(Duration.ofSeconds(5), () -> hostStat("host_selections") == 1),
                    "the inner selection did not reach the host: " + new String(nested.statsJson()));
            int quoted = hostStat("host_selection_serial");
            assertTrue(quoted - outerBefore > 0 && outerAfter - quoted >= 0,
                    "the host was quoted serial " + quoted + ", not one of its own click's (" + (outerBefore + 1) + ".." + outerAfter + ")");

            // wl-paste on the outer Ferry reads it from the inner client, through the nested Ferry.
            Process paste = outer.start("wl-paste", "--no-newline");
            deadline = System.nanoTime() + 20_000_000_000L;
            while (paste.isAlive() && System.nanoTime() < deadline) client.dispatch(50);
            assertEquals(0, waitFor(paste, Duration.ofSeconds(5)), "wl-paste failed: " + outer.output(paste));
            assertEquals(text, outer.output(paste));
            assertTrue(sends[0] >= 1, "the inner client was never asked for the data");
        }
    }

    /**
     * The primary selection too: one set inside (quoting a host click's serial) is the host's
     * primary selection, and wl-paste --primary on the outer Ferry reads the inner client's text.
     */
    @Test
    void aPrimarySelectionSetInsideIsTheHostsPrimarySelection() throws Exception {
        String text = "selected inside the nested Ferry";
        try (WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             ShmWindow window = new ShmWindow(client, "primary-probe", 300, 200, true)) {
            Proxy seat = client.bind(WlSeat.INTERFACE, 5);
            int pressSerial = clickInside(client, seat, window, "primary-probe");
            Proxy manager = client.bind(dev.ferry.protocol.interfaces.ZwpPrimarySelectionDeviceManagerV1.INTERFACE, 1);
            Proxy device = dev.ferry.protocol.interfaces.ZwpPrimarySelectionDeviceManagerV1.getDevice(manager, seat);
            Proxy source = dev.ferry.protocol.interfaces.ZwpPrimarySelectionDeviceManagerV1.createSource(manager);
            dev.ferry.protocol.interfaces.ZwpPrimarySelectionSourceV1.offer(source, "text/plain;charset=utf-8");
            dev.ferry.protocol.interfaces.ZwpPrimarySelectionSourceV1.offer(source, "text/plain");
            source.listen(new dev.ferry.protocol.interfaces.ZwpPrimarySelectionSourceV1.Listener() {
                @Override
                public void send(Proxy self, String mimeType, dev.ferry.posix.OwnedFd fd) {
                    writeAndClose(fd, text);
                }
            });
            dev.ferry.protocol.interfaces.ZwpPrimarySelectionDeviceV1.setSelection(device, source, pressSerial);
            client.roundtrip();
            assertTrue(eventually(Duration.ofSeconds(5), () -> hostStat("host_primary_selections") == 1),
                    "the inner primary selection did not reach the host: " + new String(nested.statsJson()));
            assertEquals(0, hostStat("host_selections"), "the primary selection went to the host's clipboard");
            Process paste = outer.start("wl-paste", "--primary", "--no-newline");
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (paste.isAlive() && System.nanoTime() < deadline) client.dispatch(50);
            assertEquals(0, waitFor(paste, Duration.ofSeconds(5)), "wl-paste --primary failed: " + outer.output(paste));
            assertEquals(text, outer.output(paste));
        }
    }

    /**
     * The host's clipboard and primary selection pasted inside: wl-copy on the outer Ferry, a click
     * on the nested window (the host offers its selections to the client it focuses), and
     * wl-paste inside the nested Ferry prints what the outer wl-copy holds; the data goes from the
     * outer wl-copy through both Ferrys to the inner wl-paste.
     */
    @Test
    void theHostsClipboardAndPrimarySelectionArePastedInside() throws Exception {
        Process copy = outer.start("wl-copy", "--foreground", "copied on the host");
        Process copyPrimary = outer.start("wl-copy", "--foreground", "--primary", "selected on the host");
        try (WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             ShmWindow window = new ShmWindow(client, "focus-probe", 300, 200, true)) {
            Proxy seat = client.bind(WlSeat.INTERFACE, 5);
            // wl-copy holds the outer selections once wl-paste on the outer reads them.
            assertTrue(eventually(Duration.ofSeconds(20), () -> outerPastes("copied on the host") && outerPastes("selected on the host", "--primary")),
                    "wl-copy never set the outer selections: " + outer.output(copy) + outer.output(copyPrimary));
            clickInside(client, seat, window, "focus-probe");
            assertTrue(eventually(Duration.ofSeconds(5), () -> hostStat("host_selections_taken") >= 1 && hostStat("host_primary_selections_taken") >= 1),
                    "the host's selections were not taken in: " + new String(nested.statsJson()));
            assertEquals("copied on the host", pasteInside("clipboard.log"));
            assertEquals("selected on the host", pasteInside("primary.log", "--primary"));
            assertEquals(0, hostStat("host_selections"), "the host's own selection was handed back to it");
        } finally {
            copy.destroy();
            copyPrimary.destroy();
            waitFor(copy, Duration.ofSeconds(5));
            waitFor(copyPrimary, Duration.ofSeconds(5));
        }
    }

    /** Whether wl-paste (with these options) on the outer Ferry prints text. */
    private boolean outerPastes(String text, String... options) {
        String[] command = new String[options.length + 2];
        command[0] = "wl-paste";
        System.arraycopy(options, 0, command, 1, options.length);
        command[command.length - 1] = "--no-newline";
        try {
            Process p = outer.start(command);
            return waitFor(p, Duration.ofSeconds(10)) == 0 && outer.output(p).equals(text);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** wl-paste (with these options) run inside: what it printed. */
    private String pasteInside(String log, String... options) throws Exception {
        String[] command = new String[options.length + 2];
        command[0] = "wl-paste";
        System.arraycopy(options, 0, command, 1, options.length);
        command[command.length - 1] = "--no-newline";
        Process p = fixture.startInNested(log, java.util.Map.of(), command);
        assertEquals(0, waitFor(p, Duration.ofSeconds(20)), "wl-paste inside failed: " + log(log));
        return log(log);
    }

    /**
     * An xdg_popup with a grab inside: a click inside it reaches it; a click on the host window
     * outside it (where no inner surface is) dismisses it with popup_done, and so does a click on
     * another window of the host (the host's keyboard focus leaves the nested window).
     */
    @Test
    void anInnerPopupGrabGetsClicksInsideAndIsDismissedByAClickOutside() throws Exception {
        try (WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             ShmWindow window = new ShmWindow(client, "popup-parent", 300, 200, true);
             dev.ferry.client.ShmPool pool = new dev.ferry.client.ShmPool(client.bind(dev.ferry.protocol.interfaces.WlShm.INTERFACE, 1), 100 * 80 * 4, true)) {
            Proxy seat = client.bind(WlSeat.INTERFACE, 5);
            Proxy[] entered = {null};
            java.util.List<String> buttons = new java.util.ArrayList<>();
            int[] pressSerial = {0};
            Proxy pointer = WlSeat.getPointer(seat);
            pointer.listen(new WlPointer.Listener() {
                @Override
                public void enter(Proxy self, int serial, Proxy surface, double x, double y) {
                    entered[0] = surface;
                }

                @Override
                public void leave(Proxy self, int serial, Proxy surface) {
                    entered[0] = null;
                }

                @Override
                public void button(Proxy self, int serial, int time, int button, int state) {
                    if (state == WlPointer.BUTTON_STATE_PRESSED) pressSerial[0] = serial;
                    buttons.add((entered[0] == window.surface() ? "parent" : entered[0] == null ? "none" : "popup") + " " + state);
                }
            });
            assertTrue(window.draw(ShmWindow.fill(0x336699)));
            client.roundtrip();
            assertTrue(eventually(Duration.ofSeconds(10), () -> innerRect("popup-parent") != null), "the parent never mapped");
            int[] inner = innerRect("popup-parent");
            int[] host = outer.windowRect(outer.window("Ferry nested"));
            int ox = host[0] + inner[0], oy = host[1] + inner[1];
            outerInput("move " + (ox + 150) + " " + (oy + 150));
            outerInput("click");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (buttons.size() < 2 && System.nanoTime() < deadline) client.dispatch(100);
            assertEquals(java.util.List.of("parent 1", "parent 0"), buttons, "the click that opens the popup");

            // A 100x80 popup at (20, 20) of the parent, grabbing with that click's serial.
            boolean[] done = openPopup(client, seat, window, pool, pressSerial[0]);
            client.roundtrip();
            assertTrue(eventually(Duration.ofSeconds(5), () -> (outer.screenshot().at(ox + 70, oy + 60) & 0xffffff) == 0xcc6633),
                    "the popup is not on the host's screen");

            // A click inside the popup reaches the popup, and the grab holds.
            buttons.clear();
            outerInput("move " + (ox + 70) + " " + (oy + 60));
            outerInput("click");
            deadline = System.nanoTime() + 5_000_000_000L;
            while (buttons.size() < 2 && System.nanoTime() < deadline) client.dispatch(100);
            assertEquals(java.util.List.of("popup 1", "popup 0"), buttons, "the click inside the popup");
            assertTrue(!done[0], "a click inside the popup dismissed it");

            // A click on the host window outside every inner surface dismisses it.
            int[] out = outer.windowRect(outer.window("Ferry nested"));
            int fx = inner[0] + inner[2] + 20 < out[2] ? ox + inner[2] + 20 : host[0] + 5;
            int fy = inner[0] + inner[2] + 20 < out[2] ? oy + 10 : host[1] + out[3] - 5;
            outerInput("move " + fx + " " + fy);
            outerInput("click");
            deadline = System.nanoTime() + 5_000_000_000L;
            while (!done[0] && System.nanoTime() < deadline) client.dispatch(100);
            assertTrue(done[0], "no popup_done after a click outside the popup at " + fx + "," + fy);

            // Opened again; a click on another window of the host (the host's focus leaves the
            // nested window) dismisses it too.
            try (WaylandClient hostClient = WaylandClient.connect(outer.runtimeDir().resolve(outer.socketName()).toString());
                 // Wider than the nested window, so that its right end shows beside it whatever the stacking.
                 ShmWindow other = new ShmWindow(hostClient, "another host window", 1000, 100, true)) {
                assertTrue(other.draw(ShmWindow.fill(0x999999)));
                hostClient.roundtrip();
                assertTrue(eventually(Duration.ofSeconds(5), () -> outer.window("another host window") != null), "the host window never mapped");
                buttons.clear();
                outerInput("move " + (ox + 150) + " " + (oy + 150));
                outerInput("click");
                deadline = System.nanoTime() + 5_000_000_000L;
                while (buttons.size() < 2 && System.nanoTime() < deadline) client.dispatch(100);
                assertEquals(java.util.List.of("parent 1", "parent 0"), buttons, "the click that opens the second popup");
                boolean[] again = openPopup(client, seat, window, pool, pressSerial[0]);
                int[] r = outer.windowRect(outer.window("another host window"));
                outerInput("move " + (r[0] + r[2] - 10) + " " + (r[1] + r[3] - 10));
                outerInput("click");
                hostClient.roundtrip();
                deadline = System.nanoTime() + 5_000_000_000L;
                while (!again[0] && System.nanoTime() < deadline) client.dispatch(100);
                assertTrue(again[0], "no popup_done after a click on another host window at " + java.util.Arrays.toString(r)
                        + " (the nested window at " + java.util.Arrays.toString(outer.windowRect(outer.window("Ferry nested")))
                        + "); the outer keyboard focus: " + outer.compositor().onLoop(() -> String.valueOf(outer.compositor().seat().keyboardFocus())));
            }
        }
    }

    /** Maps a 100x80 popup at (20, 20) of window with a grab quoting serial; returns its popup_done flag. */
    private static boolean[] openPopup(WaylandClient client, Proxy seat, ShmWindow window, dev.ferry.client.ShmPool pool, int serial)
            throws IOException {
        Proxy wm = client.xdgWmBase();
        Proxy positioner = dev.ferry.protocol.interfaces.XdgWmBase.createPositioner(wm);
        dev.ferry.protocol.interfaces.XdgPositioner.setSize(positioner, 100, 80);
        dev.ferry.protocol.interfaces.XdgPositioner.setAnchorRect(positioner, 20, 20, 1, 1);
        dev.ferry.protocol.interfaces.XdgPositioner.setAnchor(positioner, dev.ferry.protocol.interfaces.XdgPositioner.ANCHOR_TOP_LEFT);
        dev.ferry.protocol.interfaces.XdgPositioner.setGravity(positioner, dev.ferry.protocol.interfaces.XdgPositioner.GRAVITY_BOTTOM_RIGHT);
        Proxy surface = dev.ferry.protocol.interfaces.WlCompositor.createSurface(client.bind(dev.ferry.protocol.interfaces.WlCompositor.INTERFACE, 4));
        Proxy xdg = dev.ferry.protocol.interfaces.XdgWmBase.getXdgSurface(wm, surface);
        boolean[] configured = {false};
        xdg.listen(new dev.ferry.protocol.interfaces.XdgSurface.Listener() {
            @Override
            public void configure(Proxy self, int s) {
                dev.ferry.protocol.interfaces.XdgSurface.ackConfigure(self, s);
                configured[0] = true;
            }
        });
        Proxy popup = dev.ferry.protocol.interfaces.XdgSurface.getPopup(xdg, window.toplevel().xdgSurface(), positioner);
        boolean[] done = {false};
        popup.listen(new dev.ferry.protocol.interfaces.XdgPopup.Listener() {
            @Override
            public void popupDone(Proxy self) {
                done[0] = true;
            }
        });
        dev.ferry.protocol.interfaces.XdgPositioner.destroy(positioner);
        dev.ferry.protocol.interfaces.XdgPopup.grab(popup, seat, serial);
        dev.ferry.protocol.interfaces.WlSurface.commit(surface);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!configured[0] && System.nanoTime() < deadline) client.dispatch(100);
        assertTrue(configured[0], "the popup's configure");
        for (int i = 0; i < 100 * 80; i++) pool.memory().setAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, i, 0xffcc6633);
        dev.ferry.protocol.interfaces.WlSurface.attach(surface, pool.buffer(0, 100, 80, 400, dev.ferry.protocol.interfaces.WlShm.FORMAT_XRGB8888), 0, 0);
        dev.ferry.protocol.interfaces.WlSurface.damage(surface, 0, 0, 100, 80);
        dev.ferry.protocol.interfaces.WlSurface.commit(surface);
        client.roundtrip();
        return done;
    }

    /**
     * The default arrow: with the pointer over an inner client that set no cursor, the host shows
     * its default cursor (the nested Ferry asks for the default shape on the host's cursor-shape
     * device), drawn by the outer Ferry at its pointer; the inner window's colour is not what the
     * host shows there.
     */
    @Test
    void anInnerClientThatSetsNoCursorGetsTheHostsDefaultArrow() throws Exception {
        assertTheHostShowsTheArrowOverAClientThatSetsNoCursor(c -> c.surface() == null
                && c.shape() == dev.ferry.protocol.interfaces.WpCursorShapeDeviceV1.SHAPE_DEFAULT);
    }

    /**
     * A host without wp_cursor_shape (as Weston before 13): the nested Ferry draws its own arrow
     * (the cursor theme's, as the outer Ferry would) into a host wl_shm buffer and sets it as the
     * host's cursor, so the same arrow shows.
     */
    @Test
    void aHostWithoutCursorShapesGetsFerrysOwnArrow() throws Exception {
        fixture.close();
        fixture = NestedInHeadless.hostOnly(1920, 1080);
        outer = fixture.outer();
        outer.compositor().onLoop(() -> {
            var display = outer.compositor().display();
            for (var g : display.globals()) {
                if (g.iface() == dev.ferry.protocol.interfaces.WpCursorShapeManagerV1.INTERFACE) display.removeGlobal(g);
            }
            return null;
        });
        nested = fixture.startPlain(800, 600);
        nestedDir = fixture.nestedDir();
        assertTrue(eventually(Duration.ofSeconds(10), () -> outer.window("Ferry nested") != null), "the nested window never mapped");
        assertTheHostShowsTheArrowOverAClientThatSetsNoCursor(c -> c.surface() != null);
    }

    /**
     * With the pointer over an inner client that set no cursor, the outer Ferry's cursor is as
     * expected, and its screen shows the default arrow's picture with the hotspot at the pointer.
     */
    private void assertTheHostShowsTheArrowOverAClientThatSetsNoCursor(java.util.function.Predicate<dev.ferry.compositor.seat.Seat.Cursor> expected)
            throws Exception {
        try (WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             ShmWindow window = new ShmWindow(client, "no-cursor", 300, 200, true)) {
            Proxy seat = client.bind(WlSeat.INTERFACE, 5);
            Proxy pointer = WlSeat.getPointer(seat);
            boolean[] entered = {false};
            pointer.listen(new WlPointer.Listener() {
                @Override
                public void enter(Proxy self, int serial, Proxy surface, double x, double y) {
                    entered[0] = true;
                }
            });
            assertTrue(window.draw(ShmWindow.fill(0x336699)));
            client.roundtrip();
            assertTrue(eventually(Duration.ofSeconds(10), () -> innerRect("no-cursor") != null), "the window never mapped");
            int[] inner = innerRect("no-cursor");
            int[] host = outer.windowRect(outer.window("Ferry nested"));
            int px = host[0] + inner[0] + 150, py = host[1] + inner[1] + 100;
            outerInput("move " + px + " " + py);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!entered[0] && System.nanoTime() < deadline) client.dispatch(100);
            assertTrue(entered[0], "no pointer enter inside");
            assertTrue(eventually(Duration.ofSeconds(5), () -> outer.compositor().onLoop(() -> {
                var c = outer.compositor().seat().cursor();
                return c != null && expected.test(c);
            })), "the outer Ferry's cursor: " + outer.compositor().onLoop(() -> outer.compositor().seat().cursor()));
            var image = outer.compositor().shapeCursors().image(dev.ferry.protocol.interfaces.WpCursorShapeDeviceV1.SHAPE_DEFAULT);
            int opaque = 0;
            for (int y = 0; y < image.height(); y++) {
                for (int x = 0; x < image.width(); x++) {
                    if (image.at(x, y) >>> 24 != 0xff) continue;
                    opaque++;
                    int sx = px - image.hotspotX() + x, sy = py - image.hotspotY() + y, want = image.at(x, y) & 0xffffff;
                    assertTrue(eventually(Duration.ofSeconds(5), () -> (outer.screenshot().at(sx, sy) & 0xffffff) == want),
                            "arrow pixel " + x + "," + y + " of " + outer.compositor().shapeCursors().source() + " is "
                                    + Integer.toHexString(outer.screenshot().at(sx, sy)) + ", not " + Integer.toHexString(want));
                }
            }
            assertTrue(opaque > 10, "an arrow with something to see: " + image.name());
        }
    }

    /** Moves the outer pointer onto that inner window and clicks; returns the press's serial inside. */
    private int clickInside(WaylandClient client, Proxy seat, ShmWindow window, String title) throws Exception {
        Proxy pointer = WlSeat.getPointer(seat);
        int[] pressSerial = {0};
        boolean[] pressed = {false};
        pointer.listen(new WlPointer.Listener() {
            @Override
            public void button(Proxy self, int serial, int time, int button, int state) {
                if (state == WlPointer.BUTTON_STATE_PRESSED) {
                    pressSerial[0] = serial;
                    pressed[0] = true;
                }
            }
        });
        assertTrue(window.draw(ShmWindow.fill(0x669933)));
        client.roundtrip();
        assertTrue(eventually(Duration.ofSeconds(10), () -> innerRect(title) != null), title + " never mapped");
        int[] inner = innerRect(title);
        int[] host = outer.windowRect(outer.window("Ferry nested"));
        outerInput("move " + (host[0] + inner[0] + 150) + " " + (host[1] + inner[1] + 100));
        outerInput("click");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!pressed[0] && System.nanoTime() < deadline) client.dispatch(100);
        assertTrue(pressed[0], "no button press inside " + title);
        return pressSerial[0];
    }

    private static void writeAndClose(dev.ferry.posix.OwnedFd fd, String text) {
        try (fd; var out = new java.io.FileOutputStream("/proc/self/fd/" + fd.fd())) {
            out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private int hostStat(String key) {
        return fixture.nestedOutput().get(key).asInt();
    }

    /** Pointer constraints (and their set_region) the nested Ferry handed to the host so far. */
    private int hostConstraintsForwarded() {
        return hostStat("host_pointer_constraints");
    }
}
