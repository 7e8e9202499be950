package dev.ferry.compositor.nested;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.FerryServer;
import dev.ferry.compositor.scene.Window;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlOutput;
import dev.ferry.protocol.interfaces.WlSubcompositor;
import dev.ferry.protocol.interfaces.WlSubsurface;
import dev.ferry.protocol.interfaces.WlSurface;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static dev.ferry.compositor.FerryServer.eventually;
import static dev.ferry.compositor.FerryServer.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Host-passthrough, the nested "direct scanout": Ferry nested inside Ferry headless hands a
 * wl_shm client's own buffers to the outer Ferry on host subsurfaces, copying and composing
 * nothing for them; a client the host cannot show unchanged (a buffer transform) is composed,
 * with the reason in the statistics.
 */
@Timeout(90)
class NestedPassthroughTest {
    /** SMPTE bars, left to right, as which of R, G, B are lit. */
    private static final int[][] BARS = {{1, 1, 1}, {1, 1, 0}, {0, 1, 1}, {0, 1, 0}, {1, 0, 1}, {1, 0, 0}, {0, 0, 1}};

    private NestedInHeadless fixture;
    private FerryServer outer;
    private Path nestedDir;
    private Compositor nested;

    @BeforeEach
    void start() throws Exception {
        fixture = NestedInHeadless.plain(800, 600, Duration.ofSeconds(5));
        outer = fixture.outer();
        nestedDir = fixture.nestedDir();
        nested = fixture.nested();
    }

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) fixture.close();
    }

    private JsonNode stats() throws IOException {
        return fixture.nestedStats();
    }

    private static JsonNode output(JsonNode stats) {
        return stats.get("outputs").get(0);
    }

    /** The statistics of the surfaces whose record has frames on that path. */
    private static long surfacesOn(JsonNode stats, String path) {
        long n = 0;
        for (JsonNode s : stats.get("surface_paths")) if (s.get("paths").get("by_path").has(path)) n++;
        return n;
    }

    private static String reasonsOf(JsonNode stats, String path) {
        StringBuilder b = new StringBuilder();
        for (JsonNode s : stats.get("surface_paths")) {
            if (s.get("paths").get("by_path").has(path)) b.append(s.get("paths").get("by_reason").toString());
        }
        return b.toString();
    }

    private long passthroughAttaches() {
        return output(nestedStatsUnchecked()).get("host_passthrough_attaches").asLong();
    }

    private Process startInNested(String... command) throws IOException {
        return fixture.startInNested(Path.of(command[0]).getFileName() + ".log", java.util.Map.of(), command);
    }

    private Window innerToplevel() {
        return fixture.innerWindow(null);
    }

    @Test
    void waylandsinkGoesToTheHostAsItIsWithNoByteCopiedByFerry() throws Exception {
        Process gst = startInNested("gst-launch-1.0", "-q", "videotestsrc", "pattern=smpte", "is-live=true", "!",
                "video/x-raw,format=BGRx,width=640,height=480,framerate=30/1", "!", "waylandsink");
        try {
            assertTrue(eventually(Duration.ofSeconds(15), () -> innerToplevel() != null),
                    "waylandsink never mapped in the nested Ferry; log: " + Files.readString(nestedDir.resolve("gst-launch-1.0.log")));
            assertTrue(eventually(Duration.ofSeconds(10), () -> {
                try {
                    return surfacesOn(stats(), "host-passthrough") > 0 && output(stats()).get("host_subsurfaces").asInt() > 0;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }), "waylandsink never went to a host subsurface: " + new String(nested.statsJson()));
            // From here on: frames of the video reach the host, and Ferry copies and composes nothing.
            JsonNode before = output(stats());
            long attaches0 = before.get("host_passthrough_attaches").asLong();
            assertTrue(eventually(Duration.ofSeconds(10), () -> {
                try {
                    return output(stats()).get("host_passthrough_attaches").asLong() - attaches0 >= 30;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }), "the video's frames stopped reaching the host: " + output(stats()));
            JsonNode after = output(stats());
            long frames = after.get("host_passthrough_attaches").asLong() - attaches0;
            long copied = after.get("host_copied_bytes").asLong() - before.get("host_copied_bytes").asLong();
            long composed = after.get("bytes_composed").asLong() - before.get("bytes_composed").asLong();
            System.out.printf("waylandsink 640x480 through nested Ferry: %d video frames to the host, %d bytes copied, %d bytes composed by Ferry%n",
                    frames, copied, composed);
            assertEquals(0, copied, "bytes Ferry copied into its host buffers while only the video changed: " + after);
            assertEquals(0, composed, "bytes Ferry composed while only the video changed: " + after);
            assertTrue(after.get("paths").get("by_path").has("host-passthrough"), after.toString());

            // The outer Ferry shows the bars where the nested window shows the video.
            Window hostWindow = outer.window("Ferry nested");
            int[] host = outer.windowRect(hostWindow);
            Window video = innerToplevel();
            int[] inner = nested.onLoop(() -> new int[] {video.x(), video.y(), video.surface().width(), video.surface().height()});
            assertTrue(eventually(Duration.ofSeconds(5), () -> barsAt(outer.screenshot(), host[0] + inner[0], host[1] + inner[1], 640, 480) == null),
                    () -> "the outer screen does not show the bars: " + barsAt(outer.screenshot(), host[0] + inner[0], host[1] + inner[1], 640, 480));
            // And the nested Ferry's own screenshot (what it hands to the host, composed) agrees.
            assertEquals(null, barsAt(nested.screenshot(null), inner[0], inner[1], 640, 480));
            assertTrue(gst.isAlive(), "waylandsink ended early");
        } finally {
            gst.destroy();
            waitFor(gst, Duration.ofSeconds(5));
        }
    }

    /** Null when the seven SMPTE bars are at (x, y) w x h on the screenshot; else what is wrong. */
    private static String barsAt(Compositor.Screenshot shot, int x, int y, int w, int h) {
        for (int i = 0; i < BARS.length; i++) {
            int px = shot.at(x + (2 * i + 1) * w / 14, y + h / 3);
            int[] rgb = {(px >> 16) & 0xff, (px >> 8) & 0xff, px & 0xff};
            for (int c = 0; c < 3; c++) {
                boolean lit = rgb[c] > 150, dark = rgb[c] < 40;
                if (BARS[i][c] == 1 ? !lit : !dark) return "bar " + i + " is " + Integer.toHexString(px);
            }
        }
        return null;
    }

    @Test
    void aTransformedClientIsComposedWithTheReasonWhileItsNeighbourPassesThrough() throws Exception {
        try (WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             ShmWindow turned = new ShmWindow(client, "turned", 200, 100, true);
             ShmWindow plain = new ShmWindow(client, "plain", 160, 120, true)) {
            WlSurface.setBufferTransform(turned.surface(), WlOutput.TRANSFORM_180);
            for (int i = 0; i < 10; i++) {
                turned.drawWhenFree(ShmWindow.fill(0x33cc66), 2000);
                plain.drawWhenFree(ShmWindow.fill(0xcc3366), 2000);
                assertTrue(plain.awaitFrame(2000), "no frame callback for the passed-through window");
            }
            assertTrue(eventually(Duration.ofSeconds(5), () -> {
                try {
                    JsonNode s = stats();
                    return surfacesOn(s, "host-passthrough") >= 1 && reasonsOf(s, "system-ram-copy").contains("transformed");
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }), "the transformed window was not composed with reason transformed: " + new String(nested.statsJson()));
            JsonNode s = stats();
            assertTrue(!reasonsOf(s, "host-passthrough").contains("transformed"), "the plain window has the other's reason: " + s);
            // Both colours on the outer screen: one composed into the nested window's buffer, one on a host subsurface.
            Window hostWindow = outer.window("Ferry nested");
            int[] host = outer.windowRect(hostWindow);
            int[][] at = nested.onLoop(() -> {
                int[][] r = new int[2][];
                for (Window w : nested.scene().windows()) {
                    if (w.title().equals("turned")) r[0] = new int[] {w.x(), w.y()};
                    if (w.title().equals("plain")) r[1] = new int[] {w.x(), w.y()};
                }
                return r;
            });
            assertTrue(eventually(Duration.ofSeconds(5), () -> {
                Compositor.Screenshot shot = outer.screenshot();
                // Sampled where the windows do not overlap (plain is mapped last, on top).
                return (shot.at(host[0] + at[0][0] + 195, host[1] + at[0][1] + 5) & 0xffffff) == 0x33cc66
                        && (shot.at(host[0] + at[1][0] + 80, host[1] + at[1][1] + 60) & 0xffffff) == 0xcc3366;
            }), "the outer screen lacks one of the windows");
        }
    }

    /**
     * A passed-through window is told to draw its next frame once the host has taken the commit
     * carrying it (the host let go of the buffer it replaced), not when the host answers that
     * commit's frame callback a repaint later: waiting for that put the window a host refresh
     * behind the composed path, and waylandsink, which drops a buffer while a callback is pending,
     * played 30 of its 60 frames a second whenever its clock fell just past the host's repaint.
     * And never before that buffer is free, so a client of two buffers (weston-simple-shm, this
     * one) always has one to draw into. Shown against a host refreshing every two seconds.
     */
    @Test
    void aPassedThroughWindowIsToldToDrawOnceTheHostTookItsFrame() throws Exception {
        fixture.close();
        fixture = NestedInHeadless.plain(800, 600, Duration.ofSeconds(10), 500);
        outer = fixture.outer();
        nestedDir = fixture.nestedDir();
        nested = fixture.nested();
        try (WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             ShmWindow window = new ShmWindow(client, "paced", 160, 120, true)) {
            for (int i = 0; i < 5; i++) {
                assertTrue(window.drawWhenFree(ShmWindow.fill(0x2255aa + i), 5000), "a buffer never came back");
                assertTrue(window.awaitFrame(5000), "no frame callback");
            }
            for (int i = 0; i < 3; i++) {
                // The host answered the nested output's last commit: its next frame goes to the host at once.
                assertTrue(eventually(Duration.ofSeconds(5), () -> !output(nestedStatsUnchecked()).get("host_frame_pending").asBoolean()),
                        "the host never answered the nested output's frame callback");
                long attaches = passthroughAttaches(), t0 = System.nanoTime();
                assertTrue(window.drawWhenFree(ShmWindow.fill(0xaa5522 + i), 1000), "no buffer free after a frame callback");
                assertTrue(window.awaitFrame(300), "the passed-through window's frame callback waited for the host's repaint");
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(window.buffersHeld() <= 1, "told to draw with both buffers held");
                assertEquals(attaches + 1, passthroughAttaches(), "the frame did not go to the host as it is");
                System.out.println("passed-through frame callback " + ms + " ms after the commit (the host repaints every 2 s)");
            }
        }
    }

    /**
     * A window leaving the host to be composed again is not told to draw while the host still
     * holds its older buffer: weston-simple-shm, which has two buffers and aborts ("Both buffers
     * busy at redraw(). Server bug?") when told to draw with both held, keeps drawing while
     * passthrough goes off and on under it.
     */
    @Test
    void aTwoBufferClientKeepsDrawingAsItLeavesTheHostAndComesBack() throws Exception {
        dev.ferry.compositor.backend.nested.NestedBackend backend = (dev.ferry.compositor.backend.nested.NestedBackend) nested.backend();
        Process shm = startInNested("weston-simple-shm");
        try {
            assertTrue(eventually(Duration.ofSeconds(10), () -> fixture.innerWindow("simple-shm") != null), "simple-shm never mapped");
            Window w = fixture.innerWindow("simple-shm");
            for (int i = 0; i < 20; i++) {
                boolean on = i % 2 == 1;
                nested.onLoop(() -> {
                    backend.setPassthrough(on);
                    return null;
                });
                long commits = nested.onLoop(() -> w.surface().commitCount());
                assertTrue(eventually(Duration.ofSeconds(5), () -> !shm.isAlive() || nested.onLoop(() -> w.surface().commitCount()) >= commits + 4),
                        "simple-shm stopped drawing");
                assertTrue(shm.isAlive(), "simple-shm ended with passthrough " + (on ? "on" : "off") + ": "
                        + Files.readString(nestedDir.resolve("weston-simple-shm.log")));
            }
            assertTrue(surfacesOn(stats(), "host-passthrough") >= 1, "simple-shm never passed through: " + stats());
        } finally {
            shm.destroy();
            waitFor(shm, Duration.ofSeconds(5));
        }
    }

    /**
     * With more surfaces able to go to the host than it has subsurfaces for, the largest take
     * them: a 400x300 window with nine 10x10 subsurfaces beside it (a terminal's own decorations
     * are such surfaces) goes to the host itself, and two of the small ones are composed with the
     * reason. Decided top down alone, the nine small ones, above the window, took every
     * subsurface and the window was composed.
     */
    @Test
    void theLargestSurfacesTakeTheHostSubsurfaces() throws Exception {
        try (WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             ShmWindow big = new ShmWindow(client, "big", 400, 300, true)) {
            Proxy compositor = client.bind(WlCompositor.INTERFACE, 4);
            Proxy subcompositor = client.bind(WlSubcompositor.INTERFACE, 1);
            Proxy shm = client.bind(dev.ferry.protocol.interfaces.WlShm.INTERFACE, 1);
            int small = 9;
            try (dev.ferry.client.ShmPool pool = new dev.ferry.client.ShmPool(shm, small * 10 * 10 * 4, true)) {
                pool.memory().fill((byte) 0x80);
                for (int i = 0; i < small; i++) {
                    Proxy surface = WlCompositor.createSurface(compositor);
                    Proxy sub = WlSubcompositor.getSubsurface(subcompositor, surface, big.surface());
                    WlSubsurface.setPosition(sub, 405 + (i % 3) * 12, (i / 3) * 12);
                    WlSurface.attach(surface, pool.buffer(i * 400, 10, 10, 40, dev.ferry.protocol.interfaces.WlShm.FORMAT_XRGB8888), 0, 0);
                    WlSurface.damageBuffer(surface, 0, 0, 10, 10);
                    WlSurface.commit(surface);
                }
                for (int i = 0; i < 5; i++) {
                    assertTrue(big.drawWhenFree(ShmWindow.fill(0x3366cc + i), 2000), "a buffer never came back");
                    assertTrue(big.awaitFrame(2000), "no frame callback");
                }
                assertTrue(eventually(Duration.ofSeconds(5), () -> output(nestedStatsUnchecked()).get("host_subsurfaces").asInt() == 8),
                        "the host subsurfaces were not all used: " + nestedStatsUnchecked());
                JsonNode s = stats();
                String bigPaths = null;
                int limited = 0;
                for (JsonNode sp : s.get("surface_paths")) {
                    if ("big".equals(sp.path("title").asText())) bigPaths = sp.get("paths").toString();
                    else if (sp.get("paths").get("by_reason").has("host-subsurface-limit")) limited++;
                }
                assertTrue(bigPaths != null && !bigPaths.contains("host-subsurface-limit") && bigPaths.contains("host-passthrough"),
                        "the large window did not take a host subsurface: " + bigPaths);
                assertEquals(2, limited, "small surfaces composed for the limit: " + s);
            }
        }
    }

    private JsonNode nestedStatsUnchecked() {
        try {
            return stats();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
