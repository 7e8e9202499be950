package dev.ferry.compositor.kms;

import dev.ferry.client.DmabufAllocator;
import dev.ferry.client.DmabufWindow;
import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.FerryServer;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.frame.ReferenceComposition;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.path.PathObserver;
import dev.ferry.compositor.scene.Window;
import dev.ferry.drm.FakeDevice;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.FaultKind;
import dev.ferry.drm.FaultPlan;
import dev.ferry.drm.KernelClock;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Overlay planes on laptop-igpu end to end (dma-buf windows from the fake devices, the CRTC
 * read back): overlapping videos, an overlay the test commit refuses, a window dragged over a
 * scanned-out fullscreen video. After each step the CRTC shows what a from-scratch composition
 * of the scene shows, whatever mix of planes and composition produced it.
 */
@Timeout(120)
class OverlayScenariosTest {
    private static final String OUTPUT = "eDP-1";

    /** One frame of one surface as the backend reported it. */
    record Rec(PathKind path, Set<FallbackReason> reasons) {}

    /** A kms Ferry with the per-surface path log. */
    static final class Kms implements AutoCloseable {
        final Path dir;
        final Compositor c;
        final Map<Surface, List<Rec>> log = new IdentityHashMap<>();

        Kms(FaultPlan faults) throws Exception {
            dir = Files.createTempDirectory("ferry-overlay-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            c = Compositor.create(Compositor.Options.kms(dir, "wayland-o", KmsBackend.Config.of(dev.ferry.compositor.devices.FakeDevices.source("laptop-igpu", KernelClock.monotonic(), faults)))
                    .withRenderer("cpu"));
            c.startThread();
            c.onLoop(() -> {
                c.pathObservers().add(new PathObserver() {
                    @Override
                    public void surfacePresented(Output output, Surface surface, PathKind path, Set<FallbackReason> reasons, long presentNs) {
                        log.computeIfAbsent(surface, k -> new ArrayList<>())
                                .add(new Rec(path, reasons.isEmpty() ? EnumSet.noneOf(FallbackReason.class) : EnumSet.copyOf(reasons)));
                    }
                });
                return null;
            });
        }

        WaylandClient connect() throws Exception {
            return WaylandClient.connect(dir.resolve("wayland-o").toString());
        }

        FakeKernel kernel() {
            return (FakeKernel) c.backend().devices().orElseThrow();
        }

        DmabufWindow video(WaylandClient client, String title, int w, int h, boolean fullscreen) throws Exception {
            DmabufWindow.Options o = DmabufWindow.Options.of(title, w, h);
            if (fullscreen) o = o.fullscreen(true).output(OUTPUT);
            return new DmabufWindow(client, new DmabufAllocator(kernel()), o);
        }

        Window window(String title) {
            return c.onLoop(() -> {
                for (Window w : c.scene().windows()) if (title.equals(w.title())) return w;
                return null;
            });
        }

        void move(String title, int x, int y) {
            c.onLoop(() -> {
                c.scene().move(window(title), x, y);
                return null;
            });
        }

        /** The last n records of the window's surface. */
        List<Rec> last(String title, int n) {
            return c.onLoop(() -> {
                List<Rec> all = log.getOrDefault(window(title).surface(), List.of());
                return List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
            });
        }

        @Override
        public void close() {
            c.close();
        }
    }

    private static void frame(DmabufWindow w, long n) throws Exception {
        int rgb = (int) (0x00300000 + n * 0x010203) & 0xffffff;
        assertTrue(w.drawFrame(n, canvas -> canvas.fill(rgb), 3000), "frame " + n);
        assertTrue(w.awaitFrame(3000), "frame callback " + n);
    }

    private static void frame(ShmWindow w, int rgb) throws Exception {
        assertTrue(w.drawWhenFree(ShmWindow.fill(rgb), 3000));
        assertTrue(w.awaitFrame(3000));
    }

