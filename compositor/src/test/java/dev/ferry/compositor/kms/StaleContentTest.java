package dev.ferry.compositor.kms;

import dev.ferry.client.DmabufAllocator;
import dev.ferry.client.DmabufWindow;
import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.FerryServer;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.compositor.frame.ReferenceComposition;
import dev.ferry.compositor.output.Output;
import dev.ferry.kms.PathKind;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The gtk4-widget-factory / weston-resizor report done with test clients: wl_shm windows
 * created, killed and replaced, a fullscreen dma-buf scanned out and closed again, across
 * composition and direct scanout. After every step, what the fake CRTC scans out equals a
 * from-scratch composition of the same scene: composed swapchain slots must catch up on every
 * frame's damage they missed, however the frames in between were shown.
 */
@Timeout(120)
class StaleContentTest {
    private static final String OUTPUT = "eDP-1";

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gles"})
    void everyComposedPictureEqualsAFromScratchComposition(String renderer) throws Exception {
        Path dir = Files.createTempDirectory("ferry-stale-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (Compositor c = Compositor.create(Compositor.Options.kms(dir, "wayland-stale", KmsBackend.Config.of("laptop-igpu"))
                .withRenderer(renderer))) {
            c.startThread();
            String socket = dir.resolve("wayland-stale").toString();
            try (WaylandClient bClient = WaylandClient.connect(socket)) {
                ShmWindow big;
                WaylandClient aClient = WaylandClient.connect(socket);
                big = new ShmWindow(aClient, "widget-factory", 640, 480, true);
                ShmWindow small = new ShmWindow(bClient, "resizor", 200, 150, true);
                for (int i = 0; i < 4; i++) {
                    frame(big, 0x00c03030 + i);
                    frame(small, 0x0030c030 + i);
                }
                SceneReadback.assertShowsScene(c, OUTPUT, "two windows");
                // Killed: its area is damaged once; every later frame, into whichever slot, must not bring it back.
                aClient.close();
                SceneReadback.assertShowsScene(c, OUTPUT, "after the big window's client died");
                for (int i = 0; i < 6; i++) {
                    frame(small, 0x003030c0 + i);
                    SceneReadback.assertShowsScene(c, OUTPUT, "small window frame " + i + " after the kill");
                }
                try (WaylandClient cClient = WaylandClient.connect(socket)) {
                    ShmWindow replacement = new ShmWindow(cClient, "replacement", 300, 500, true);
                    for (int i = 0; i < 4; i++) {
                        frame(replacement, 0x00a0a000 + i);
                        frame(small, 0x00202020 + i);
                        SceneReadback.assertShowsScene(c, OUTPUT, "replacement frame " + i);
                    }
                    // Direct scanout over everything, then back to composition.
                    try (WaylandClient vClient = WaylandClient.connect(socket);
                         DmabufWindow video = new DmabufWindow(vClient, new DmabufAllocator((dev.ferry.drm.FakeKernel) c.backend().devices().orElseThrow()),
                                 DmabufWindow.Options.of("fullscreen-video", 1920, 1080).fullscreen(true).output(OUTPUT))) {
                        for (int f = 0; f < 8; f++) {
                            int rgb = 0x00102030 + f;
                            assertTrue(video.drawFrame(f, canvas -> canvas.fill(rgb), 3000), "video frame " + f);
                            assertTrue(video.awaitFrame(3000), "video frame callback " + f);
                            if (f == 3) frame(small, 0x00ff8000);  // under the video: damage while scanned out
                        }
                        assertTrue(video.awaitPresentation(3000));
                        assertTrue(video.zeroCopyPresented() > 0, "the fullscreen dma-buf was scanned out: "
                                + c.onLoop(() -> c.pathStatistics().output(OUTPUT).toMap()));
                        SceneReadback.assertShowsScene(c, OUTPUT, "direct scanout");
                    }
                    SceneReadback.assertShowsScene(c, OUTPUT, "after the fullscreen client left");
                    for (int i = 0; i < 6; i++) {
                        frame(replacement, 0x0000a0a0 + i);
                        SceneReadback.assertShowsScene(c, OUTPUT, "composition frame " + i + " after scanout");
                    }
                    long composed = c.onLoop(() -> c.pathStatistics().output(OUTPUT).frames(PathKind.GPU_COMPOSITION)
                            + c.pathStatistics().output(OUTPUT).frames(PathKind.CPU_COPY));
                    assertTrue(composed > 20, "the sequence was composed: " + c.onLoop(() -> c.pathStatistics().output(OUTPUT).toMap()));
                    replacement.close();
                }
                small.close();
            }
        }
    }

    private static void frame(ShmWindow w, int xrgb) throws Exception {
        assertTrue(w.drawWhenFree(ShmWindow.fill(xrgb), 3000), "no buffer came back");
        assertTrue(w.awaitFrame(3000), "no frame callback");
    }
}
