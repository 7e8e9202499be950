package dev.ferry.compositor.crossdevice;

import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.compositor.kms.VirtualKms;
import dev.ferry.compositor.stats.FaultLog;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.FaultKind;
import dev.ferry.drm.FaultPlan;
import dev.ferry.drm.KernelClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Device faults from the fake kernel's fault plans, survived and named: clients keep getting
 * frame callbacks, and each fault is in the FaultLog with where, how Ferry recovered and the
 * frames it cost. The frame-paced ones run on the virtual clock (the flip watchdog and the hotplug
 * poll are timers of the loop); the start-up ones need no clock.
 */
@Timeout(90)
class DeviceFaultRecoveryTest {
    private static Path runtimeDir() throws Exception {
        return Files.createTempDirectory("ferry-fault-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    @Test
    void aFlipThatNeverCompletesIsGivenUpAndFrameCallbacksKeepComing() throws Exception {
        withFlipThatNeverCompletes((k, c, w) -> {
        // Before the fix the 6th frame's callback never came: the client froze. On the
        // virtual clock the watchdog's 500 ms are 30 refreshes, none of them waited for.
        long t0 = System.nanoTime(), v0 = k.clock.nowNs();
        for (int i = 0; i < 30; i++) w.frame(k, 0x102030 + i, 0x00ff00, 40);
        long ms = (System.nanoTime() - t0) / 1_000_000, virtualMs = (k.clock.nowNs() - v0) / 1_000_000;
        List<FaultLog.Entry> entries = c.onLoop(() -> c.faults().entries());
        assertEquals(1, entries.size(), "the stall is named once: " + entries);
        FaultLog.Entry e = entries.getFirst();
        assertEquals(FaultLog.Kind.FLIP_NEVER_COMPLETES, e.kind());
        assertEquals("card0/eDP-1", e.where());
        assertTrue(e.recovery().contains("given up"), e.recovery());
        assertEquals(1, e.framesLost());
        long failed = c.onLoop(() -> c.backend().stats(c.scene().outputNamed("eDP-1")).failedFrames());
        assertTrue(failed >= 1, "the lost frames are counted");
        assertTrue(new String(c.statsJson()).contains("\"flip-never-completes\""));
        assertTrue(virtualMs >= 500, "the watchdog gave up after its 500 ms: " + virtualMs + " ms of virtual time");
        System.out.println("flip never completes: 30 frames in " + virtualMs + " ms of virtual time, " + ms + " ms of wall time, "
                + failed + " failed frames");
        });
    }

    @Test
    void anOutputWhoseCrtcStaysBusyAfterTheFlipIsGivenUpIsMarkedFailedAndItsWindowMoves() throws Exception {
        // The flip never completes and the fake CRTC refuses every later commit as busy: retrying
        // forever would leave a frozen screen with a fault entry saying "1 frame lost".
        withFlipThatNeverCompletes((k, c, w) -> {
        for (int i = 0; i < 30; i++) w.frame(k, 0x102030 + i, 0x00ff00, 40);
        k.refreshUntil(() -> c.onLoop(() -> c.scene().outputNamed("eDP-1") == null), 200,
                "eDP-1 should be withdrawn once its stall outlasts " + "2 s");
        for (int i = 0; i < 10; i++) w.frame(k, 0x405060 + i, 0x0000ff, 6);
        assertEquals(List.of("eDP-1"), w.left, "wl_surface.leave for the failed output");
        assertTrue(c.onLoop(() -> c.scene().windows().getFirst().fullscreenOn() == c.scene().outputNamed("HDMI-A-1")),
                "the fullscreen window moved to the output that still shows frames");
        List<FaultLog.Entry> entries = c.onLoop(() -> c.faults().entries());
        assertEquals(2, entries.size(), "the stall, then the output given up: " + entries);
        FaultLog.Entry failed = entries.get(1);
        assertEquals(FaultLog.Kind.FLIP_NEVER_COMPLETES, failed.kind());
        assertEquals("card0/eDP-1", failed.where());
        assertTrue(failed.recovery().contains("marked failed"), failed.recovery());
        // Every refresh of the stall was a frame lost: 2 s at 60 Hz, give or take the poll.
        assertTrue(failed.framesLost() >= 100, "the stall's frames are counted: " + failed);
        });
    }

    private interface StalledScene {
        void run(VirtualKms k, Compositor c, FullscreenClient w) throws Exception;
    }

    /** hybrid-laptop with a fullscreen client on eDP-1, whose 6th real commit on card0 is accepted and never completes. */
    private static void withFlipThatNeverCompletes(StalledScene scene) throws Exception {
        FaultPlan faults = FaultPlan.seeded(1).atFrame(FaultKind.FLIP_NEVER_COMPLETES, "card0", 5).build();
        try (VirtualKms k = new VirtualKms("hybrid-laptop", "eDP-1", faults, "auto");
             FullscreenClient w = new FullscreenClient(k.connect(), "eDP-1", 3)) {
            scene.run(k, k.c, w);
        }
    }

    @Test
    void aFullscreenClientOnAnUnpluggedOutputMovesToARemainingOneAndKeepsDrawing() throws Exception {
        try (VirtualKms k = new VirtualKms("hybrid-laptop", "eDP-1", FaultPlan.none(), "auto")) {
            Compositor c = k.c;
            int panelWidth = c.onLoop(() -> c.scene().outputNamed("eDP-1").width());
            int panelHeight = c.onLoop(() -> c.scene().outputNamed("eDP-1").height());
            WaylandClient client = k.connect();
            try (FullscreenClient w = new FullscreenClient(client, "HDMI-A-1")) {
                for (int i = 0; i < 5; i++) w.frame(k, 0x302010 + i, 0x0000ff, 6);
                c.onLoop(() -> {
                    ((FakeKernel) c.backend().devices().orElseThrow()).device("card1").unplug();
                    return null;
                });
                k.refreshUntil(() -> c.onLoop(() -> c.scene().outputNamed("HDMI-A-1") == null), 30,
                        "HDMI-A-1 should leave the scene once card1 is gone");
                // Before the fix it froze: no leave, no configure, no more frame callbacks.
                for (int i = 0; i < 10; i++) w.frame(k, 0x405060 + i, 0x0000ff, 6);
                assertEquals(List.of("HDMI-A-1"), w.left, "wl_surface.leave for the output that went");
                assertEquals(panelWidth, w.configuredWidth(), "reconfigured fullscreen on the panel");
                assertEquals(panelHeight, w.configuredHeight());
                assertTrue(c.onLoop(() -> c.scene().windows().getFirst().fullscreenOn() == c.scene().outputNamed("eDP-1")));
            }
        }
    }

    @Test
    void aDeviceWhoseImportsAndAllocationsFailFromStartUpCostsOnlyItsOwnOutput() throws Exception {
        Path dir = runtimeDir();
        // Nothing can be brought to card1: every copy mode fails ("no copy mode works from card0
        // to card1"), which used to abort the whole compositor.
        FaultPlan faults = FaultPlan.seeded(1).frames(FaultKind.IMPORT, "card1", 0, Long.MAX_VALUE)
                .frames(FaultKind.ALLOCATION, "card1", 0, Long.MAX_VALUE).build();
        try (Compositor c = Compositor.create(Compositor.Options.kms(dir, "wayland-x",
                KmsBackend.Config.of(dev.ferry.compositor.devices.FakeDevices.source("hybrid-laptop", KernelClock.monotonic(), faults))))) {
            c.startThread();
            assertTrue(c.onLoop(() -> c.scene().outputNamed("HDMI-A-1") == null), "the output that cannot be fed is not started");
            List<FaultLog.Entry> entries = c.onLoop(() -> c.faults().entries());
            assertEquals(1, entries.size(), "said once: " + entries);
            assertEquals("card1/HDMI-A-1", entries.getFirst().where());
            assertTrue(entries.getFirst().recovery().contains("not started"), entries.getFirst().recovery());
            try (WaylandClient client = WaylandClient.connect(dir.resolve("wayland-x").toString());
                 FullscreenClient w = new FullscreenClient(client, "eDP-1")) {
                for (int i = 0; i < 5; i++) w.frame(0x102030 + i, 0x00ff00);
            }
        }
        assertEquals(List.of(), listing(dir), "nothing left in the runtime directory");
    }

    @Test
    void aStartUpFailureLeavesNoSocketNorLockFile() throws Exception {
        Path dir = runtimeDir();
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> Compositor.create(
                Compositor.Options.kms(dir, "wayland-x", KmsBackend.Config.of("no-such-topology"))));
        assertTrue(e.getMessage() != null && e.getMessage().contains("no-such-topology"), String.valueOf(e));
        assertEquals(List.of(), listing(dir), "a failed start left files behind");
    }

    private static List<String> listing(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
