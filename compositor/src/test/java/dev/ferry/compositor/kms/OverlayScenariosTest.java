package dev.ferry.compositor.kms;

import dev.ferry.client.DmabufWindow;
import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.kms.VirtualKms.Rec;
import dev.ferry.drm.FakeDevice;
import dev.ferry.drm.FaultKind;
import dev.ferry.drm.FaultPlan;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Overlay planes on laptop-igpu end to end (dma-buf windows from the fake devices, the CRTC
 * read back), on the virtual clock: overlapping videos, an overlay the test commit refuses, a
 * window dragged over a scanned-out fullscreen video. After each step the CRTC shows what a
 * from-scratch composition of the scene shows, whatever mix of planes and composition produced it.
 */
@Timeout(120)
class OverlayScenariosTest {
    private static final String OUTPUT = "eDP-1";

    private static VirtualKms kms(FaultPlan faults) throws Exception {
        return new VirtualKms("laptop-igpu", OUTPUT, faults, "cpu");
    }

    @Test
    void ofTwoOverlappingVideosTheUpperTakesTheOverlayAndTheLowerIsComposed() throws Exception {
        try (VirtualKms k = kms(FaultPlan.none())) {
            WaylandClient client = k.connect();
            try (DmabufWindow lower = k.video(client, "lower", 640, 360, false);
                 DmabufWindow upper = k.video(client, "upper", 640, 360, false)) {
                k.commit(lower, 0);
                k.frame(upper, 0);
                k.move("lower", 100, 100);
                k.move("upper", 400, 250);
                for (long f = 1; f < 30; f++) {
                    k.commit(lower, f);
                    k.frame(upper, f);
                }
                List<Rec> up = k.last("upper", 10), low = k.last("lower", 10);
                assertTrue(up.stream().allMatch(r -> r.path() == PathKind.OVERLAY_PLANE), "upper: " + up);
                assertTrue(low.stream().allMatch(r -> r.path() == PathKind.CPU_COPY && r.reasons().contains(FallbackReason.OCCLUDED)),
                        "lower: composed because the upper overlaps it: " + low);
                k.assertShowsScene("two overlapping videos");
            }
        }
    }

    @Test
    void anOverlayTheTestCommitRefusesIsComposedAndNotTestedEveryFrame() throws Exception {
        // Every TEST_ONLY commit on card0 is refused; real commits go through.
        FaultPlan refuseTests = FaultPlan.seeded(1).frames(FaultKind.TEST_COMMIT, "card0", 0, Long.MAX_VALUE / 2).build();
        try (VirtualKms k = kms(refuseTests)) {
            WaylandClient client = k.connect();
            try (DmabufWindow video = k.video(client, "refused", 640, 360, false)) {
                FakeDevice card0 = (FakeDevice) k.kernel().devices().getFirst();
                long f = 0;
                for (; f < 60; f++) k.frame(video, f);
                List<Rec> recs = k.last("refused", 40);
                assertTrue(recs.stream().allMatch(r -> r.path() == PathKind.CPU_COPY), "composed: " + recs);
                assertTrue(recs.stream().allMatch(r -> r.reasons().contains(FallbackReason.TEST_COMMIT_REJECTED)
                        || r.reasons().contains(FallbackReason.REJECTED_BEFORE)), "with the refusal named: " + recs);
                // A refused test commit is fixable by reallocation: after the feedback hysteresis the
                // client gets the overlay's scanout tranche and allocates anew (once); its new buffers are refused too.
                while (video.reallocatedAt().isEmpty() && f < 200) k.frame(video, f++);
                for (int i = 0; i < 10; i++) k.frame(video, f++);
                // One refused test per buffer of each ring the client allocated, then none: remembered, not retried.
                long tests = card0.testCommits();
                long rings = 1 + video.reallocatedAt().size();
                assertTrue(tests <= 3 * rings, tests + " test commits for " + rings + " rings of 3 buffers, " + f + " frames");
                for (int i = 0; i < 30; i++) k.frame(video, f++);
                assertEquals(tests, card0.testCommits(), "30 more frames, no more test commits");
                k.assertShowsScene("refused overlay");
            }
        }
    }

