package dev.ferry.compositor.nested;

import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.FerryServer;
import dev.ferry.compositor.scene.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static dev.ferry.compositor.FerryServer.eventually;
import static dev.ferry.compositor.FerryServer.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ferry nested inside Debian's Weston 10 (headless backend, pixman renderer, desktop shell),
 * judged by what Weston really shows: a screenshot taken through weston_screenshooter (Weston
 * started with --debug), read back as a PNG. (Weston 10's kiosk shell on the headless backend
 * stops sending frame callbacks after the first frame, to weston-simple-shm as well, so it is not
 * used; the default renderer there is "noop", which cannot take screenshots, hence --use-pixman.)
 */
@Timeout(90)
class NestedInWestonTest {
    private static final int MARK = NestedFerryTest.MARK;

    private Path westonDir;
    private Path nestedDir;
    private Process weston;
    private Compositor nested;

    @BeforeEach
    void start() throws Exception {
        startWeston(800, 600);
    }

    private void startWeston(int width, int height) throws Exception {
        if (weston != null) {
            weston.destroy();
            waitFor(weston, Duration.ofSeconds(5));
            NestedInHeadless.deleteTree(westonDir);
            NestedInHeadless.deleteTree(nestedDir);
        }
        FerryServer.requireProgram("weston");
        FerryServer.requireProgram("weston-screenshooter");
        westonDir = NestedInHeadless.privateDir();
        nestedDir = NestedInHeadless.privateDir();
        ProcessBuilder pb = new ProcessBuilder("weston", "--backend=headless-backend.so", "--use-pixman", "--socket=wayland-host",
                "--shell=desktop-shell.so", "--debug", "--width=" + width, "--height=" + height, "--idle-time=0");
        pb.environment().put("XDG_RUNTIME_DIR", westonDir.toString());
        pb.environment().remove("WAYLAND_DISPLAY");
        pb.environment().remove("DISPLAY");
        pb.redirectErrorStream(true);
        pb.redirectOutput(westonDir.resolve("weston.log").toFile());
        weston = pb.start();
        assertTrue(eventually(Duration.ofSeconds(10), () -> Files.exists(westonDir.resolve("wayland-host"))),
                "weston did not open its socket:\n" + log());
    }

    @AfterEach
    void stop() throws Exception {
        if (nested != null) nested.close();
        if (weston != null) {
            weston.destroy();
            waitFor(weston, Duration.ofSeconds(5));
        }
        if (westonDir != null) NestedInHeadless.deleteTree(westonDir);
        if (nestedDir != null) NestedInHeadless.deleteTree(nestedDir);
    }

