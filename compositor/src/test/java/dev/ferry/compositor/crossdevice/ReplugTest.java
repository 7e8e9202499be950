package dev.ferry.compositor.crossdevice;

import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.FerryServer;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.compositor.control.ControlClient;
import dev.ferry.compositor.control.ControlServer;
import dev.ferry.compositor.devices.FakeDevices;
import dev.ferry.compositor.stats.FaultLog;
import dev.ferry.drm.KernelClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Devices and monitors unplugged and plugged back in while clients draw, through the control
 * request `ferry ctl fault` sends and through a `--faults` spec: the output leaves and comes back
 * as a new wl_output global that clients can bind and use, a fullscreen window moves away and
 * back, what the re-plugged CRTC scans out is read back, and the fault log names the unplug and
 * the recovery.
 */
@Timeout(120)
class ReplugTest {
    private static Path runtimeDir() throws Exception {
        return Files.createTempDirectory("ferry-replug-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    private static String ctl(Compositor c, Path dir, String request) throws IOException {
        return new String(ControlClient.request(ControlServer.controlDir(dir, c.socketName()).resolve("control"), request), StandardCharsets.UTF_8);
    }

    private static void awaitOutput(Compositor c, String name, boolean present) throws InterruptedException {
        assertTrue(FerryServer.eventually(Duration.ofSeconds(10), () -> c.onLoop(() -> (c.scene().outputNamed(name) != null) == present)),
                name + (present ? " should come back" : " should leave the scene"));
    }

    private static void assertShows(Compositor c, String output, int rgb, int marker) {
        Compositor.Screenshot shot = c.screenshot(output);
        assertEquals(marker, shot.at(20, 20) & 0xffffff, output + " marker");
        assertEquals(rgb, shot.at(shot.width() / 2, shot.height() / 2) & 0xffffff, output + " centre");
        assertEquals(rgb, shot.at(shot.width() - 1, shot.height() - 1) & 0xffffff, output + " corner");
    }

    /** Draws until the window's configure asks for width (it was moved), then a few frames more. */
    private static void drawUntilConfigured(FullscreenClient w, int width, int rgb, int marker) throws IOException {
        for (int i = 0; i < 200 && w.configuredWidth() != width; i++) w.frame(rgb, marker);
        assertEquals(width, w.configuredWidth(), "configured for the output it is on now");
        for (int i = 0; i < 3; i++) w.frame(rgb, marker);
    }

    private static List<String> log(Compositor c) {
        return c.onLoop(() -> c.faults().entries().stream().map(e -> e.kind().label() + " " + e.where()).toList());
    }

    @Test
    void aDeviceUnpluggedAndPluggedBackByCtlComesBackAsAnOutputClientsUse() throws Exception {
        Path dir = runtimeDir();
        try (Compositor c = Compositor.create(Compositor.Options.kms(dir, "wayland-x", KmsBackend.Config.of("hybrid-laptop")))) {
            c.startThread();
            int hdmiWidth = c.onLoop(() -> c.scene().outputNamed("HDMI-A-1").width());
            int panelWidth = c.onLoop(() -> c.scene().outputNamed("eDP-1").width());
            try (WaylandClient client = WaylandClient.connect(dir.resolve("wayland-x").toString());
                 FullscreenClient w = new FullscreenClient(client, "HDMI-A-1")) {
                for (int i = 0; i < 5; i++) w.frame(0x302010 + i, 0x0000ff);
                assertShows(c, "HDMI-A-1", 0x302014, 0x0000ff);

                assertEquals("card1 will be unplugged at its next commit", ctl(c, dir, "fault unplug card1 1"));
                awaitOutput(c, "HDMI-A-1", false);
                drawUntilConfigured(w, panelWidth, 0x405060, 0x0000ff);
                assertEquals(List.of("HDMI-A-1"), w.left, "wl_surface.leave for the output that went");

                assertEquals("card1 will be plugged back in at the next hotplug poll (250 ms)", ctl(c, dir, "fault replug card1 1"));
                awaitOutput(c, "HDMI-A-1", true);
                // The window asked for HDMI-A-1: it goes back there and is told its size again.
                drawUntilConfigured(w, hdmiWidth, 0x506070, 0x00ff00);
                assertShows(c, "HDMI-A-1", 0x506070, 0x00ff00);
                assertTrue(c.onLoop(() -> c.scene().windows().getFirst().fullscreenOn() == c.scene().outputNamed("HDMI-A-1")));

                // A client that arrives now finds the new wl_output global by name and uses it.
                try (WaylandClient late = WaylandClient.connect(dir.resolve("wayland-x").toString());
                     FullscreenClient w2 = new FullscreenClient(late, "HDMI-A-1")) {
                    assertEquals(hdmiWidth, w2.width);
                    for (int i = 0; i < 3; i++) w2.frame(0x605040 + i, 0xff0000);
                    assertShows(c, "HDMI-A-1", 0x605042, 0xff0000);
                }
            }
            assertEquals(List.of("device-unplugged card1/HDMI-A-1", "device-replugged card1/HDMI-A-1"), log(c));
            FaultLog.Entry back = c.onLoop(() -> c.faults().entries().getLast());
            assertTrue(back.recovery().contains("1 fullscreen window moved back"), back.recovery());
            assertEquals(0, back.framesLost());
            String stats = new String(c.statsJson(), StandardCharsets.UTF_8);
            assertTrue(stats.contains("\"device-replugged\""), stats);
            assertTrue(stats.contains("\"replug\""), "the injected re-plug is listed: " + stats);
        }
    }

    @Test
    void aFaultsSpecUnplugsAtAFrameAndReplugsAtTheNextPoll() throws Exception {
        Path dir = runtimeDir();
        // card1's 20th real commit finds it gone; the hotplug poll after that (its frame count
        // stands at 21 while nothing can commit) brings it back.
        var plan = FakeDevices.faultPlan("unplug@HDMI-A-1:frame=20, replug@card1:frame=21", "hybrid-laptop");
        try (Compositor c = Compositor.create(Compositor.Options.kms(dir, "wayland-x",
                KmsBackend.Config.of(FakeDevices.source("hybrid-laptop", KernelClock.monotonic(), plan))))) {
            c.startThread();
            int hdmiWidth = c.onLoop(() -> c.scene().outputNamed("HDMI-A-1").width());
            try (WaylandClient client = WaylandClient.connect(dir.resolve("wayland-x").toString());
                 FullscreenClient w = new FullscreenClient(client, "HDMI-A-1")) {
                for (int i = 0; i < 200 && log(c).size() < 2; i++) w.frame(0x102030, 0x0000ff);
                assertEquals(List.of("device-unplugged card1/HDMI-A-1", "device-replugged card1/HDMI-A-1"), log(c));
                awaitOutput(c, "HDMI-A-1", true);
                drawUntilConfigured(w, hdmiWidth, 0x203040, 0x00ff00);
                assertShows(c, "HDMI-A-1", 0x203040, 0x00ff00);
                assertEquals(List.of("HDMI-A-1", "eDP-1"), w.left, "it left HDMI-A-1 while card1 was gone, then the panel to go back");
            }
            var injected = c.onLoop(() -> FakeDevices.injected(c.backend().devices().orElseThrow()));
            assertEquals(List.of("unplug card1 20", "replug card1 21"),
                    injected.stream().map(f -> f.kind() + " " + f.device() + " " + f.frame()).toList());
        }
    }

    @Test
    void aMonitorPluggedIntoAnEmptyPortUnpluggedAndPluggedBackIsAnOutputEachTime() throws Exception {
        Path dir = runtimeDir();
        try (Compositor c = Compositor.create(Compositor.Options.kms(dir, "wayland-x", KmsBackend.Config.of("laptop-igpu")))) {
            c.startThread();
            assertEquals(List.of("eDP-1"), c.onLoop(() -> c.scene().outputs().stream().map(o -> o.name()).toList()));
            assertEquals("a monitor will be plugged into DP-1 at the next hotplug poll (250 ms)", ctl(c, dir, "fault reconnect DP-1 1"));
            awaitOutput(c, "DP-1", true);
            try (WaylandClient client = WaylandClient.connect(dir.resolve("wayland-x").toString());
                 FullscreenClient onPanel = new FullscreenClient(client, "eDP-1");
                 FullscreenClient onMonitor = new FullscreenClient(client, "DP-1")) {
                assertEquals(1920, onMonitor.width, "a monitor in an empty port offers 1920x1080");
                for (int i = 0; i < 3; i++) {
                    onPanel.frame(0x112233, 0x00ff00);
                    onMonitor.frame(0x332211, 0x0000ff);
                }
                assertShows(c, "DP-1", 0x332211, 0x0000ff);
                assertShows(c, "eDP-1", 0x112233, 0x00ff00);

                assertEquals("DP-1's monitor will be unplugged at the next hotplug poll (250 ms)", ctl(c, dir, "fault disconnect DP-1 1"));
                awaitOutput(c, "DP-1", false);
                assertTrue(c.onLoop(() -> c.scene().windows().stream().allMatch(x -> x.fullscreenOn() == c.scene().outputNamed("eDP-1"))),
                        "both fullscreen on the panel now");
                onPanel.frame(0x112233, 0x00ff00);

                ctl(c, dir, "fault reconnect DP-1 1");
                awaitOutput(c, "DP-1", true);
                for (int i = 0; i < 5; i++) {
                    onPanel.frame(0x445566, 0x00ff00);
                    onMonitor.frame(0x665544, 0xff0000);
                }
                assertShows(c, "DP-1", 0x665544, 0xff0000);
                assertShows(c, "eDP-1", 0x445566, 0x00ff00);
            }
            assertEquals(List.of("connector-replugged card0/DP-1", "connector-unplugged card0/DP-1", "connector-replugged card0/DP-1"), log(c));
            var bad = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> ctl(c, dir, "fault disconnect HDMI-A-9 1"));
            assertEquals("no connector HDMI-A-9 (eDP-1, DP-1, any)", bad.getMessage());
        }
    }
}
