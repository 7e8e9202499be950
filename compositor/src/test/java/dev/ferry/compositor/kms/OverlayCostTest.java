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
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an overlay saves, measured in one run with the CPU compositor: a windowed 1080p video
 * (1920x1080, damaging all of itself every frame) on dual-dgpu-p2p's DP-1 (2560x1440, the render
 * GPU's own output, with a scaling overlay), alternately on the overlay plane and composed
 * because a small window above is moved over its corner (z-order keeps it off the overlay), in
 * rounds. Per presented frame: the event loop's CPU time (the compositor's work: planning,
 * commits, composition; fake-drm's in-process kernel too) and the bytes composed. The ratio is
 * taken per round, overlay against the composed phase next to it, and the median reported, so
 * the machine's load shifts both sides alike. Prints "overlay-cost" lines for BENCHMARKS.md;
 * asserts what must hold: no byte composed for the overlay frames, and less CPU than composing.
 */
@Timeout(300)
class OverlayCostTest {
    private static final int FRAMES = 120;
    private static final int ROUNDS = 3;
    private static final int W = 1920, H = 1080;
    private static final String OUTPUT = "DP-1";

    record Phase(String name, long frames, double cpuMsPerFrame, double bytesPerFrame, long pathFrames) {}

    @Test
    void anOverlayFrameComposesNothingAndCostsLessThanComposing() throws Exception {
        Path dir = Files.createTempDirectory("ferry-cost-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (Compositor c = Compositor.create(Compositor.Options.kms(dir, "wayland-cost", KmsBackend.Config.of("dual-dgpu-p2p")).withRenderer("cpu"));
             WaylandClient client = startAndConnect(c, dir);
             WaylandClient other = WaylandClient.connect(dir.resolve("wayland-cost").toString());
             DmabufWindow video = new DmabufWindow(client, new DmabufAllocator((FakeKernel) c.backend().devices().orElseThrow()),
                     DmabufWindow.Options.of("video", W, H));
             ShmWindow above = new ShmWindow(other, "above", 100, 100, true)) {
            Thread loop = c.onLoop(Thread::currentThread);
            long[] next = {0};
            assertTrue(above.drawWhenFree(ShmWindow.fill(0x00ffffff), 3000));
            assertTrue(above.awaitFrame(3000));
            frame(video, next[0]++);  // mapped
            place(c, "video", 100, 100);
            place(c, "above", 2300, 1300);  // beside the video, overlapping nothing
            c.onLoop(() -> {
                c.scene().raise(c.scene().windows().stream().filter(w -> w.title().equals("above")).findFirst().orElseThrow());
                return null;
            });
            // The rate threshold, the test commits, the JIT: at 60 calls a second the per-frame code
            // takes some 600 frames to reach its steady cost (measured: 0.89 ms in the first 120, 0.45 from 600 on).
            for (int i = 0; i < 600; i++) frame(video, next[0]++);
            List<Double> ratios = new ArrayList<>();
            Phase overlay = null, composed = null;
            for (int round = 0; round < ROUNDS; round++) {
                place(c, "above", 2300, 1300);
                for (int i = 0; i < 20; i++) frame(video, next[0]++);
                overlay = measure(c, loop, video, next, "on the overlay", PathKind.OVERLAY_PLANE);
                // The same video, composed: the small window above overlaps its corner.
                place(c, "above", 100 + W - 50, 100 + H - 50);
                for (int i = 0; i < 20; i++) frame(video, next[0]++);
                composed = measure(c, loop, video, next, "composed", PathKind.CPU_COPY);
                for (Phase p : new Phase[] {overlay, composed}) {
                    System.out.printf("overlay-cost: round %d: %s: %d frames (%d on its path), %.3f ms loop CPU per frame, %.0f bytes composed per frame%n",
                            round, p.name(), p.frames(), p.pathFrames(), p.cpuMsPerFrame(), p.bytesPerFrame());
                }
                ratios.add(overlay.cpuMsPerFrame() / composed.cpuMsPerFrame());
                assertTrue(overlay.pathFrames() >= FRAMES - 10, "the video was on the overlay: " + overlay);
                assertTrue(composed.pathFrames() >= FRAMES - 10, "then composed: " + composed);
                // On the real clock a stall of this loaded machine can drop the video under the
                // overlay rate for a frame or three (composed, not-updating): only those may compose.
                assertTrue(overlay.bytesPerFrame() * overlay.frames() <= 4.0 * W * H * (overlay.frames() - overlay.pathFrames()),
                        "nothing composed in the frames on the overlay: " + overlay);
                assertTrue(composed.bytesPerFrame() >= 4.0 * W * H * 0.9, "composing redraws the window: " + composed);
            }
            List<Double> sorted = new ArrayList<>(ratios);
            java.util.Collections.sort(sorted);
            double median = sorted.get(sorted.size() / 2);
            System.out.printf("overlay-cost: overlay / composed CPU per frame, per round %s, median %.3f%n", ratios, median);
            assertTrue(median < 1, "the overlay costs less than composing: " + ratios);
        }
    }

    private static void place(Compositor c, String title, int x, int y) {
        c.onLoop(() -> {
            var scene = c.scene();
            Output o = scene.outputNamed(OUTPUT);
            var w = scene.windows().stream().filter(win -> win.title().equals(title)).findFirst().orElseThrow();
            scene.move(w, o.x() + x, o.y() + y);
            return null;
        });
    }

    private static WaylandClient startAndConnect(Compositor c, Path dir) throws Exception {
        c.startThread();
        return WaylandClient.connect(dir.resolve("wayland-cost").toString());
    }

    private static Phase measure(Compositor c, Thread loop, DmabufWindow video, long[] next, String name, PathKind path) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long frames0 = c.onLoop(() -> stats(c).frames()), bytes0 = c.onLoop(() -> stats(c).bytesComposed());
        long path0 = c.onLoop(() -> c.pathStatistics().output(OUTPUT).frames(path));
        long cpu0 = mx.getThreadCpuTime(loop.threadId());
        for (int i = 0; i < FRAMES; i++) frame(video, next[0]++);
        long cpu = mx.getThreadCpuTime(loop.threadId()) - cpu0;
        long frames = c.onLoop(() -> stats(c).frames()) - frames0, bytes = c.onLoop(() -> stats(c).bytesComposed()) - bytes0;
        long onPath = c.onLoop(() -> c.pathStatistics().output(OUTPUT).frames(path)) - path0;
        return new Phase(name, frames, cpu / 1e6 / frames, (double) bytes / frames, onPath);
    }

    private static OutputStats stats(Compositor c) {
        Output o = c.scene().outputNamed(OUTPUT);
        return c.backend().stats(o);
    }

    private static void frame(DmabufWindow w, long n) throws Exception {
        int rgb = (int) (0x00200000 + n * 0x010305) & 0xffffff;
        assertTrue(w.drawFrame(n, canvas -> canvas.fill(rgb), 3000), "frame " + n);
        assertTrue(w.awaitFrame(3000), "frame callback " + n);
    }
}
