package dev.ferry.compositor.syncobj;

import dev.ferry.client.DmabufWindow;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.scene.Window;
import dev.ferry.drm.ImplicitFence;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WpCommitTimerV1;
import dev.ferry.protocol.interfaces.WpCommitTimingManagerV1;
import dev.ferry.protocol.interfaces.WpFifoManagerV1;
import dev.ferry.protocol.interfaces.WpFifoV1;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.ferry.compositor.syncobj.SyncFerry.MS;
import static dev.ferry.compositor.syncobj.SyncFerry.PERIOD_NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A synchronized subsurface's acquire point, FIFO barrier and target time hold the parent's
 * commit that applies its cached state (one transaction), on the kms backend with the virtual
 * clock: meanwhile the previous content of both stays on screen (pixels read back from the fake
 * CRTC), and then both change in the same frame.
 */
class SynchronizedSubsurfaceKmsTest {
    private static final long ACQUIRE_DEADLINE_NS = 100 * MS;
    private static final int PARENT_OLD = 0xff0000, PARENT_NEW = 0xffff00, CHILD_OLD = 0x0000ff, CHILD_NEW = 0x00ff00;
    private static final int CHILD_X = 40, CHILD_Y = 40, CHILD_SIZE = 64;

    private SyncFerry ferry;
    private SyncFerry.Player parent;
    private SyncedChild child;
    private long lastVblank;

    @BeforeEach
    void start() throws Exception {
        ferry = new SyncFerry(ACQUIRE_DEADLINE_NS);
        parent = ferry.new Player("parent", false, DmabufWindow.Sync.EXPLICIT, 6);
        ferry.warmUp(0x808080, parent);
        child = new SyncedChild(ferry, parent, CHILD_X, CHILD_Y, CHILD_SIZE);
        // The child's first buffer, ready at once, comes with the parent's next commit.
        long c = child.commit(CHILD_OLD, MS);
        long n = parent.commit(PARENT_OLD, MS, MS);
        assertTrue(ferry.stepUntil(() -> parent.presentedAt(n) > 0 && child.presentedAt(c) > 0, 200 * MS, parent));
        assertEquals(parent.presentedAt(n), child.presentedAt(c), "parent and child in one frame");
        assertEquals(PARENT_OLD, parentPixel());
        assertEquals(CHILD_OLD, childPixel());
        lastVblank = parent.presentedAt(n);
    }

    @AfterEach
    void stop() throws Exception {
        if (child != null) child.close();
        if (parent != null) parent.close();
        ferry.close();
    }

    private int[] origin() {
        Window w = ferry.onLoop(() -> ferry.compositor.scene().windows().stream()
                .filter(x -> x.title().equals("parent")).findFirst().orElseThrow());
        return ferry.onLoop(() -> new int[] {w.x(), w.y()});
    }

    private int parentPixel() {
        int[] o = origin();
        Compositor.Screenshot s = ferry.compositor.screenshot("eDP-1");
        return s.at(o[0] + 10, o[1] + 10) & 0xffffff;
    }

    private int childPixel() {
        int[] o = origin();
        Compositor.Screenshot s = ferry.compositor.screenshot("eDP-1");
        return s.at(o[0] + CHILD_X + CHILD_SIZE / 2, o[1] + CHILD_Y + CHILD_SIZE / 2) & 0xffffff;
    }

    private Map<String, Object> explicitStats() {
        return ferry.onLoop(() -> ferry.compositor.syncobj().statsTree());
    }

    /** Moves the clock ms milliseconds, a millisecond at a time, letting the compositor work after each. */
    private void advance(long ms) throws Exception {
        for (int i = 0; i < ms; i++) {
            ferry.clock.advanceNs(MS);
            ferry.settle(parent);
        }
    }

    @Test
    void aChildsLateAcquirePointHoldsTheParentsCommitUntilItSignals() throws Exception {
        long committedNs = ferry.clock.nowNs();
        long c = child.commit(CHILD_NEW, 30 * MS);
        long n = parent.commit(PARENT_NEW, MS, MS);
        ferry.settle(parent);
        assertEquals(2, explicitStats().get("waiting"), "the parent's and the child's acquire points, waited for side by side");
        advance(25);
        assertEquals(1, explicitStats().get("waiting"), "the parent's is long signalled; the child's is not");
        assertEquals(-1, parent.presentedAt(n), "25 ms in, the child's job still runs: the parent's commit is held");
        assertEquals(PARENT_OLD, parentPixel(), "the parent's previous frame stays");
        assertEquals(CHILD_OLD, childPixel(), "the child's previous frame stays");
        assertTrue(ferry.stepUntil(() -> parent.presentedAt(n) > 0, 100 * MS, parent));
        assertTrue(parent.presentedAt(n) >= committedNs + 30 * MS, "presented after the child's acquire point signalled");
        assertTrue(parent.presentedAt(n) <= committedNs + 30 * MS + 2 * PERIOD_NS, "and at the vblank after it: " + parent.presentedAt(n));
        assertEquals(parent.presentedAt(n), child.presentedAt(c), "parent and child change in the same frame");
        assertEquals(PARENT_NEW, parentPixel());
        assertEquals(CHILD_NEW, childPixel());
        assertEquals(0L, explicitStats().get("timeouts"));
    }

