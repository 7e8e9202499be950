package dev.ferry.compositor;

import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.kms.PathKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GLES reads composed pixels back into memory only where the CPU side needs them, and only what
 * was redrawn: on the headless backend nothing until a screenshot, on fake devices (whose
 * scanout buffers are CPU memory the fake CRTC reads) the damaged rectangles of each composed
 * frame. Counted by the renderer's read-back bytes, as `ferry ctl stats` shows them.
 */
@Timeout(60)
class GlesReadBackTest {
    private static final int W = 200, H = 120;

    private static long readBackBytes(Compositor c) {
        return ((Number) c.renderer().memoryStatistics().get("read_back_bytes")).longValue();
    }

    private static int[] windowOrigin(Compositor c) {
        return c.onLoop(() -> {
            var win = c.scene().windows().getFirst();
            return new int[] {win.x(), win.y()};
        });
    }

    private static void play(ShmWindow w, int frames, int colour) throws Exception {
        for (int i = 0; i < frames; i++) {
            assertTrue(w.drawWhenFree(ShmWindow.fill(colour + i), 2000), "no buffer released for frame " + i);
            assertTrue(w.awaitFrame(2000), "frame " + i);
        }
    }

    @Test
    void headlessReadsBackOnlyForAScreenshotAndOnlyWhatChanged() throws Exception {
        Path dir = Files.createTempDirectory("ferry-rb-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (Compositor c = Compositor.create(Compositor.Options.headless(dir, "wayland-rb").withRenderer("gles").withOutputs(1, 640, 480, 60_000))) {
            c.startThread();
            try (WaylandClient client = WaylandClient.connect(dir.resolve("wayland-rb").toString())) {
                ShmWindow w = new ShmWindow(client, "video", W, H, true);
                play(w, 20, 0x00336600);
                assertEquals(0, readBackBytes(c), "20 frames composed, none read back: nothing on the CPU side asked");

                int[] at = windowOrigin(c);
                Compositor.Screenshot shot = c.screenshot(c.scene().outputs().getFirst().name());
                assertEquals(0x336600 + 19, shot.at(at[0] + W / 2, at[1] + H / 2) & 0xffffff, "the screenshot shows the last frame");
                long first = readBackBytes(c);
                assertEquals(4L * 640 * 480, first, "the first frame redrew the whole output, the window's frames lie inside it");

                play(w, 10, 0x00660000);
                assertEquals(first, readBackBytes(c), "again nothing until asked");
                shot = c.screenshot(c.scene().outputs().getFirst().name());
                assertEquals(0x660000 + 9, shot.at(at[0] + W / 2, at[1] + H / 2) & 0xffffff);
                assertEquals(first + 4L * W * H, readBackBytes(c), "ten frames of the window, read back once: the window's rectangle");
                w.close();
            }
        }
    }

    @Test
    void fakeDevicesReadBackTheDamagedRectangleOfEachComposedFrame() throws Exception {
        Path dir = Files.createTempDirectory("ferry-rb-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (Compositor c = Compositor.create(Compositor.Options.kms(dir, "wayland-rb", KmsBackend.Config.of("laptop-igpu")).withRenderer("gles"))) {
            c.startThread();
            try (WaylandClient client = WaylandClient.connect(dir.resolve("wayland-rb").toString())) {
                ShmWindow w = new ShmWindow(client, "video", W, H, true);
                play(w, 5, 0x00003300);
                long bytes0 = readBackBytes(c);
                long composed0 = c.onLoop(() -> c.pathStatistics().output("eDP-1").frames(PathKind.GPU_COMPOSITION));
                play(w, 10, 0x00330000);
                long bytes = readBackBytes(c) - bytes0;
                long composed = c.onLoop(() -> c.pathStatistics().output("eDP-1").frames(PathKind.GPU_COMPOSITION)) - composed0;
                // Each composed frame redraws the window alone (a 1920x1080 frame would be 8 MB);
                // frames the planner puts on an overlay plane are not composed and read nothing.
                assertTrue(composed > 0, "the window was composed");
                assertEquals(composed * 4L * W * H, bytes, composed + " composed frames");
                int[] at = windowOrigin(c);
                assertEquals(0x330000 + 9, c.screenshot("eDP-1").at(at[0] + W / 2, at[1] + H / 2) & 0xffffff, "the fake CRTC shows the last frame");
                w.close();
            }
        }
    }
}
