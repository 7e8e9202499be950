package dev.ferry.compositor.kms;

import dev.ferry.client.DmabufWindow;
import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.drm.FaultPlan;
import dev.ferry.kms.PathKind;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gtk4-widget-factory / weston-resizor report done with test clients: wl_shm windows
 * created, killed and replaced, a fullscreen dma-buf scanned out and closed again, across
 * composition and direct scanout, on the virtual clock. After every step, what the fake CRTC
 * scans out equals a from-scratch composition of the same scene: composed swapchain slots must
 * catch up on every frame's damage they missed, however the frames in between were shown.
 */
@Timeout(120)
class StaleContentTest {
    private static final String OUTPUT = "eDP-1";

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gles"})
    void everyComposedPictureEqualsAFromScratchComposition(String renderer) throws Exception {
        try (VirtualKms k = new VirtualKms("laptop-igpu", OUTPUT, FaultPlan.none(), renderer)) {
            WaylandClient aClient = k.connect(), bClient = k.connect();
            ShmWindow big = k.shm(aClient, "widget-factory", 640, 480);
            ShmWindow small = k.shm(bClient, "resizor", 200, 150);
            for (int i = 0; i < 4; i++) {
                k.frame(big, 0x00c03030 + i);
                k.frame(small, 0x0030c030 + i);
            }
            k.assertShowsScene("two windows");
            // Killed: its area is damaged once; every later frame, into whichever slot, must not bring it back.
            k.kill(aClient);
            k.assertShowsScene("after the big window's client died");
            for (int i = 0; i < 6; i++) {
                k.frame(small, 0x003030c0 + i);
                k.assertShowsScene("small window frame " + i + " after the kill");
            }
            WaylandClient cClient = k.connect();
            ShmWindow replacement = k.shm(cClient, "replacement", 300, 500);
            for (int i = 0; i < 4; i++) {
                k.frame(replacement, 0x00a0a000 + i);
                k.frame(small, 0x00202020 + i);
                k.assertShowsScene("replacement frame " + i);
            }
            // Direct scanout over everything, then back to composition.
            WaylandClient vClient = k.connect();
            try (DmabufWindow video = k.video(vClient, "fullscreen-video", 1920, 1080, true)) {
                for (int f = 0; f < 8; f++) {
                    k.frame(video, f);
                    if (f == 3) k.frame(small, 0x00ff8000);  // under the video: damage while scanned out
                }
                k.refresh();
                assertTrue(video.zeroCopyPresented() > 0, "the fullscreen dma-buf was scanned out: "
                        + k.c.onLoop(() -> k.c.pathStatistics().output(OUTPUT).toMap()));
                k.assertShowsScene("direct scanout");
            }
            k.kill(vClient);
            k.assertShowsScene("after the fullscreen client left");
            for (int i = 0; i < 6; i++) {
                k.frame(replacement, 0x0000a0a0 + i);
                k.assertShowsScene("composition frame " + i + " after scanout");
            }
            long composed = k.c.onLoop(() -> k.c.pathStatistics().output(OUTPUT).frames(PathKind.GPU_COMPOSITION)
                    + k.c.pathStatistics().output(OUTPUT).frames(PathKind.CPU_COPY));
            assertTrue(composed > 20, "the sequence was composed: " + k.c.onLoop(() -> k.c.pathStatistics().output(OUTPUT).toMap()));
            replacement.close();
            small.close();
        }
    }
}
