package dev.ferry.compositor.kms;

import dev.ferry.client.DmabufAllocator;
import dev.ferry.client.DmabufWindow;
import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.path.PathObserver;
import dev.ferry.compositor.stats.PathCounters;
import dev.ferry.compositor.stats.PathStatistics;
import dev.ferry.drm.FakeKernel;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scripted scene sequence on laptop-igpu, one client at a time, each frame awaited (one
 * commit, one frame): a fullscreen dma-buf video, then a wl_shm window, then a windowed dma-buf
 * video. Every counter the statistics keep (per surface and per output: frames by path, by
 * reason, by device) equals what the script implies and what the per-frame log saw.
 */
@Timeout(90)
class ScriptedCountsTest {
    private static final String OUTPUT = "eDP-1";

    /** Counts per surface (or the output, key null) of (path) and (reason), from the observer's log. */
    static final class Tally {
        final Map<Object, long[]> paths = new IdentityHashMap<>();
        final Map<Object, long[]> reasons = new IdentityHashMap<>();
        final Map<String, Long> outputDevices = new java.util.HashMap<>();

        void surface(Surface s, PathKind p, Set<FallbackReason> r) {
            paths.computeIfAbsent(s, k -> new long[PathKind.values().length])[p.ordinal()]++;
            long[] rs = reasons.computeIfAbsent(s, k -> new long[FallbackReason.values().length]);
            for (FallbackReason x : r) rs[x.ordinal()]++;
        }

        void output(PathKind p, String device) {
            paths.computeIfAbsent(OUTPUT, k -> new long[PathKind.values().length])[p.ordinal()]++;
            outputDevices.merge(p.label() + "@" + device, 1L, Long::sum);
        }
    }

