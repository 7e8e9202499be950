package dev.ferry.compositor.kms;

import dev.ferry.client.DmabufWindow;
import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.kms.VirtualKms.Rec;
import dev.ferry.compositor.stats.PathCounters;
import dev.ferry.drm.FaultPlan;
import dev.ferry.kms.PathKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ten seconds of a 60 Hz fullscreen video on laptop-igpu's eDP-1, 600 frames of virtual time,
 * in three acts: scanned out on the primary plane; composed while a window sits over it; scanned
 * out again once the window has left the output. Every one of the 600 frames is checked: it is
 * presented exactly one refresh after the one before it (the virtual clock makes a frame one
 * refresh whatever the machine's load), zero-copy exactly when the act says so, on the path the
 * act says; every output counter equals the per-frame log; and the whole runs in well under its
 * ten seconds of virtual time.
 */
@Timeout(120)
class TenSecondsOfVideoTest {
    private static final String OUTPUT = "eDP-1";
    private static final int FRAMES = 600;
    /** Frames 200..399 have a window over the video. */
    private static final int COVERED_FROM = 200, COVERED_UNTIL = 400;
    private static final int WARM = 3;

    @Test
    void sixHundredFramesEachOnItsPathOneRefreshApart() throws Exception {
        try (VirtualKms k = new VirtualKms("laptop-igpu", OUTPUT, FaultPlan.none(), "cpu")) {
            WaylandClient vClient = k.connect(), wClient = k.connect();
            DmabufWindow video = k.video(vClient, "video", 1920, 1080, true);
            // Warm-up frames settle the window in (mapped, fullscreen, scanned out); the first
            // commit can race the compositor's first frame and be answered as discarded.
            for (int n = -WARM; n < 0; n++) k.frame(video, n + WARM);
            ShmWindow window = null;
            long startNs = System.nanoTime();
            for (int n = 0; n < FRAMES; n++) {
                if (n == COVERED_FROM) {
                    window = k.shm(wClient, "window", 300, 200);
                    k.frame(window, 0x00c0c0c0);  // mapped by its first buffer
                    k.move("window", 100, 100);
                }
                if (n == COVERED_UNTIL) k.move("window", 2400, 100);  // off the output
                k.frame(video, WARM + n);
            }
            k.refresh();  // the last frame's presentation feedback
            long wallNs = System.nanoTime() - startNs;
            System.out.printf("600 kms frames (10 s of virtual time at 60 Hz): %.2f s of wall time%n", wallNs / 1e9);
            assertTrue(wallNs < 10_000_000_000L, "600 frames took " + wallNs / 1_000_000 + " ms of wall time");

            Map<Long, DmabufWindow.Presented> byFrame = new HashMap<>();
            for (DmabufWindow.Presented p : video.presentedLog()) byFrame.put(p.frame(), p);
            Map<Long, Rec> byTime = new HashMap<>();
            for (Rec r : k.all("video")) byTime.put(r.presentNs(), r);
            long period = k.periodNs();
            long previous = byFrame.get((long) WARM - 1).timeNs();
            for (int n = 0; n < FRAMES; n++) {
                DmabufWindow.Presented p = byFrame.get((long) WARM + n);
                assertNotNull(p, "frame " + n + " has presentation feedback");
                assertTrue(p.flags() >= 0, "frame " + n + " presented, not discarded");
                // A window map or move is a frame of its own, between two of the video's.
                long gap = p.timeNs() - previous;
                boolean afterSceneChange = n == COVERED_FROM || n == COVERED_UNTIL;
                assertTrue(gap == period || (afterSceneChange && gap <= 3 * period),
                        "frame " + n + " presented " + gap + " ns after the one before");
                previous = p.timeNs();
                boolean covered = n >= COVERED_FROM && n < COVERED_UNTIL;
                Rec r = byTime.get(p.timeNs());
                assertNotNull(r, "the backend reported frame " + n);
                assertEquals(covered ? PathKind.CPU_COPY : PathKind.DIRECT_SCANOUT, r.path(), "frame " + n + ": " + r);
                assertEquals(!covered, p.zeroCopy(), "frame " + n + " zero-copy");
            }
            // Every output counter equals the per-frame log.
            List<String> frames = k.c.onLoop(() -> List.copyOf(k.outputFrames));
            PathCounters out = k.c.onLoop(() -> k.c.pathStatistics().output(OUTPUT));
            Map<PathKind, Long> logged = new HashMap<>();
            for (String f : frames) {
                for (PathKind pk : PathKind.values()) if (f.startsWith(pk.label() + "@")) logged.merge(pk, 1L, Long::sum);
            }
            for (PathKind pk : PathKind.values()) {
                long counted = k.c.onLoop(() -> out.frames(pk));
                assertEquals(logged.getOrDefault(pk, 0L), counted, pk.label() + " frames: " + out.toMap());
            }
            long covered = COVERED_UNTIL - COVERED_FROM;
            assertTrue(logged.getOrDefault(PathKind.DIRECT_SCANOUT, 0L) >= FRAMES - covered, "scanned out: " + logged);
            assertTrue(logged.getOrDefault(PathKind.CPU_COPY, 0L) >= covered, "composed: " + logged);
            window.close();
            video.close();
        }
    }
}