    @Test
    void aWindowDraggedOverAScannedOutVideoTakesItOffTheScanoutUntilItLeaves() throws Exception {
        try (VirtualKms k = kms(FaultPlan.none())) {
            WaylandClient vClient = k.connect(), wClient = k.connect();
            try (DmabufWindow video = k.video(vClient, "fullscreen", 1920, 1080, true)) {
                long f = 0;
                for (; f < 10; f++) k.frame(video, f);
                assertTrue(k.last("fullscreen", 5).stream().allMatch(r -> r.path() == PathKind.DIRECT_SCANOUT), "scanned out: " + k.last("fullscreen", 5));
                ShmWindow win = k.shm(wClient, "dragged", 300, 200);
                k.frame(win, 0x00c0c0c0);
                // Dragged in steps from outside the output's left edge onto the video and out again.
                int[] xs = {-400, -150, 200, 700, 1200, 1700, 2400};
                boolean sawComposed = false;
                for (int x : xs) {
                    k.move("dragged", x, 300);
                    for (int i = 0; i < 3; i++) k.frame(video, f++);
                    boolean onScreen = x + 300 > 0 && x < 1920;
                    Rec last = k.last("fullscreen", 1).getFirst();
                    if (onScreen) {
                        assertTrue(last.path() != PathKind.DIRECT_SCANOUT, "window at x=" + x + " over the video: " + last);
                        sawComposed |= last.path() == PathKind.CPU_COPY;
                    } else {
                        assertEquals(PathKind.DIRECT_SCANOUT, last.path(), "window at x=" + x + " off the output: " + last);
                    }
                    k.assertShowsScene("window at x=" + x);
                }
                assertTrue(sawComposed, "the video was composed under the window");
                win.close();
            }
        }
    }

    /**
     * An NV12 video (what a decoder hands out) windowed on laptop-igpu: the primary cannot show
     * NV12 at all, the overlay can: it is on the overlay from its first frames (the rate
     * threshold counts three commits), 0 bytes are composed for it, and the CRTC shows what a
     * from-scratch composition of the scene shows (the plane decodes BT.709 as the renderer does).
     */
    @Test
    void aWindowedNv12VideoIsOnTheOverlayFromItsFirstFramesWithNothingComposed() throws Exception {
        try (VirtualKms k = kms(FaultPlan.none())) {
            WaylandClient client = k.connect();
            try (DmabufWindow video = k.video(client, DmabufWindow.Options.of("nv12", 640, 360)
                    .fourcc(dev.ferry.drm.uapi.Fourcc.NV12).firstModifier(dev.ferry.drm.uapi.Modifiers.LINEAR))) {
                k.frame(video, 0);
                k.move("nv12", 200, 150);
                long f = 1;
                for (; f < 6; f++) k.frame(video, f);
                long bytes0 = bytesComposed(k);
                for (; f < 60; f++) k.frame(video, f);
                long bytes = bytesComposed(k) - bytes0;
                List<Rec> recs = k.all("nv12");
                int firstOverlay = recs.size();
                while (firstOverlay > 0 && recs.get(firstOverlay - 1).path() == PathKind.OVERLAY_PLANE) firstOverlay--;
                System.out.printf("nv12 overlay: %d frames, on the overlay from surface frame %d; %d bytes composed over the last 54 frames; %d zero-copy presented%n",
                        recs.size(), firstOverlay, bytes, video.zeroCopyPresented());
                assertTrue(firstOverlay <= 4, "on the overlay from its first frames: " + recs.subList(0, Math.min(8, recs.size())));
                assertTrue(recs.getFirst().reasons().contains(FallbackReason.NOT_FULLSCREEN), recs.getFirst().toString());
                assertEquals(0, bytes, "nothing composed while only the NV12 overlay changes");
                k.assertShowsScene("NV12 on the overlay");
            }
        }
    }

