package dev.ferry.compositor.nested;

import dev.ferry.client.DmabufAllocator;
import dev.ferry.client.DmabufWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.FerryServer;
import dev.ferry.compositor.backend.nested.NestedKmsBackend;
import dev.ferry.compositor.scene.Window;
import dev.ferry.compositor.seat.InputCommand;
import dev.ferry.drm.FakeKernel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.ferry.compositor.FerryServer.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `--backend nested --topology hybrid-laptop` inside Ferry headless: the kms chain runs on the
 * fake devices as with `--backend kms` (a fullscreen dma-buf video on the fake eDP-1 is scanned
 * out directly) and each connector is a window of the host titled with name, mode and device,
 * showing what its CRTC scans out.
 */
@Timeout(120)
class NestedTopologyTest {
    private static final String EDP = "eDP-1 1920x1080@60 on card0";
    private static final String HDMI = "HDMI-A-1 2560x1440@60 on card1";

    private NestedInHeadless fixture;
    private FerryServer outer;
    private Path nestedDir;
    private Compositor nested;

    @BeforeEach
    void start() throws Exception {
        fixture = NestedInHeadless.topology(3840, 2160, "hybrid-laptop", "wayland-nk");
        outer = fixture.outer();
        nestedDir = fixture.nestedDir();
        nested = fixture.nested();
    }

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) fixture.close();
    }

    @Test
    void eachConnectorIsAHostWindowShowingItsCrtcAndTheVideoIsScannedOutDirectly() throws Exception {
        assertTrue(eventually(Duration.ofSeconds(10), () -> outer.window(EDP) != null && outer.window(HDMI) != null),
                "windows for both connected connectors");
        assertEquals(List.of(EDP, HDMI), nested.onLoop(() -> ((NestedKmsBackend) nested.backend()).windowTitles()));
        // The eDP-1 window under the pointer and clicked: raised above the HDMI one, which the cascade put on top.
        int[] edp = outer.windowRect(outer.window(EDP));
        assertEquals(1920, edp[2], "the window has the fake mode's size");
        assertEquals(1080, edp[3]);
        outer.compositor().input(InputCommand.parse("move " + (edp[0] + 4) + " " + (edp[1] + 4)));
        outer.compositor().input(InputCommand.parse("click"));
        assertTrue(eventually(Duration.ofSeconds(5), () -> outer.compositor().onLoop(() -> {
            List<Window> ws = outer.compositor().scene().windows();
            return ws.getLast().title().equals(EDP);
        })), "the clicked window is raised");

        try (WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             DmabufWindow video = new DmabufWindow(client, new DmabufAllocator((FakeKernel) nested.backend().devices().orElseThrow()),
                     DmabufWindow.Options.of("video", 1920, 1080).fullscreen(true).output("eDP-1"))) {
            int frames = 90;
            for (int f = 0; f < frames; f++) {
                int rgb = frameColour(f);
                assertTrue(video.drawFrame(f, canvas -> canvas.fill(rgb), 3000), "video frame " + f);
                assertTrue(video.awaitFrame(3000), "frame callback " + f);
            }
            assertTrue(video.awaitPresentation(3000));
            assertTrue(video.zeroCopyPresented() > 0, "the fullscreen dma-buf was scanned out: "
                    + nested.onLoop(() -> nested.pathStatistics().output("eDP-1").toMap()));
            String paths = String.valueOf(nested.onLoop(() -> nested.pathStatistics().output("eDP-1").toMap()));
            assertTrue(paths.contains("direct-scanout"), paths);
            // What the host shows in the window is what the fake CRTC scans out: the last frame's
            // colour (its number in the low byte), once the mirror caught up.
            int last = frameColour(frames - 1);
            int[] seen = {0};
            assertTrue(eventually(Duration.ofSeconds(5), () -> {
                seen[0] = outer.screenshot().at(edp[0] + 960, edp[1] + 540) & 0xffffff;
                return seen[0] == last;
            }), "the host window shows " + Integer.toHexString(seen[0]) + ", the CRTC's last frame is " + Integer.toHexString(last));
            assertEquals(last, nested.screenshot("eDP-1").at(960, 540) & 0xffffff, "and so does ferry ctl screenshot of eDP-1");
            assertEquals(last, outer.screenshot().at(edp[0] + 1, edp[1] + 1079) & 0xffffff, "the whole mode, corner to corner");
            long[] counts = nested.onLoop(() -> ((NestedKmsBackend) nested.backend()).windowCounts().get("eDP-1"));
            System.out.printf("eDP-1 window: %d frames to the host, %d dropped while it was busy, %d bytes copied (%d per frame sent)%n",
                    counts[0], counts[1], counts[2], counts[0] == 0 ? 0 : counts[2] / counts[0]);
            assertTrue(counts[0] > 0 && counts[0] <= frames + 10, "frames sent to the host: " + counts[0]);
        }
    }

    /** Frame f's colour: the number in the low byte over a fixed hue, so no two of 256 frames match. */
    private static int frameColour(int f) {
        return 0x206000 | (f & 0xff);
    }
}