    @Test
    void ofTwoOverlappingVideosTheUpperTakesTheOverlayAndTheLowerIsComposed() throws Exception {
        try (Kms k = new Kms(FaultPlan.none()); WaylandClient client = k.connect();
             DmabufWindow lower = k.video(client, "lower", 640, 360, false);
             DmabufWindow upper = k.video(client, "upper", 640, 360, false)) {
            frame(lower, 0);
            frame(upper, 0);
            k.move("lower", 100, 100);
            k.move("upper", 400, 250);
            for (long f = 1; f < 30; f++) {
                frame(lower, f);
                frame(upper, f);
            }
            List<Rec> up = k.last("upper", 10), low = k.last("lower", 10);
            assertTrue(up.stream().allMatch(r -> r.path() == PathKind.OVERLAY_PLANE), "upper: " + up);
            assertTrue(low.stream().allMatch(r -> r.path() == PathKind.CPU_COPY && r.reasons().contains(FallbackReason.OCCLUDED)),
                    "lower: composed because the upper overlaps it: " + low);
            SceneReadback.assertShowsScene(k.c, OUTPUT, "two overlapping videos");
        }
    }

    @Test
    void anOverlayTheTestCommitRefusesIsComposedAndNotTestedEveryFrame() throws Exception {
        // Every TEST_ONLY commit on card0 is refused; real commits go through.
        FaultPlan refuseTests = FaultPlan.seeded(1).frames(FaultKind.TEST_COMMIT, "card0", 0, Long.MAX_VALUE / 2).build();
        try (Kms k = new Kms(refuseTests); WaylandClient client = k.connect();
             DmabufWindow video = k.video(client, "refused", 640, 360, false)) {
            FakeDevice card0 = (FakeDevice) k.kernel().devices().getFirst();
            for (long f = 0; f < 60; f++) frame(video, f);
            List<Rec> recs = k.last("refused", 40);
            assertTrue(recs.stream().allMatch(r -> r.path() == PathKind.CPU_COPY), "composed: " + recs);
            assertTrue(recs.stream().allMatch(r -> r.reasons().contains(FallbackReason.TEST_COMMIT_REJECTED)
                    || r.reasons().contains(FallbackReason.REJECTED_BEFORE)), "with the refusal named: " + recs);
            // One refused test per buffer of the client's ring (and per plane), then none: remembered, not retried.
            long tests = card0.testCommits();
            assertTrue(tests <= 6, tests + " test commits for a 60-frame video");
            for (long f = 60; f < 90; f++) frame(video, f);
            assertEquals(tests, card0.testCommits(), "30 more frames, no more test commits");
            SceneReadback.assertShowsScene(k.c, OUTPUT, "refused overlay");
        }
    }

    @Test
    void aWindowDraggedOverAScannedOutVideoTakesItOffTheScanoutUntilItLeaves() throws Exception {
        try (Kms k = new Kms(FaultPlan.none()); WaylandClient vClient = k.connect(); WaylandClient wClient = k.connect();
             DmabufWindow video = k.video(vClient, "fullscreen", 1920, 1080, true)) {
            long f = 0;
            for (; f < 10; f++) frame(video, f);
            assertTrue(k.last("fullscreen", 5).stream().allMatch(r -> r.path() == PathKind.DIRECT_SCANOUT), "scanned out: " + k.last("fullscreen", 5));
            ShmWindow win = new ShmWindow(wClient, "dragged", 300, 200, true);
            frame(win, 0x00c0c0c0);
            // Dragged in steps from outside the output's left edge onto the video and out again.
            int[] xs = {-400, -150, 200, 700, 1200, 1700, 2400};
            boolean sawComposed = false;
            for (int x : xs) {
                k.move("dragged", x, 300);
                for (int i = 0; i < 3; i++) frame(video, f++);
                boolean onScreen = x + 300 > 0 && x < 1920;
                Rec last = k.last("fullscreen", 1).getFirst();
                if (onScreen) {
                    assertTrue(last.path() != PathKind.DIRECT_SCANOUT, "window at x=" + x + " over the video: " + last);
                    sawComposed |= last.path() == PathKind.CPU_COPY;
                } else {
                    assertEquals(PathKind.DIRECT_SCANOUT, last.path(), "window at x=" + x + " off the output: " + last);
                }
                SceneReadback.assertShowsScene(k.c, OUTPUT, "window at x=" + x);
            }
            assertTrue(sawComposed, "the video was composed under the window");
            win.close();
        }
    }
}