    @Test
    void aChildsNeverSignallingAcquirePointHoldsTheParentUntilTheDeadlineThenTheChildKeepsItsBuffer() throws Exception {
        long committedNs = ferry.clock.nowNs();
        long c = child.commit(CHILD_NEW, ImplicitFence.NEVER);
        long n = parent.commit(PARENT_NEW, MS, MS);
        advance(90);
        assertEquals(-1, parent.presentedAt(n), "before the deadline the parent's commit is held");
        assertEquals(PARENT_OLD, parentPixel());
        assertEquals(CHILD_OLD, childPixel());
        assertTrue(ferry.stepUntil(() -> parent.presentedAt(n) > 0, 100 * MS, parent));
        long at = parent.presentedAt(n);
        assertTrue(at >= committedNs + ACQUIRE_DEADLINE_NS && at <= committedNs + ACQUIRE_DEADLINE_NS + 2 * PERIOD_NS,
                "the parent's commit is applied at the deadline, shown at the vblank after it: " + (at - committedNs) / MS + " ms");
        ferry.settle(parent);
        assertEquals(-2, child.presentedAt(c), "the child's unready frame is discarded, never shown");
        assertEquals(PARENT_NEW, parentPixel(), "the parent's part of the commit took effect");
        assertEquals(CHILD_OLD, childPixel(), "the child keeps its previous buffer");
        assertEquals(1L, explicitStats().get("timeouts"));
        // The child plays on: its next commit, ready, comes with the parent's next one.
        long c2 = child.commit(CHILD_NEW, MS);
        long n2 = parent.commit(PARENT_OLD, MS, MS);
        assertTrue(ferry.stepUntil(() -> parent.presentedAt(n2) > 0, 100 * MS, parent));
        assertEquals(parent.presentedAt(n2), child.presentedAt(c2));
        assertEquals(CHILD_NEW, childPixel());
    }

    @Test
    void aChildsTargetTimeHoldsTheParentsCommitUntilTheVblankThatPresentsIt() throws Exception {
        Proxy timer = WpCommitTimingManagerV1.getTimer(parent.client.bind(WpCommitTimingManagerV1.INTERFACE, 1), child.surface);
        // Three refreshes on, 3 ms after a vblank: "at or after" is the one after that.
        long target = lastVblank + 3 * PERIOD_NS + 3 * MS;
        child.beforeCommit = () -> WpCommitTimerV1.setTimestamp(timer, 0, (int) (target / 1_000_000_000L), (int) (target % 1_000_000_000L));
        long c = child.commit(CHILD_NEW, MS);
        long n = parent.commit(PARENT_NEW, MS, MS);
        assertTrue(ferry.stepUntil(() -> parent.presentedAt(n) > 0, 20 * PERIOD_NS, parent));
        assertEquals(lastVblank + 4 * PERIOD_NS, parent.presentedAt(n), "the first vblank at or after the child's target");
        assertEquals(parent.presentedAt(n), child.presentedAt(c));
        assertEquals(PARENT_NEW, parentPixel());
        assertEquals(CHILD_NEW, childPixel());
    }

    @Test
    void aChildsFifoBarrierKeepsTheParentsBurstFromCollapsing() throws Exception {
        Proxy fifo = WpFifoManagerV1.getFifo(parent.client.bind(WpFifoManagerV1.INTERFACE, 1), child.surface);
        child.beforeCommit = () -> {
            WpFifoV1.waitBarrier(fifo);
            WpFifoV1.setBarrier(fifo);
        };
        // Three parent commits back to back, each applying a child commit with a barrier.
        long[] n = new long[3];
        long[] c = new long[3];
        for (int i = 0; i < 3; i++) {
            c[i] = child.commit(0x001100 * (i + 1), MS);
            n[i] = parent.commit(0x110000 * (i + 1), MS, MS);
        }
        assertTrue(ferry.stepUntil(() -> parent.presentedAt(n[2]) != -1 && parent.presentedAt(n[1]) != -1, 20 * PERIOD_NS, parent));
        for (int i = 0; i < 3; i++) {
            assertTrue(parent.presentedAt(n[i]) > 0, "parent frame " + i + " presented, not dropped");
            assertEquals(parent.presentedAt(n[i]), child.presentedAt(c[i]), "child frame " + i + " with it");
        }
        assertEquals(PERIOD_NS, parent.presentedAt(n[1]) - parent.presentedAt(n[0]), "a refresh each");
        assertEquals(PERIOD_NS, parent.presentedAt(n[2]) - parent.presentedAt(n[1]), "a refresh each");
    }
}
