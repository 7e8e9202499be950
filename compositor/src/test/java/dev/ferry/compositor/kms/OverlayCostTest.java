package dev.ferry.compositor.kms;

import dev.ferry.client.DmabufAllocator;
import dev.ferry.client.DmabufWindow;
import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.stats.OutputStats;
import dev.ferry.drm.FakeKernel;
import dev.ferry.kms.PathKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an overlay saves, measured in one run on laptop-igpu with the CPU compositor: a 1280x720
 * windowed video (damaging all of itself every frame) first on the overlay plane, then composed
 * because a small window above overlaps its corner. Per presented frame: the event loop's
 * CPU time (the compositor's work: planning, commits, composition) and the bytes composed.
 * Prints "overlay-cost" lines for BENCHMARKS.md; asserts what must hold: no byte composed for
 * the overlay frames, and less CPU than composing.
 */
@Timeout(120)
class OverlayCostTest {
    private static final int FRAMES = 240;
    private static final int W = 1280, H = 720;

    record Phase(String name, long frames, double cpuMsPerFrame, double bytesPerFrame, long pathFrames) {}

    @Test
    void anOverlayFrameComposesNothingAndCostsLessThanComposing() throws Exception {
        Path dir = Files.createTempDirectory("ferry-cost-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (Compositor c = Compositor.create(Compositor.Options.kms(dir, "wayland-cost", KmsBackend.Config.of("laptop-igpu")).withRenderer("cpu"));
             WaylandClient client = startAndConnect(c, dir);
             WaylandClient other = WaylandClient.connect(dir.resolve("wayland-cost").toString());
             DmabufWindow video = new DmabufWindow(client, new DmabufAllocator((FakeKernel) c.backend().devices().orElseThrow()),
                     DmabufWindow.Options.of("video", W, H))) {
            Thread loop = c.onLoop(Thread::currentThread);
            long[] next = {0};
            for (int i = 0; i < 60; i++) frame(video, next[0]++);  // the rate threshold, the test commits, the JIT
            Phase overlay = measure(c, loop, video, next, "on the overlay", PathKind.OVERLAY_PLANE);
            // The same video, composed: a small window above overlaps its corner (z-order keeps it off the overlay).
            ShmWindow above = new ShmWindow(other, "above", 100, 100, true);
            assertTrue(above.drawWhenFree(ShmWindow.fill(0x00ffffff), 3000));
            assertTrue(above.awaitFrame(3000));
            c.onLoop(() -> {
                var scene = c.scene();
                var videoWindow = scene.windows().stream().filter(w -> w.title().equals("video")).findFirst().orElseThrow();
                var aboveWindow = scene.windows().stream().filter(w -> w.title().equals("above")).findFirst().orElseThrow();
                scene.move(aboveWindow, videoWindow.x() + W - 50, videoWindow.y() + H - 50);
                return null;
            });
            for (int i = 0; i < 30; i++) frame(video, next[0]++);
            Phase composed = measure(c, loop, video, next, "composed", PathKind.CPU_COPY);
            for (Phase p : new Phase[] {overlay, composed}) {
                System.out.printf("overlay-cost: %s: %d frames (%d on its path), %.3f ms loop CPU per frame, %.0f bytes composed per frame%n",
                        p.name(), p.frames(), p.pathFrames(), p.cpuMsPerFrame(), p.bytesPerFrame());
            }
            System.out.printf("overlay-cost: overlay / composed CPU per frame = %.3f%n", overlay.cpuMsPerFrame() / composed.cpuMsPerFrame());
            assertTrue(overlay.pathFrames() >= FRAMES - 10, "the video was on the overlay: " + overlay);
            assertTrue(composed.pathFrames() >= FRAMES - 10, "then composed: " + composed);
            assertEquals(0, overlay.bytesPerFrame(), 0.0, "nothing composed while only the overlay changes");
            assertTrue(composed.bytesPerFrame() >= 4.0 * W * H * 0.9, "composing redraws the window: " + composed);
            assertTrue(overlay.cpuMsPerFrame() < composed.cpuMsPerFrame(), overlay + " vs " + composed);
            above.close();
        }
    }

    private static WaylandClient startAndConnect(Compositor c, Path dir) throws Exception {
        c.startThread();
        return WaylandClient.connect(dir.resolve("wayland-cost").toString());
    }

    private static Phase measure(Compositor c, Thread loop, DmabufWindow video, long[] next, String name, PathKind path) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long frames0 = c.onLoop(() -> stats(c).frames()), bytes0 = c.onLoop(() -> stats(c).bytesComposed());
        long path0 = c.onLoop(() -> c.pathStatistics().output("eDP-1").frames(path));
        long cpu0 = mx.getThreadCpuTime(loop.threadId());
        for (int i = 0; i < FRAMES; i++) frame(video, next[0]++);
        long cpu = mx.getThreadCpuTime(loop.threadId()) - cpu0;
        long frames = c.onLoop(() -> stats(c).frames()) - frames0, bytes = c.onLoop(() -> stats(c).bytesComposed()) - bytes0;
        long onPath = c.onLoop(() -> c.pathStatistics().output("eDP-1").frames(path)) - path0;
        return new Phase(name, frames, cpu / 1e6 / frames, (double) bytes / frames, onPath);
    }

    private static OutputStats stats(Compositor c) {
        Output o = c.scene().outputNamed("eDP-1");
        return c.backend().stats(o);
    }

    private static void frame(DmabufWindow w, long n) throws Exception {
        int rgb = (int) (0x00200000 + n * 0x010305) & 0xffffff;
        assertTrue(w.drawFrame(n, canvas -> canvas.fill(rgb), 3000), "frame " + n);
        assertTrue(w.awaitFrame(3000), "frame callback " + n);
    }
}
