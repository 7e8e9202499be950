package dev.ferry.compositor.crossdevice;

import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.FaultKind;
import dev.ferry.drm.FaultPlan;
import dev.ferry.kms.CopyMode;
import dev.ferry.compositor.kms.VirtualKms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Outputs on devices other than the render GPU, one scenario per preset: the copy mode the
 * topology allows is chosen and reported, and what each fake CRTC scans out is the client's
 * picture — read back through the display device's own view of memory (layout, coherency).
 * On the virtual clock: a frame is one refresh, the unplugged device's hotplug poll a timer.
 */
@Timeout(90)
class CrossDeviceOutputsTest {
    /** auto, or vulkan while {@link CrossDeviceOutputsVulkanTest} runs (test classes run one at a time). */
    static volatile String renderer = "auto";

    /** A kms Ferry on the topology, on the virtual clock (see VirtualKms); output names the one whose refresh paces the test. */
    private static VirtualKms kms(String topology, String output, FaultPlan faults) throws Exception {
        return new VirtualKms(topology, output, faults, renderer);
    }

    private static void frame(VirtualKms k, FullscreenClient w, int rgb, int marker) throws Exception {
        w.frame(k, rgb, marker, 6);
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

    private static void play(VirtualKms k, String output, int frames, Runnable afterEach) throws Exception {
        play(k, output, frames, afterEach, true);
    }

    private static void play(VirtualKms k, String output, int frames, Runnable afterEach, boolean sealedPool)
            throws Exception {
        WaylandClient client = k.connect();
        try (FullscreenClient w = new FullscreenClient(client, output, sealedPool)) {
            for (int i = 0; i < frames; i++) {
                frame(k, w, 0x204080 + i, 0xff8000);
                if (afterEach != null) afterEach.run();
            }
            assertShows(k.c, output, 0x204080 + frames - 1, 0xff8000);
        }
        k.kill(client);
    }

    @Test
    void hybridLaptopHdmiOnTheDgpuGetsASecondaryGpuCopy() throws Exception {
        try (VirtualKms k = kms("hybrid-laptop", "eDP-1", FaultPlan.none())) {
            Compositor c = k.c;
            assertEquals("card0", c.onLoop(() -> ((KmsBackend) c.backend()).renderDevice().info().name()), "iGPU is primary (preferred)");
            // The dGPU scans out only its own vram, so it cannot take the iGPU's buffer as is.
            assertEquals(CopyMode.SECONDARY_GPU, mode(c, "HDMI-A-1"));
            play(k, "HDMI-A-1", 10, null);
            play(k, "eDP-1", 5, null);
        }
    }

    @Test
    void usbDisplayTakesZeroCopyThenPrimaryGpuThenCpuCopyWithinOneFrame() throws Exception {
        // Commits on the adapter fail at its 8th and 14th real commit: zero-copy, then the
        // primary-GPU copy, each fail once, and the next mode must carry that very frame.
        FaultPlan faults = FaultPlan.seeded(1).atFrame(FaultKind.COMMIT, "card1", 8).atFrame(FaultKind.COMMIT, "card1", 14).build();
        try (VirtualKms k = kms("usb-display", "DVI-I-1", faults)) {
            Compositor c = k.c;
            assertEquals(CopyMode.ZERO_COPY, mode(c, "DVI-I-1"), "LINEAR system memory: the adapter scans out the iGPU's buffer");
            CopyMode[] seen = new CopyMode[3];
            // An unsealed pool: the adapter would scan a sealed one out directly (a udmabuf in
            // LINEAR system memory), and the copy modes are what this test is about.
            play(k, "DVI-I-1", 24, () -> {
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
        try (VirtualKms k = kms("hybrid-laptop", "eDP-1", FaultPlan.none())) {
            Compositor c = k.c;
            WaylandClient a = k.connect(), b = k.connect();
            try (FullscreenClient onPanel = new FullscreenClient(a, "eDP-1");
                 FullscreenClient onHdmi = new FullscreenClient(b, "HDMI-A-1")) {
                for (int i = 0; i < 5; i++) {
                    frame(k, onPanel, 0x102030 + i, 0x00ff00);
                    frame(k, onHdmi, 0x302010 + i, 0x0000ff);
                }
                c.onLoop(() -> {
                    ((FakeKernel) c.backend().devices().orElseThrow()).device("card1").unplug();
                    return null;
                });
                // The panel keeps getting frames; the HDMI output goes away within a few refreshes.
                for (int i = 0; i < 20; i++) frame(k, onPanel, 0x405060 + i, 0x00ff00);
                // The HDMI client's fullscreen window moved to the panel (DeviceFaultRecoveryTest),
                // on top there: the panel shows its last frame, the panel client drawing beneath.
                assertShows(c, "eDP-1", 0x302010 + 4, 0x0000ff);
                k.refreshUntil(() -> c.onLoop(() -> c.scene().outputNamed("HDMI-A-1") == null), 30,
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
        try (VirtualKms k = kms("arm-soc", "DSI-1", FaultPlan.none())) {
            Compositor c = k.c;
            assertEquals("card1", c.onLoop(() -> ((KmsBackend) c.backend()).renderDevice().info().name()), "the render-only GPU is primary");
            assertNotNull(mode(c, "DSI-1"));
            // Every frame changes colour: a missing cache flush would show the previous one.
            play(k, "DSI-1", 12, null);
        }
    }

    @Test
    void dualDgpuWithAndWithoutP2pShowTheSameSceneByDifferentPaths() throws Exception {
        CopyMode[] modes = new CopyMode[2];
        String[] presets = {"dual-dgpu-p2p", "dual-dgpu-nop2p"};
        for (int i = 0; i < 2; i++) {
            try (VirtualKms k = kms(presets[i], "DP-1", FaultPlan.none())) {
                modes[i] = mode(k.c, "DP-2");
                play(k, "DP-2", 8, null);
                play(k, "DP-1", 4, null);
            }
        }
        org.junit.jupiter.api.Assertions.assertNotEquals(modes[0], modes[1], "p2p changes how DP-2 is fed: " + modes[0] + " vs " + modes[1]);
    }
}
