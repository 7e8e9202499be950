package dev.ferry.compositor.kms;

import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.compositor.stats.PathStatistics;
import dev.ferry.drm.FaultPlan;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * wl_shm clients on the kms backend. A windowed one is composed into the display device's
 * swapchain, with the reason recorded; a fullscreen one whose pool is sealed goes to the primary
 * plane as a udmabuf, uncopied; an unsealed pool takes the composed path with its reason. What
 * the fake CRTC scans out shows the client's pixels either way. All on the virtual clock but the
 * process-cost report, which samples real CPU time once a real second.
 */
@Timeout(60)
class KmsShmPathTest {
    private static final String OUTPUT = "eDP-1";

    private static VirtualKms kms(String renderer) throws Exception {
        return new VirtualKms("laptop-igpu", OUTPUT, FaultPlan.none(), renderer);
    }

    /**
     * What weston-simple-shm relies on: with two buffers, when a frame's callback arrives the
     * other buffer has been released. A callback that outruns the release (for example one
     * answered while the frame showing its commit is still in flight) makes it abort.
     */
    @Test
    void frameCallbackNeverOutrunsTheReleaseOfTheOtherBuffer() throws Exception {
        try (VirtualKms k = kms("auto")) {
            for (int run = 0; run < 5; run++) {
                WaylandClient client = k.connect();
                ShmWindow w = k.shm(client, "two-buffers-" + run, 250, 250);
                for (int i = 0; i < 30; i++) {
                    assertTrue(w.draw(ShmWindow.fill(0x00102030 + i)), "run " + run + " frame " + i + ": both buffers still busy at the frame callback");
                    long done = w.framesDone();
                    k.refreshUntil(() -> w.framesDone() > done, 4, "frame " + i);
                }
                w.close();
                k.kill(client);
            }
        }
    }

    /** One commit, one frame: an idle output flips nothing, a commit is shown once. */
    @Test
    void eachCommitIsPresentedOnceAndAnIdleOutputFlipsNothing() throws Exception {
        try (VirtualKms k = kms("auto")) {
            WaylandClient client = k.connect();
            ShmWindow w = k.shm(client, "paced", 200, 120);
            k.frame(w, 0x00ff0000);
            for (int i = 0; i < 12; i++) k.refresh();  // idle: 200 ms of virtual time
            long before = k.c.onLoop(() -> k.c.backend().stats(k.c.scene().outputNamed(OUTPUT)).frames());
            for (int i = 0; i < 10; i++) {
                k.frame(w, 0x00000010 * i);
                for (int r = 0; r < 3; r++) k.refresh();  // slower than the display: every frame is a separate commit
            }
            for (int i = 0; i < 12; i++) k.refresh();
            long after = k.c.onLoop(() -> k.c.backend().stats(k.c.scene().outputNamed(OUTPUT)).frames());
            assertEquals(10, after - before, "10 commits, 10 frames");
            w.close();
        }
    }

    /**
     * `ferry ctl stats` says what the process costs per presented frame, since start and recently.
     * On the real clock: process CPU is sampled once a real second, which is what it measures.
     */
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

    private static final int FULL_W = 1920, FULL_H = 1080;

    /** Frames of a fullscreen ShmWindow on laptop-igpu's eDP-1: distinct colours, each awaited. */
    private record Played(PathStatistics.SurfaceRecord record, long bytesComposedWhileScanningOut, int lastColour,
                          Compositor.Screenshot shot) {}

    private static Played playFullscreen(boolean sealedPool, int frames) throws Exception {
        try (VirtualKms k = kms("auto")) {
            Compositor c = k.c;
            WaylandClient client = k.connect();
            ShmWindow w = new ShmWindow(client, "fullscreen-shm", FULL_W, FULL_H, sealedPool);
            w.setFullscreen();
            k.settle();
            var eDP = c.onLoop(() -> c.scene().outputNamed(OUTPUT));
            long bytesAfterWarmUp = 0;
            int colour = 0;
            for (int i = 0; i < frames; i++) {
                colour = 0x00203040 + i * 0x010101;
                // Frame callbacks pace the client; with two buffers, a false draw means the
                // compositor still held both at the callback (release after the replacing flip).
                assertTrue(w.draw(ShmWindow.fill(colour)), "no buffer released for frame " + i);
                long done = w.framesDone();
                k.refreshUntil(() -> w.framesDone() > done, 4, "frame " + i);
                if (i == 4) bytesAfterWarmUp = c.onLoop(() -> c.backend().stats(eDP).bytesComposed());
            }
            long bytesAfterWarmUpFinal = bytesAfterWarmUp;
            long bytesComposed = c.onLoop(() -> c.backend().stats(eDP).bytesComposed()) - bytesAfterWarmUpFinal;
            Compositor.Screenshot shot = c.screenshot(OUTPUT);
            PathStatistics.SurfaceRecord rec = c.onLoop(() -> c.pathStatistics().record(c.scene().windows().getFirst().surface()));
            w.close();
            return new Played(rec, bytesComposed, colour, shot);
        }
    }

    /** The fast path for wl_shm: a sealed pool, wrapped once as a udmabuf, on the primary plane. */
    @Test
    void fullscreenShmFromASealedPoolIsScannedOutWithNoCopy() throws Exception {
        int frames = 40;
        Played p = playFullscreen(true, frames);
        assertNotNull(p.record());
        long direct = p.record().all().frames(PathKind.DIRECT_SCANOUT);
        assertTrue(direct >= frames - 5, "direct scanout on every frame after the first five: " + p.record().all().toMap());
        assertEquals(0, p.bytesComposedWhileScanningOut(), "bytes composed after the first five frames");
        assertEquals(p.lastColour(), p.shot().at(FULL_W / 2, FULL_H / 2) & 0xffffff, "CRTC shows the client's last frame");
        assertEquals(p.lastColour(), p.shot().at(FULL_W - 1, FULL_H - 1) & 0xffffff, "to the last pixel");
    }