    private String log() {
        try {
            return Files.readString(westonDir.resolve("weston.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** What Weston's output shows now. */
    private BufferedImage westonScreenshot() throws Exception {
        Path dir = Files.createDirectories(westonDir.resolve("shots"));
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) Files.delete(p);
        }
        ProcessBuilder pb = new ProcessBuilder("weston-screenshooter").directory(dir.toFile());
        pb.environment().put("XDG_RUNTIME_DIR", westonDir.toString());
        pb.environment().put("WAYLAND_DISPLAY", "wayland-host");
        pb.redirectErrorStream(true);
        pb.redirectOutput(westonDir.resolve("screenshooter.log").toFile());
        assertEquals(0, waitFor(pb.start(), Duration.ofSeconds(10)), "weston-screenshooter failed: "
                + Files.readString(westonDir.resolve("screenshooter.log")));
        List<Path> shots;
        try (Stream<Path> s = Files.list(dir)) {
            shots = s.filter(p -> p.toString().endsWith(".png")).toList();
        }
        assertEquals(1, shots.size(), "one screenshot file");
        return ImageIO.read(shots.getFirst().toFile());
    }

    @Test
    void innerClientShowsOnWestonsScreen() throws Exception {
        nested = Compositor.create(Compositor.Options.nested(nestedDir, "wayland-nested", westonDir.resolve("wayland-host").toString())
                .withRenderer("cpu").withOutputs(1, 640, 480, 60_000));
        nested.startThread();
        // The desktop shell leaves the size to the client: the nested output keeps --mode.
        assertEquals(640, nested.onLoop(() -> nested.scene().primaryOutput().width()));

        try (WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             ShmWindow marked = new ShmWindow(client, "marked", 160, 120, true)) {
            // X bytes 0xff, as GStreamer's and cairo's XRGB buffers have them: the window goes to
            // Weston as it is (host-passthrough), and Weston 11's pixman screenshot reads an XRGB
            // pixel's X byte as alpha, so one with X 0 comes out transparent, its colour lost.
            assertTrue(marked.draw(ShmWindow.fill(0xff000000 | MARK)));
            // Frame callbacks inside the nested Ferry are paced by Weston's: count them for a second.
            long start = System.nanoTime();
            int frames = 0;
            while (System.nanoTime() - start < 1_000_000_000L) {
                assertTrue(marked.awaitFrame(2000), "no frame callback through the nested Ferry");
                frames++;
                marked.draw(ShmWindow.fill(0xff000000 | MARK));
            }
            System.out.println("inner client frames per second, nested in weston: " + frames);
            assertTrue(frames >= 20, "only " + frames + " frames in a second");

            int[] at = nested.onLoop(() -> {
                for (Window w : nested.scene().windows()) if (w.title().equals("marked")) return new int[] {w.x(), w.y()};
                return null;
            });
            BufferedImage shot = westonScreenshot();
            assertEquals(800, shot.getWidth());
            // Where the shell put the nested window: find the marked window's top-left corner.
            int mx = -1, my = -1;
            for (int y = 0; y < shot.getHeight() && mx < 0; y++) {
                for (int x = 0; x < shot.getWidth(); x++) {
                    if ((shot.getRGB(x, y) & 0xffffff) == MARK) {
                        mx = x;
                        my = y;
                        break;
                    }
                }
            }
            assertTrue(mx >= 0, "the marked colour is nowhere on Weston's screen");
            int exact = 0;
            for (int y = 0; y < 120; y++) {
                for (int x = 0; x < 160; x++) if ((shot.getRGB(mx + x, my + y) & 0xffffff) == MARK) exact++;
            }
            assertEquals(160 * 120, exact, "the marked window on Weston's screen at " + mx + "," + my);
            // The nested output is at (mx - at.x, my - at.y) on Weston's screen: its black background
            // just inside its corners, Weston's own desktop just outside.
            int ox = mx - at[0], oy = my - at[1];
            assertEquals(0, shot.getRGB(ox + 2, oy + 2) & 0xffffff, "nested background at the top-left");
            assertEquals(0, shot.getRGB(ox + 637, oy + 477) & 0xffffff, "nested background at the bottom-right");
            if (ox + 645 < 800) assertTrue((shot.getRGB(ox + 645, oy + 240) & 0xffffff) != 0, "Weston's desktop right of the nested window");
        }
    }

    /**
     * `--backend nested --topology hybrid-laptop` inside Weston: a fullscreen dma-buf video on
     * the fake eDP-1 is scanned out directly, and Weston's own screenshot of that connector's
     * window shows the video's last frame (its number in the colour's low byte).
     */
    @Test
    void fakeEdpInAWestonWindowShowsTheDirectlyScannedOutVideo() throws Exception {
        startWeston(1920, 1080);
        nested = Compositor.create(new Compositor.Options(nestedDir, "nested", "wayland-nk", 0, 0, 0, 0, "cpu",
                dev.ferry.compositor.backend.kms.KmsBackend.Config.of("hybrid-laptop"), westonDir.resolve("wayland-host").toString()));
        nested.startThread();
        try (WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             dev.ferry.client.DmabufWindow video = new dev.ferry.client.DmabufWindow(client,
                     new dev.ferry.client.DmabufAllocator((dev.ferry.drm.FakeKernel) nested.backend().devices().orElseThrow()),
                     dev.ferry.client.DmabufWindow.Options.of("video", 1920, 1080).fullscreen(true).output("eDP-1"))) {
            int frames = 60;
            for (int f = 0; f < frames; f++) {
                int rgb = 0x206000 | f;
                assertTrue(video.drawFrame(f, canvas -> canvas.fill(rgb), 3000), "video frame " + f);
                assertTrue(video.awaitFrame(3000), "frame callback " + f);
            }
            assertTrue(video.awaitPresentation(3000));
            assertTrue(video.zeroCopyPresented() > 0, "scanned out directly: " + nested.onLoop(() -> nested.pathStatistics().output("eDP-1").toMap()));
            int last = 0x206000 | (frames - 1);
            // The eDP-1 window (mapped last, so in front) covers the middle of Weston's screen.
            int[] seen = {0};
            assertTrue(eventually(Duration.ofSeconds(10), () -> {
                try {
                    seen[0] = westonScreenshot().getRGB(960, 600) & 0xffffff;
                } catch (Exception e) {
                    return false;
                }
                return seen[0] == last;
            }), "Weston shows " + Integer.toHexString(seen[0]) + " where the eDP-1 window is; its CRTC's last frame is " + Integer.toHexString(last));
        }
    }
}
