package dev.ferry.compositor.kms;

import dev.ferry.client.DmabufWindow;
import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.path.PathObserver;
import dev.ferry.compositor.stats.PathCounters;
import dev.ferry.compositor.stats.PathStatistics;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A scripted scene sequence on laptop-igpu on the virtual clock, one client at a time, each
 * frame awaited (one commit, one frame): a fullscreen dma-buf video, then a wl_shm window, then a windowed dma-buf
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
        Tally tally = new Tally();
        try (VirtualKms k = new VirtualKms("laptop-igpu", OUTPUT, dev.ferry.drm.FaultPlan.none(), "cpu")) {
            Compositor c = k.c;
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
            Surface[] surfaces = new Surface[3];
            PathStatistics.SurfaceRecord[] records = new PathStatistics.SurfaceRecord[3];
            // 1: a fullscreen video the primary plane takes, 20 frames.
            WaylandClient client = k.connect();
            try (DmabufWindow video = k.video(client, "fullscreen", 1920, 1080, true)) {
                for (long f = 0; f < 20; f++) k.frame(video, f);
                surfaces[0] = k.surface("fullscreen");
                records[0] = c.onLoop(() -> c.pathStatistics().record(surfaces[0]));
            }
            k.kill(client);
            k.awaitNoWindows();
            // 2: a wl_shm window, 10 frames.
            client = k.connect();
            ShmWindow w = k.shm(client, "shm", 300, 200);
            for (int i = 0; i < 10; i++) k.frame(w, 0x00406080 + i);
            surfaces[1] = k.surface("shm");
            records[1] = c.onLoop(() -> c.pathStatistics().record(surfaces[1]));
            w.close();
            k.kill(client);
            k.awaitNoWindows();
            // 3: a windowed video, 30 frames: composed until its rate is known, then on the overlay.
            client = k.connect();
            try (DmabufWindow video = k.video(client, "windowed", 640, 360, false)) {
                for (long f = 0; f < 30; f++) k.frame(video, f);
                surfaces[2] = k.surface("windowed");
                records[2] = c.onLoop(() -> c.pathStatistics().record(surfaces[2]));
            }
            k.kill(client);
            k.awaitNoWindows();

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
                // Exactly two frames before its rate is known: on the virtual clock one frame is one
                // refresh, so no load on the machine can stall the client past the threshold.
                assertEquals(2, win.frames(PathKind.CPU_COPY), "two frames before the rate counts: " + win.toMap());
                assertEquals(28, win.frames(PathKind.OVERLAY_PLANE), win.toMap().toString());
                @SuppressWarnings("unchecked")
                Map<String, Long> winReasons = (Map<String, Long>) win.toMap().get("by_reason");
                assertEquals(win.frames(PathKind.CPU_COPY), winReasons.get(FallbackReason.NOT_UPDATING.label()), win.toMap().toString());
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

}