    /**
     * hybrid-laptop's HDMI-A-1 is on card1, composed by card0 and copied across (secondary-GPU
     * copy). With a card1 video on card1's overlay and nothing else changing, a frame flips the
     * display-side copy already on screen again under the overlay: nothing composed, nothing
     * copied. A window drawn elsewhere on the output is composed and copied once, then the
     * primary is kept again. The CRTC shows the scene at each step.
     */
    @Test
    void aCrossDeviceOutputKeepsItsCopiedPrimaryWhileOnlyItsOverlayChanges() throws Exception {
        String hdmi = "HDMI-A-1";
        try (VirtualKms k = new VirtualKms("hybrid-laptop", hdmi, FaultPlan.none(), "cpu")) {
            WaylandClient client = k.connect();
            int[] at = k.c.onLoop(() -> new int[] {k.c.scene().outputNamed(hdmi).x(), k.c.scene().outputNamed(hdmi).y()});
            try (DmabufWindow video = k.video(client, DmabufWindow.Options.of("on-dgpu", 480, 270).device("card1"))) {
                k.frame(video, 0);
                k.move("on-dgpu", at[0] + 300, at[1] + 200);
                long f = 1;
                for (; f < 20; f++) k.frame(video, f);
                assertTrue(k.last("on-dgpu", 10).stream().allMatch(r -> r.path() == PathKind.OVERLAY_PLANE), "on card1's overlay: " + k.last("on-dgpu", 10));
                long copied0 = bytesCopied(k, hdmi), composed0 = bytesComposed(k, hdmi);
                int frames0 = k.c.onLoop(k.outputFrames::size);
                for (int i = 0; i < 60; i++) k.frame(video, f++);
                List<String> frames = k.c.onLoop(() -> List.copyOf(k.outputFrames.subList(frames0, k.outputFrames.size())));
                long copied = bytesCopied(k, hdmi) - copied0, composed = bytesComposed(k, hdmi) - composed0;
                System.out.printf("cross-device overlay-only frames: %d output frames, %d bytes copied, %d bytes composed (%s)%n",
                        frames.size(), copied, composed, frames.stream().distinct().toList());
                assertTrue(frames.size() >= 60, "a frame per video frame: " + frames.size());
                assertTrue(frames.stream().allMatch("overlay-plane@card1"::equals), "the copied primary kept, the overlay flipped: " + frames);
                assertEquals(0, copied, "nothing copied across while only the overlay changes");
                assertEquals(0, composed, "nothing composed while only the overlay changes");
                k.assertShowsScene("the video on card1's overlay over the kept primary");
                // Its twin: content under no overlay changes. Composed and copied (once), then kept again.
                WaylandClient other = k.connect();
                ShmWindow note = k.shm(other, "note", 200, 100);
                k.frame(note, 0x00c0a040);
                k.move("note", at[0] + 40, at[1] + 40);
                k.frame(note, 0x00a0c040);
                for (int i = 0; i < 3; i++) k.frame(video, f++);
                long copiedOnce = bytesCopied(k, hdmi) - copied0;
                assertTrue(copiedOnce > 0, "the window's frame crossed over");
                assertTrue(bytesComposed(k, hdmi) - composed0 > 0, "the window was composed");
                k.assertShowsScene("a window beside the overlay, composed and copied");
                for (int i = 0; i < 30; i++) k.frame(video, f++);
                assertEquals(copiedOnce, bytesCopied(k, hdmi) - copied0, "kept again once the window stopped changing");
                assertEquals(PathKind.OVERLAY_PLANE, k.last("on-dgpu", 1).getFirst().path());
                k.assertShowsScene("kept again under the overlay");
                note.close();
            }
        }
    }

    private static long bytesCopied(VirtualKms k, String output) {
        return k.c.onLoop(() -> ((dev.ferry.compositor.backend.kms.KmsBackend) k.c.backend()).bytesCopied(k.c.scene().outputNamed(output)));
    }

    private static long bytesComposed(VirtualKms k, String output) {
        return k.c.onLoop(() -> k.c.backend().stats(k.c.scene().outputNamed(output)).bytesComposed());
    }

    private static long bytesComposed(VirtualKms k) {
        return bytesComposed(k, OUTPUT);
    }
}