    /**
     * A wl_shm buffer on the primary plane is the display's until the flip that replaces it
     * completes: when the client hears that the first buffer is free, the CRTC already shows
     * the second. (Released at the commit instead, the client could draw into memory the
     * display is still scanning out.)
     */
    @Test
    void aScannedOutShmBufferIsReleasedOnlyOnceTheFlipReplacingItCompleted() throws Exception {
        try (VirtualKms k = kms("auto")) {
            Compositor c = k.c;
            WaylandClient client = k.connect();
            ShmWindow w = new ShmWindow(client, "release-order", FULL_W, FULL_H, true);
            w.setFullscreen();
            k.settle();
            int scannedOut = 0;
            for (int i = 0; i < 10; i++) {
                int first = 0x00100000 + i, second = 0x00200000 + i;
                k.frame(w, first);
                // The first frame callback may come before any frame showed the new window (it had
                // no output yet): then nothing is known of the first buffer's path.
                List<VirtualKms.Rec> shownAs = k.last("release-order", 1);
                boolean onPlane = !shownAs.isEmpty() && shownAs.getFirst().path() == PathKind.DIRECT_SCANOUT;
                boolean composed = !shownAs.isEmpty() && !onPlane;
                k.refreshUntil(() -> w.buffersHeld() <= 1, 4, "the buffer before the first one was released");
                assertTrue(w.draw(ShmWindow.fill(second)), "a free buffer for the second frame");
                long done = w.framesDone();
                k.settle();
                if (onPlane) {
                    assertEquals(2, w.buffersHeld());
                    k.refreshUntil(() -> w.buffersHeld() <= 1, 4, "the first buffer released once the second is up");
                    assertEquals(second, c.screenshot(OUTPUT).at(FULL_W / 2, FULL_H / 2) & 0xffffff,
                            "frame " + i + ": the first buffer was released before the flip to the second completed");
                    scannedOut++;
                } else if (composed) {
                    // Composed, it was done with once the composition completed: free when replaced.
                    assertEquals(1, w.buffersHeld(), "frame " + i + ": a composed buffer goes back when the client replaces it");
                }
                k.refreshUntil(() -> w.framesDone() > done, 4, "the second frame's callback");
            }
            assertTrue(scannedOut >= 7, "scanned-out first buffers checked: " + scannedOut);
            PathStatistics.SurfaceRecord rec = c.onLoop(() -> c.pathStatistics().record(c.scene().windows().getFirst().surface()));
            assertTrue(rec.all().frames(PathKind.DIRECT_SCANOUT) >= 15, rec.all().toMap().toString());
            w.close();
        }
    }

    /** An unsealed pool cannot be wrapped: composed, with the reason, the picture still right. */
    @Test
    void fullscreenShmFromAnUnsealedPoolTakesTheCopyPathWithItsReason() throws Exception {
        Played p = playFullscreen(false, 15);
        assertEquals(0, p.record().all().frames(PathKind.DIRECT_SCANOUT), p.record().all().toMap().toString());
        @SuppressWarnings("unchecked")
        var byReason = (java.util.Map<String, Long>) p.record().all().toMap().get("by_reason");
        assertTrue(byReason.getOrDefault(FallbackReason.SHM_UNSEALED.label(), 0L) >= 10, byReason.toString());
        assertEquals(p.lastColour(), p.shot().at(FULL_W / 2, FULL_H / 2) & 0xffffff, "CRTC shows the client's last frame");
    }

    private static String startAndPath(Compositor c, Path dir) {
        c.startThread();
        return dir.resolve("wayland-kms").toString();
    }

    @Test
    void shmWindowIsComposedWithItsReasonAndReachesTheCrtc() throws Exception {
        try (VirtualKms k = kms("gles")) {
            Compositor c = k.c;
            WaylandClient client = k.connect();
            ShmWindow w = k.shm(client, "shm-on-kms", 200, 120);
            for (int i = 0; i < 20; i++) k.frame(w, 0x00336699);
            Compositor.Screenshot shot = c.screenshot(OUTPUT);
            int[] r = c.onLoop(() -> {
                var win = c.scene().windows().getFirst();
                return new int[] {win.x(), win.y()};
            });
            assertEquals(0x336699, shot.at(r[0] + 100, r[1] + 60) & 0xffffff, "CRTC read-back shows the client's colour");
            assertEquals(0x000000, shot.at(1900, 1000) & 0xffffff, "background");
            PathStatistics.SurfaceRecord rec = c.onLoop(() -> c.pathStatistics().record(c.scene().windows().getFirst().surface()));
            assertNotNull(rec);
            assertEquals(20, rec.all().frames(PathKind.GPU_COMPOSITION), rec.all().toMap() + " output: " + c.onLoop(() -> c.pathStatistics().output(OUTPUT).toMap()) + " client frames " + w.framesDone());
            assertEquals(0, rec.all().frames(PathKind.DIRECT_SCANOUT));
            @SuppressWarnings("unchecked")
            var byReason = (java.util.Map<String, Long>) rec.all().toMap().get("by_reason");
            assertTrue(byReason.containsKey(FallbackReason.NOT_FULLSCREEN.label()), byReason.toString());
            w.close();
        }
    }
}
