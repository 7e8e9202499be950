package dev.ferry.compositor.nested;

import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.FerryServer;
import dev.ferry.compositor.backend.nested.NestedKmsBackend;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.scene.Window;
import dev.ferry.compositor.xdg.XdgSurfaceRole;
import dev.ferry.protocol.interfaces.XdgToplevel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.ferry.compositor.FerryServer.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The host windows of `--backend nested --topology hybrid-laptop` inside Ferry headless at
 * 2560x1600 (16:10, so a 16:9 mode fills it only one way): a resized window keeps the fake
 * mode and shows it scaled to fit with the aspect kept; closing a window unplugs that connector
 * while the other keeps running.
 */
@Timeout(120)
class NestedTopologyWindowsTest {
    private static final String EDP = "eDP-1 1920x1080@60 on card0";
    private static final String HDMI = "HDMI-A-1 2560x1440@60 on card1";

    private NestedInHeadless fixture;
    private FerryServer outer;
    private Path nestedDir;
    private Compositor nested;

    @BeforeEach
    void start() throws Exception {
        fixture = NestedInHeadless.topology(2560, 1600, "hybrid-laptop", "wayland-nkw");
        outer = fixture.outer();
        nestedDir = fixture.nestedDir();
        nested = fixture.nested();
        assertTrue(eventually(Duration.ofSeconds(10), () -> outer.window(EDP) != null && outer.window(HDMI) != null),
                "windows for both connected connectors");
    }

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) fixture.close();
    }

    /** A 1920x1080 window of one colour, fullscreen on the nested eDP-1. */
    private static void paint(ShmWindow w, int rgb) throws Exception {
        assertTrue(w.drawWhenFree(ShmWindow.fill(rgb), 3000), "no free buffer");
        assertTrue(w.awaitFrame(3000), "no frame callback");
    }

    private int edpMode() {
        return nested.onLoop(() -> {
            Output o = nested.scene().outputNamed("eDP-1");
            return o == null ? -1 : o.width() * 10000 + o.height();
        });
    }

    @Test
    void aResizedWindowShowsTheUnchangedModeScaledToFitWithItsAspectKept() throws Exception {
        try (WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             ShmWindow full = new ShmWindow(client, "full", 1920, 1080, true)) {
            full.setFullscreen();
            for (int i = 0; i < 3; i++) paint(full, 0x3366cc);
            Window host = outer.window(EDP);
            // The host maximizes the eDP-1 window: its configure asks for 2560x1600.
            outer.compositor().onLoop(() -> {
                host.setMaximized(true);
                host.reconfigure();
                outer.compositor().scene().place(host);
                return null;
            });
            assertTrue(eventually(Duration.ofSeconds(5), () -> {
                int[] r = outer.windowRect(host);
                return r[0] == 0 && r[1] == 0 && r[2] == 2560 && r[3] == 1440;
            }), "the window is not the mode scaled by 4/3 (2560x1440 in 2560x1600): " + java.util.Arrays.toString(outer.windowRect(host)));
            assertEquals(1920 * 10000 + 1080, edpMode(), "the fake mode changed with the window");
            paint(full, 0x3366cc);
            assertTrue(eventually(Duration.ofSeconds(5), () -> {
                Compositor.Screenshot shot = outer.screenshot();
                // Scaled to the whole width and 1440 rows: the last row of the content, then the host's background below it.
                return (shot.at(2559, 1439) & 0xffffff) == 0x3366cc && (shot.at(0, 0) & 0xffffff) == 0x3366cc
                        && (shot.at(1280, 1520) & 0xffffff) != 0x3366cc;
            }), "the outer screen does not show the mode scaled to 2560x1440 with the aspect kept");
        }
    }

    @Test
    void closingAWindowUnplugsThatConnectorAndTheOtherKeepsRunning() throws Exception {
        try (WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             ShmWindow full = new ShmWindow(client, "full", 1920, 1080, true)) {
            full.setFullscreen();
            for (int i = 0; i < 3; i++) paint(full, 0x33cc66);
            Window hdmi = outer.window(HDMI);
            int sent = outer.compositor().onLoop(() -> {
                int n = 0;
                for (var c : outer.compositor().display().clients()) {
                    for (int id = 1; id < 256; id++) {
                        var r = c.resource(id);
                        if (r == null || !r.iface().name().equals("xdg_toplevel")) continue;
                        XdgSurfaceRole role = XdgSurfaceRole.ofToplevel(r);
                        if (role != null && role.window() == hdmi) {
                            XdgToplevel.sendClose(r);
                            n++;
                        }
                    }
                }
                return n;
            });
            assertEquals(1, sent, "the HDMI window's toplevel");
            assertTrue(eventually(Duration.ofSeconds(5), () -> nested.onLoop(() -> nested.scene().outputNamed("HDMI-A-1") == null)),
                    "HDMI-A-1 still an output after its window closed");
            assertTrue(eventually(Duration.ofSeconds(5), () -> outer.window(HDMI) == null), "the HDMI window is still on the host");
            assertEquals(List.of(EDP), nested.onLoop(() -> ((NestedKmsBackend) nested.backend()).windowTitles()));
            assertNotNull(outer.window(EDP));
            // eDP-1 keeps running: new frames reach its window.
            long before = nested.onLoop(() -> nested.backend().stats(nested.scene().outputNamed("eDP-1")).frames());
            for (int i = 0; i < 5; i++) paint(full, 0xcc6633);
            int[] edp = outer.windowRect(outer.window(EDP));
            assertTrue(eventually(Duration.ofSeconds(5), () -> (outer.screenshot().at(edp[0] + 960, edp[1] + 540) & 0xffffff) == 0xcc6633),
                    "the eDP-1 window stopped showing new frames after HDMI-A-1 was unplugged");
            long after = nested.onLoop(() -> nested.backend().stats(nested.scene().outputNamed("eDP-1")).frames());
            assertTrue(after > before, "eDP-1 presented no frame after the unplug");
        }
    }
}
