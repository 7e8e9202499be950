package dev.ferry.compositor.kms;

import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.compositor.stats.PathStatistics;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * wl_shm clients on the kms backend: KMS cannot scan out client shared memory, so every frame
 * is GPU-composed into the display device's swapchain, with the reason recorded, and what the
 * fake CRTC scans out shows the client's pixels.
 */
@Timeout(60)
class KmsShmPathTest {
    /**
     * What weston-simple-shm relies on: with two buffers, when a frame's callback arrives the
     * other buffer has been released. A callback that outruns the release (for example one
     * answered while the frame showing its commit is still in flight) makes it abort.
     */
    @Test
    void frameCallbackNeverOutrunsTheReleaseOfTheOtherBuffer() throws Exception {
        Path dir = Files.createTempDirectory("ferry-kms-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (Compositor c = Compositor.create(Compositor.Options.kms(dir, "wayland-kms", KmsBackend.Config.of("laptop-igpu")))) {
            c.startThread();
            for (int run = 0; run < 5; run++) {
                try (WaylandClient client = WaylandClient.connect(dir.resolve("wayland-kms").toString())) {
                    ShmWindow w = new ShmWindow(client, "two-buffers-" + run, 250, 250, true);
                    for (int i = 0; i < 30; i++) {
                        assertTrue(w.draw(ShmWindow.fill(0x00102030 + i)), "run " + run + " frame " + i + ": both buffers still busy at the frame callback");
                        assertTrue(w.awaitFrame(2000), "frame " + i);
                    }
                    w.close();
                }
            }
        }
    }

    /** One commit, one frame: an idle output flips nothing, a commit is shown once. */
    @Test
    void eachCommitIsPresentedOnceAndAnIdleOutputFlipsNothing() throws Exception {
        Path dir = Files.createTempDirectory("ferry-kms-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (Compositor c = Compositor.create(Compositor.Options.kms(dir, "wayland-kms", KmsBackend.Config.of("laptop-igpu")));
             WaylandClient client = WaylandClient.connect(startAndPath(c, dir))) {
            ShmWindow w = new ShmWindow(client, "paced", 200, 120, true);
            assertTrue(w.drawWhenFree(ShmWindow.fill(0x00ff0000), 2000));
            assertTrue(w.awaitFrame(2000));
            Thread.sleep(200);
            long before = c.onLoop(() -> c.backend().stats(c.scene().outputNamed("eDP-1")).frames());
            for (int i = 0; i < 10; i++) {
                assertTrue(w.drawWhenFree(ShmWindow.fill(0x00000010 * i), 2000));
                assertTrue(w.awaitFrame(2000));
                Thread.sleep(50); // slower than the display: every frame is a separate commit
            }
            Thread.sleep(200);
            long after = c.onLoop(() -> c.backend().stats(c.scene().outputNamed("eDP-1")).frames());
            assertEquals(10, after - before, "10 commits, 10 frames");
            w.close();
        }
    }

    /** `ferry ctl stats` says what the process costs per presented frame, since start and recently. */
    @Test
    void statsReportTheProcessCostPerFrame() throws Exception {
        Path dir = Files.createTempDirectory("ferry-kms-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (Compositor c = Compositor.create(Compositor.Options.kms(dir, "wayland-kms", KmsBackend.Config.of("laptop-igpu")));
             WaylandClient client = WaylandClient.connect(startAndPath(c, dir))) {
            ShmWindow w = new ShmWindow(client, "costed", 200, 120, true);
            long end = System.nanoTime() + 2_500_000_000L;  // past two one-second samples
            for (int i = 0; System.nanoTime() < end; i++) {
                assertTrue(w.drawWhenFree(ShmWindow.fill(0x00000100 * (i & 0xff)), 2000));
                assertTrue(w.awaitFrame(2000));
            }
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(c.statsJson());
            var process = json.get("process");
            assertNotNull(process, json.toPrettyString());
            long outputFrames = 0;
            for (var o : json.get("outputs")) outputFrames += o.get("frames").asLong();
            assertEquals(outputFrames, process.get("frames").asLong(), "frames of every output, read in the same loop turn");
            assertTrue(outputFrames > 20, process.toPrettyString());
            assertTrue(process.get("cpu_ms").asLong() > 0 && process.get("cpu_ms_per_frame").asDouble() > 0, process.toPrettyString());
            var recent = process.get("recent");
            assertTrue(recent.get("seconds").asDouble() >= 1.9, recent.toPrettyString());
            assertTrue(recent.get("frames").asLong() > 0 && recent.get("cpu_ms_per_frame").asDouble() > 0, recent.toPrettyString());
            w.close();
        }
    }

    private static String startAndPath(Compositor c, Path dir) {
        c.startThread();
        return dir.resolve("wayland-kms").toString();
    }

    @Test
    void shmWindowIsComposedWithItsReasonAndReachesTheCrtc() throws Exception {
        Path dir = Files.createTempDirectory("ferry-kms-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (Compositor c = Compositor.create(Compositor.Options.kms(dir, "wayland-kms", KmsBackend.Config.of("laptop-igpu")).withRenderer("gles"))) {
            c.startThread();
            try (WaylandClient client = WaylandClient.connect(dir.resolve("wayland-kms").toString())) {
                ShmWindow w = new ShmWindow(client, "shm-on-kms", 200, 120, true);
                for (int i = 0; i < 20; i++) {
                    assertTrue(w.drawWhenFree(ShmWindow.fill(0x00336699), 2000), "no buffer released for frame " + i);
                    assertTrue(w.awaitFrame(2000), "frame " + i);
                }
                Compositor.Screenshot shot = c.screenshot("eDP-1");
                int[] r = c.onLoop(() -> {
                    var win = c.scene().windows().getFirst();
                    return new int[] {win.x(), win.y()};
                });
                assertEquals(0x336699, shot.at(r[0] + 100, r[1] + 60) & 0xffffff, "CRTC read-back shows the client's colour");
                assertEquals(0x000000, shot.at(1900, 1000) & 0xffffff, "background");
                PathStatistics.SurfaceRecord rec = c.onLoop(() -> c.pathStatistics().record(c.scene().windows().getFirst().surface()));
                assertNotNull(rec);
                assertTrue(rec.all().frames(PathKind.GPU_COMPOSITION) >= 15, rec.all().toMap() + " output: " + c.onLoop(() -> c.pathStatistics().output("eDP-1").toMap()) + " client frames " + w.framesDone());
                assertEquals(0, rec.all().frames(PathKind.DIRECT_SCANOUT));
                @SuppressWarnings("unchecked")
                var byReason = (java.util.Map<String, Long>) rec.all().toMap().get("by_reason");
                assertTrue(byReason.containsKey(FallbackReason.NOT_FULLSCREEN.label()), byReason.toString());
                w.close();
            }
        }
    }
}
