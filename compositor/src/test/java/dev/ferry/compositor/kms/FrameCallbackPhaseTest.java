package dev.ferry.compositor.kms;

import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.drm.FaultPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Windows that draw as soon as their frame callback comes are in every frame of a kms output,
 * even after one of them once committed past the repaint deadline. A frame started at once at
 * the flip (for the late commit) used to leave the prompt windows, whose callbacks that flip
 * answered, to the frame after it; from then on every frame started at the flip and each window
 * got a frame callback only every other refresh (the soak's healthy windows: 33 ms gaps for good).
 */
@Timeout(60)
class FrameCallbackPhaseTest {
    private static final String OUTPUT = "eDP-1";

    @Test
    void aCommitPastTheDeadlineDoesNotPutPromptWindowsInAlternateFrames() throws Exception {
        try (VirtualKms k = new VirtualKms("laptop-igpu", OUTPUT, FaultPlan.none(), "cpu")) {
            WaylandClient ca = k.connect(), cb = k.connect();
            ShmWindow a = k.shm(ca, "a", 64, 64), b = k.shm(cb, "b", 64, 64);
            k.frame(a, 0x00ff0000);
            k.frame(b, 0x0000ff00);
            k.move("b", 200, 0);
            Prompt pa = new Prompt(k, a, 0x00ff0000), pb = new Prompt(k, b, 0x0000ff00);
            refreshDrawingPromptly(k, 10, pa, pb);
            pa.assertAnsweredEveryRefresh(6, k.periodNs(), "before the late commit");
            pb.assertAnsweredEveryRefresh(6, k.periodNs(), "before the late commit");

            // One refresh in which b commits only after the repaint deadline, before the vblank.
            k.refresh();
            pa.drawIfAnswered();
            k.settle();
            long vblankNs = k.last("a", 1).getFirst().presentNs() + k.periodNs();
            long deadlineNs = k.c.onLoop(() -> k.c.loop().nextTimerNs());
            assertTrue(deadlineNs > k.clock.nowNs() && deadlineNs < vblankNs, "a repaint deadline is armed before the vblank");
            k.clock.advanceTo(deadlineNs);
            k.settle();
            pb.drawIfAnswered();
            k.settle();
            k.clock.advanceTo(vblankNs);
            k.settle();
            pa.drawIfAnswered();
            pb.drawIfAnswered();
            k.settle();

            refreshDrawingPromptly(k, 12, pa, pb);
            pa.assertAnsweredEveryRefresh(8, k.periodNs(), "after b's late commit");
            pb.assertAnsweredEveryRefresh(8, k.periodNs(), "after b's late commit");
            a.close();
            b.close();
        }
    }

    /** n refreshes, each window drawing right after the one that brought its frame callback. */
    private static void refreshDrawingPromptly(VirtualKms k, int n, Prompt... windows) throws IOException {
        for (int i = 0; i < n; i++) {
            k.refresh();
            for (Prompt w : windows) w.drawIfAnswered();
            k.settle();  // their commits reach the compositor now, right after the flip, as a prompt client's do
        }
        k.settle();
    }

    /** A window that draws its next frame as soon as the last one's frame callback came. */
    private static final class Prompt {
        private final ShmWindow w;
        private final int xrgb;
        private long answered;
        private int n;

        /** The virtual time each frame callback was seen (right after the refresh that brought it). */
        private final List<Long> answeredNs = new ArrayList<>();
        private final VirtualKms k;

        Prompt(VirtualKms k, ShmWindow w, int xrgb) {
            this.k = k;
            this.w = w;
            this.xrgb = xrgb;
            this.answered = w.framesDone();
        }

        void drawIfAnswered() throws IOException {
            if (w.framesDone() > answered) answeredNs.add(k.clock.nowNs());
            if (w.framesDone() > answered || n == 0) {
                // A different shade each frame, so that every commit is new content.
                if (w.draw(ShmWindow.fill(xrgb ^ (++n & 0xff)))) answered = w.framesDone();
            }
        }

        /** Its last n frame callbacks came one refresh apart: each frame it drew was in the next frame shown. */
        void assertAnsweredEveryRefresh(int n, long periodNs, String when) {
            List<Long> last = answeredNs.subList(Math.max(0, answeredNs.size() - n), answeredNs.size());
            assertEquals(n, last.size(), "frame callbacks " + when + ": " + answeredNs);
            for (int i = 1; i < last.size(); i++) {
                assertEquals(periodNs, last.get(i) - last.get(i - 1), "frame callbacks " + when + " a refresh apart (virtual ns): " + last);
            }
        }
    }
}
