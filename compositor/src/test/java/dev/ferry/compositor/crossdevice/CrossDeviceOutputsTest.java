package dev.ferry.compositor.crossdevice;

import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.FaultKind;
import dev.ferry.drm.FaultPlan;
import dev.ferry.drm.KernelClock;
import dev.ferry.kms.CopyMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Outputs on devices other than the render GPU, one scenario per preset: the copy mode the
 * topology allows is chosen and reported, and what each fake CRTC scans out is the client's
 * picture — read back through the display device's own view of memory (layout, coherency).
 */
@Timeout(90)
class CrossDeviceOutputsTest {
    /** auto, or vulkan while {@link CrossDeviceOutputsVulkanTest} runs (test classes run one at a time). */
    static volatile String renderer = "auto";

    private static Path runtimeDir() throws Exception {
        return Files.createTempDirectory("ferry-xdev-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    private static void assertShows(Compositor c, String output, int rgb, int marker) {
        Compositor.Screenshot shot = c.screenshot(output);
        assertEquals(marker, shot.at(20, 20) & 0xffffff, output + " marker");
        assertEquals(rgb, shot.at(shot.width() / 2, shot.height() / 2) & 0xffffff, output + " centre");
        assertEquals(rgb, shot.at(shot.width() - 1, shot.height() - 1) & 0xffffff, output + " corner");
    }

    private static CopyMode mode(Compositor c, String output) {
        return c.onLoop(() -> ((KmsBackend) c.backend()).copyMode(c.scene().outputNamed(output)));
    }

    private static void play(Compositor c, Path dir, String output, int frames, Runnable afterEach) throws Exception {
        play(c, dir, output, frames, afterEach, true);
    }

    private static void play(Compositor c, Path dir, String output, int frames, Runnable afterEach, boolean sealedPool)
            throws Exception {
        try (WaylandClient client = WaylandClient.connect(dir.resolve("wayland-x").toString());
             FullscreenClient w = new FullscreenClient(client, output, sealedPool)) {
            for (int i = 0; i < frames; i++) {
                w.frame(0x204080 + i, 0xff8000);
                if (afterEach != null) afterEach.run();
            }
            assertShows(c, output, 0x204080 + frames - 1, 0xff8000);
        }
    }

    @Test
    void hybridLaptopHdmiOnTheDgpuGetsASecondaryGpuCopy() throws Exception {
        Path dir = runtimeDir();
        try (Compositor c = Compositor.create(Compositor.Options.kms(dir, "wayland-x", KmsBackend.Config.of("hybrid-laptop")).withRenderer(renderer))) {
            c.startThread();
            assertEquals("card0", c.onLoop(() -> ((KmsBackend) c.backend()).renderDevice().info().name()), "iGPU is primary (preferred)");
            // The dGPU scans out only its own vram, so it cannot take the iGPU's buffer as is.
            assertEquals(CopyMode.SECONDARY_GPU, mode(c, "HDMI-A-1"));
            play(c, dir, "HDMI-A-1", 10, null);
            play(c, dir, "eDP-1", 5, null);
        }
    }

    @Test
    void usbDisplayTakesZeroCopyThenPrimaryGpuThenCpuCopyWithinOneFrame() throws Exception {
        Path dir = runtimeDir();
        // Commits on the adapter fail at its 8th and 14th real commit: zero-copy, then the
        // primary-GPU copy, each fail once, and the next mode must carry that very frame.
        FaultPlan faults = FaultPlan.seeded(1).atFrame(FaultKind.COMMIT, "card1", 8).atFrame(FaultKind.COMMIT, "card1", 14).build();
        try (Compositor c = Compositor.create(Compositor.Options.kms(dir, "wayland-x",
                KmsBackend.Config.of(dev.ferry.compositor.devices.FakeDevices.source("usb-display", KernelClock.monotonic(), faults))).withRenderer(renderer))) {
            c.startThread();
            assertEquals(CopyMode.ZERO_COPY, mode(c, "DVI-I-1"), "LINEAR system memory: the adapter scans out the iGPU's buffer");
            CopyMode[] seen = new CopyMode[3];
            // An unsealed pool: the adapter would scan a sealed one out directly (a udmabuf in
            // LINEAR system memory), and the copy modes are what this test is about.
            play(c, dir, "DVI-I-1", 24, () -> {
                CopyMode m = mode(c, "DVI-I-1");
                seen[m.ordinal() == 0 ? 0 : m == CopyMode.PRIMARY_GPU ? 1 : 2] = m;
            }, false);
            assertEquals(CopyMode.PRIMARY_GPU, seen[1], "primary-GPU copy took over");
            assertEquals(CopyMode.CPU, mode(c, "DVI-I-1"), "then the CPU copy");
            long failed = c.onLoop(() -> c.backend().stats(c.scene().outputNamed("DVI-I-1")).failedFrames());
            assertEquals(0, failed, "no frame was lost to the failures");
        }
    }

    @Test
    void secondaryDeviceUnpluggedMidStreamLeavesTheOtherOutputRunning() throws Exception {
        Path dir = runtimeDir();
        try (Compositor c = Compositor.create(Compositor.Options.kms(dir, "wayland-x", KmsBackend.Config.of("hybrid-laptop")).withRenderer(renderer))) {
            c.startThread();
            try (WaylandClient a = WaylandClient.connect(dir.resolve("wayland-x").toString());
                 WaylandClient b = WaylandClient.connect(dir.resolve("wayland-x").toString());
                 FullscreenClient onPanel = new FullscreenClient(a, "eDP-1");
                 FullscreenClient onHdmi = new FullscreenClient(b, "HDMI-A-1")) {
                for (int i = 0; i < 5; i++) {
                    onPanel.frame(0x102030 + i, 0x00ff00);
                    onHdmi.frame(0x302010 + i, 0x0000ff);
                }
                c.onLoop(() -> {
                    ((FakeKernel) c.backend().devices().orElseThrow()).device("card1").unplug();
                    return null;
                });
                // The panel keeps getting frames; the HDMI output goes away within a few refreshes.
                for (int i = 0; i < 20; i++) onPanel.frame(0x405060 + i, 0x00ff00);
                // The HDMI client's fullscreen window moved to the panel (DeviceFaultRecoveryTest),
                // on top there: the panel shows its last frame, the panel client drawing beneath.
                assertShows(c, "eDP-1", 0x302010 + 4, 0x0000ff);
                org.junit.jupiter.api.Assertions.assertTrue(
                        dev.ferry.compositor.FerryServer.eventually(java.time.Duration.ofSeconds(3),
                                () -> c.onLoop(() -> c.scene().outputNamed("HDMI-A-1") == null)),
                        "HDMI-A-1 should leave the scene once card1 is gone");
                var entries = c.onLoop(() -> c.faults().entries());
                assertEquals(1, entries.size(), "the unplug is named once: " + entries);
                assertEquals(dev.ferry.compositor.stats.FaultLog.Kind.DEVICE_UNPLUGGED, entries.getFirst().kind());
                assertEquals("card1/HDMI-A-1", entries.getFirst().where());
                org.junit.jupiter.api.Assertions.assertTrue(new String(c.statsJson()).contains("\"device-unplugged\""));
            }
        }
    }

    @Test
    void armSocScansOutOfContiguousMemoryAndNeverShowsStalePixels() throws Exception {
        Path dir = runtimeDir();
        try (Compositor c = Compositor.create(Compositor.Options.kms(dir, "wayland-x", KmsBackend.Config.of("arm-soc")).withRenderer(renderer))) {
            c.startThread();
            assertEquals("card1", c.onLoop(() -> ((KmsBackend) c.backend()).renderDevice().info().name()), "the render-only GPU is primary");
            assertNotNull(mode(c, "DSI-1"));
            // Every frame changes colour: a missing cache flush would show the previous one.
            play(c, dir, "DSI-1", 12, null);
        }
    }

    @Test
    void dualDgpuWithAndWithoutP2pShowTheSameSceneByDifferentPaths() throws Exception {
        CopyMode[] modes = new CopyMode[2];
        String[] presets = {"dual-dgpu-p2p", "dual-dgpu-nop2p"};
        for (int i = 0; i < 2; i++) {
            Path dir = runtimeDir();
            try (Compositor c = Compositor.create(Compositor.Options.kms(dir, "wayland-x", KmsBackend.Config.of(presets[i])).withRenderer(renderer))) {
                c.startThread();
                modes[i] = mode(c, "DP-2");
                play(c, dir, "DP-2", 8, null);
                play(c, dir, "DP-1", 4, null);
            }
        }
        org.junit.jupiter.api.Assertions.assertNotEquals(modes[0], modes[1], "p2p changes how DP-2 is fed: " + modes[0] + " vs " + modes[1]);
    }
}