    @Test
    void everyCounterMatchesTheScript() throws Exception {
        Path dir = Files.createTempDirectory("ferry-counts-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Tally tally = new Tally();
        try (Compositor c = Compositor.create(Compositor.Options.kms(dir, "wayland-n", KmsBackend.Config.of("laptop-igpu")).withRenderer("cpu"))) {
            c.startThread();
            c.onLoop(() -> {
                c.pathObservers().add(new PathObserver() {
                    @Override
                    public void surfacePresented(Output output, Surface surface, PathKind path, Set<FallbackReason> reasons, long presentNs) {
                        tally.surface(surface, path, reasons);
                    }

                    @Override
                    public void outputPresented(Output output, PathKind framePath, String device, long presentNs) {
                        tally.output(framePath, device);
                    }
                });
                return null;
            });
            String socket = dir.resolve("wayland-n").toString();
            FakeKernel kernel = (FakeKernel) c.backend().devices().orElseThrow();
            Surface[] surfaces = new Surface[3];
            PathStatistics.SurfaceRecord[] records = new PathStatistics.SurfaceRecord[3];
            // 1: a fullscreen video the primary plane takes, 20 frames.
            try (WaylandClient client = WaylandClient.connect(socket);
                 DmabufWindow video = new DmabufWindow(client, new DmabufAllocator(kernel),
                         DmabufWindow.Options.of("fullscreen", 1920, 1080).fullscreen(true).output(OUTPUT))) {
                for (long f = 0; f < 20; f++) {
                    assertTrue(video.drawFrame(f, canvas -> canvas.fill(0x00204060), 3000));
                    assertTrue(video.awaitFrame(3000));
                }
                surfaces[0] = surfaceTitled(c, "fullscreen");
                records[0] = c.onLoop(() -> c.pathStatistics().record(surfaces[0]));
            }
            awaitNoWindows(c);
            // 2: a wl_shm window, 10 frames.
            try (WaylandClient client = WaylandClient.connect(socket)) {
                ShmWindow w = new ShmWindow(client, "shm", 300, 200, true);
                for (int i = 0; i < 10; i++) {
                    assertTrue(w.drawWhenFree(ShmWindow.fill(0x00406080 + i), 3000));
                    assertTrue(w.awaitFrame(3000));
                }
                surfaces[1] = surfaceTitled(c, "shm");
                records[1] = c.onLoop(() -> c.pathStatistics().record(surfaces[1]));
                w.close();
            }
            awaitNoWindows(c);
            // 3: a windowed video, 30 frames: composed until its rate is known, then on the overlay.
            try (WaylandClient client = WaylandClient.connect(socket);
                 DmabufWindow video = new DmabufWindow(client, new DmabufAllocator(kernel), DmabufWindow.Options.of("windowed", 640, 360))) {
                for (long f = 0; f < 30; f++) {
                    assertTrue(video.drawFrame(f, canvas -> canvas.fill(0x00608000), 3000));
                    assertTrue(video.awaitFrame(3000));
                }
                surfaces[2] = surfaceTitled(c, "windowed");
                records[2] = c.onLoop(() -> c.pathStatistics().record(surfaces[2]));
            }
            awaitNoWindows(c);

            PathStatistics stats = c.onLoop(c::pathStatistics);
            AssertionError failed = c.onLoop(() -> {
                try {
                    check(tally, stats, surfaces, records);
                    return null;
                } catch (AssertionError e) {
                    return e;  // thrown below, off the loop
                }
            });
            if (failed != null) throw failed;
        }
    }

    /** On the loop, where the counters live. */
    private static void check(Tally tally, PathStatistics stats, Surface[] surfaces, PathStatistics.SurfaceRecord[] records) {
                // What the script implies, frame for frame.
                PathCounters full = records[0].all();
                assertEquals(20, full.frames(), full.toMap().toString());
                assertEquals(20, full.frames(PathKind.DIRECT_SCANOUT), full.toMap().toString());
                PathCounters shm = records[1].all();
                assertEquals(10, shm.frames(), shm.toMap().toString());
                assertEquals(10, shm.frames(PathKind.CPU_COPY), shm.toMap().toString());
                PathCounters win = records[2].all();
                assertEquals(30, win.frames(), win.toMap().toString());
                // Two frames before its rate is known; more only if the loaded machine stalled the
                // client past the leave threshold (each such frame then says not-updating).
                assertTrue(win.frames(PathKind.CPU_COPY) >= 2, "two frames before the rate counts: " + win.toMap());
                assertEquals(30, win.frames(PathKind.CPU_COPY) + win.frames(PathKind.OVERLAY_PLANE), win.toMap().toString());
                @SuppressWarnings("unchecked")
                Map<String, Long> winReasons = (Map<String, Long>) win.toMap().get("by_reason");
                assertEquals(win.frames(PathKind.CPU_COPY), winReasons.get(FallbackReason.NOT_UPDATING.label()), win.toMap().toString());
                assertTrue(win.frames(PathKind.OVERLAY_PLANE) >= 20, win.toMap().toString());
                // Every counter equals the per-frame log, surface by surface and for the output.
                for (int i = 0; i < surfaces.length; i++) {
                    Surface s = surfaces[i];
                    PathCounters pc = records[i].all();
                    for (PathKind p : PathKind.values()) assertEquals(tally.paths.get(s)[p.ordinal()], pc.frames(p), s + " " + p.label());
                    @SuppressWarnings("unchecked")
                    Map<String, Long> byReason = (Map<String, Long>) pc.toMap().get("by_reason");
                    for (FallbackReason r : FallbackReason.values()) {
                        assertEquals(tally.reasons.get(s)[r.ordinal()], byReason.getOrDefault(r.label(), 0L), s + " " + r.label());
                    }
                }
                PathCounters out = stats.output(OUTPUT);
                for (PathKind p : PathKind.values()) assertEquals(tally.paths.get(OUTPUT)[p.ordinal()], out.frames(p), "output " + p.label());
                assertEquals(tally.outputDevices, out.toMap().get("by_device"), "output by device");
    }

    private static Surface surfaceTitled(Compositor c, String title) {
        return c.onLoop(() -> c.scene().windows().stream().filter(w -> title.equals(w.title())).findFirst().orElseThrow().surface());
    }

    private static void awaitNoWindows(Compositor c) throws InterruptedException {
        assertTrue(dev.ferry.compositor.FerryServer.eventually(java.time.Duration.ofSeconds(5),
                () -> c.onLoop(() -> c.scene().windows().isEmpty())), "the window went away");
    }
}
