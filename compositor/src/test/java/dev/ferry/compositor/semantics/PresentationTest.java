package dev.ferry.compositor.semantics;

import dev.ferry.compositor.semantics.TestClient.Buf;
import dev.ferry.compositor.semantics.TestClient.Toplevel;
import dev.ferry.posix.MonotonicClock;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.interfaces.WpPresentation;
import dev.ferry.protocol.interfaces.WpPresentationFeedback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.ferry.compositor.semantics.TestClient.BLUE;
import static dev.ferry.compositor.semantics.TestClient.GREEN;
import static dev.ferry.compositor.semantics.TestClient.RED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** wp_presentation on a real Ferry with a 60 Hz headless output. */
@Timeout(60)
class PresentationTest extends OnOneFerry {
    /** What one wp_presentation_feedback got. */
    static final class Feedback {
        Proxy syncOutput;
        boolean presented, discarded;
        long timeNs, refreshNs, sequence;
        int flags;
    }

    static Feedback feedback(TestClient c, Proxy surface) {
        Feedback f = new Feedback();
        WpPresentation.feedback(c.presentation, surface).listen(new WpPresentationFeedback.Listener() {
            @Override
            public void syncOutput(Proxy self, Proxy output) {
                f.syncOutput = output;
            }

            @Override
            public void presented(Proxy self, int secHi, int secLo, int nsec, int refresh, int seqHi, int seqLo, int flags) {
                f.presented = true;
                long sec = ((secHi & 0xffffffffL) << 32) | (secLo & 0xffffffffL);
                f.timeNs = sec * 1_000_000_000L + nsec;
                f.refreshNs = refresh & 0xffffffffL;
                f.sequence = ((seqHi & 0xffffffffL) << 32) | (seqLo & 0xffffffffL);
                f.flags = flags;
            }

            @Override
            public void discarded(Proxy self) {
                f.discarded = true;
            }
        });
        return f;
    }

    @Test
    void presentedCarriesMonotonicTimeRefreshAndAnIncreasingSequence() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            int[] clock = {-1};
            WpPresentation.INTERFACE.name(); // (bound in TestClient; clock_id came with the bind)
            Proxy p = c.client.bind(WpPresentation.INTERFACE, 2);
            p.listen(new WpPresentation.Listener() {
                @Override
                public void clockId(Proxy self, int id) {
                    clock[0] = id;
                }
            });
            c.roundtrip();
            assertEquals(MonotonicClock.CLOCK_MONOTONIC, clock[0], "clock_id");

            Toplevel t = c.mappedToplevel("presentation", 64, 64, RED);
            long lastSeq = -1, lastTime = -1;
            int[] colours = {GREEN, BLUE, RED, GREEN};
            for (int colour : colours) {
                long beforeNs = MonotonicClock.nowNs();
                Feedback f = feedback(c, t.surface);
                c.awaitFrame(c.commitBuffer(t.surface, c.solid(64, 64, colour)));
                c.await(() -> f.presented || f.discarded, "presentation feedback");
                long afterNs = MonotonicClock.nowNs();
                assertTrue(f.presented, "discarded a commit that was shown");
                assertSame(c.outputs.get(0), f.syncOutput, "sync_output names the output");
                assertTrue(f.timeNs >= beforeNs && f.timeNs <= afterNs,
                        "presented at " + f.timeNs + ", outside [" + beforeNs + ", " + afterNs + "] on CLOCK_MONOTONIC");
                assertEquals(16_666_666L, f.refreshNs, "refresh at 60 Hz");
                assertTrue((f.flags & WpPresentationFeedback.KIND_VSYNC) != 0, "vsync flag");
                assertTrue(f.sequence > lastSeq, "sequence " + lastSeq + " then " + f.sequence);
                assertTrue(f.timeNs > lastTime, "time " + lastTime + " then " + f.timeNs);
                if (lastSeq >= 0) {
                    // Sequence counts vblanks: it advances with time at the refresh rate.
                    long vblanks = Math.round((f.timeNs - lastTime) / 16_666_666.0);
                    assertEquals(vblanks, f.sequence - lastSeq, "sequence advance against time advance");
                }
                lastSeq = f.sequence;
                lastTime = f.timeNs;
            }
        }
    }

    @Test
    void aCommitReplacedBeforeItIsShownIsDiscarded() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel t = c.mappedToplevel("discard", 64, 64, RED);
            Buf a = c.solid(64, 64, GREEN), b = c.solid(64, 64, BLUE);
            c.roundtrip();
            // Two commits in one batch: the second replaces the first before any vblank.
            Feedback first = feedback(c, t.surface);
            WlSurface.attach(t.surface, a.proxy, 0, 0);
            WlSurface.damageBuffer(t.surface, 0, 0, 64, 64);
            WlSurface.commit(t.surface);
            Feedback second = feedback(c, t.surface);
            c.awaitFrame(c.commitBuffer(t.surface, b));
            c.await(() -> (first.presented || first.discarded) && (second.presented || second.discarded), "both feedbacks");
            assertTrue(first.discarded, "the replaced commit must be discarded");
            assertFalse(first.presented);
            assertTrue(second.presented, "the commit shown must be presented");
            assertNotNull(second.syncOutput);
        }
    }

    @Test
    void aSurfaceNobodyShowsGetsDiscarded() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Proxy hidden = c.surface();
            Feedback f = feedback(c, hidden);
            c.awaitFrame(c.commitBuffer(hidden, c.solid(16, 16, RED)));
            c.await(() -> f.presented || f.discarded, "feedback of an unshown surface");
            assertTrue(f.discarded, "an unshown commit cannot be presented");
        }
    }
}
