package dev.ferry.drm;

import dev.ferry.drm.topology.ModeSpec;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flip latching alone: a flip in flight on CRTC 0 of card0 (lighting it with the primary plane),
 * latched by times the test gives, against the vblank grid and the buffer's write fence.
 */
@ExtendWith(NoFdLeaks.class)
class FlipLatchTest {
    private static final ModeSpec MODE = new ModeSpec(64, 48, 60000);
    private DeviceParts parts;
    private Crtc[] crtcs;
    private int planes, connectors;
    private KmsState current;
    private KmsState pending;
    private FramebufferTable framebuffers;
    private PageFlipEvents events;
    private FlipLatch latch;
    private DmaBuf buf;
    private int fb;
    private long t0, period;

    @BeforeEach
    void pendingState() throws Exception {
        parts = new DeviceParts();
        crtcs = DeviceParts.crtcs(parts.card0);
        planes = parts.card0.planes().size();
        connectors = parts.card0.connectors().size();
        current = new KmsState(planes, crtcs.length, connectors);
        pending = new KmsState(planes, crtcs.length, connectors);
        framebuffers = new FramebufferTable(parts.card0.scanoutFormats(), parts.rules(parts.card0));
        events = new PageFlipEvents();
        latch = new FlipLatch(crtcs, planes, connectors, DeviceParts.timelines(crtcs.length), current, pending, framebuffers, events);
        buf = parts.card0.allocate(64, 48, Fourcc.XRGB8888, new long[] {Modifiers.LINEAR}, Usage.SCANOUT | Usage.RENDERING);
        ImportedBuffer b = DeviceParts.imported(buf, Modifiers.LINEAR);
        fb = framebuffers.add(b, 64, 48, Fourcc.XRGB8888, Modifiers.LINEAR, buf.offsetsArray(), buf.stridesArray()).fbId();
        b.release();
        pending.crtcActive[0] = true;
        pending.crtcMode[0] = MODE;
        pending.connectorCrtc[0] = 0;
        pending.planeCrtc[0] = 0;
        pending.planeFb[0] = fb;
        t0 = parts.kernel.clock().nowNs();
        period = MODE.periodNs();
    }

    @AfterEach
    void close() {
        framebuffers.clear();
        buf.close();
        parts.close();
    }

    private record Event(int crtc, long sequence, long timeNs, long userData) {}

    private List<Event> delivered() {
        List<Event> out = new ArrayList<>();
        events.take().deliver((crtc, sequence, timeNs, userData) -> out.add(new Event(crtc, sequence, timeNs, userData)));
        return out;
    }

    @Test
    void aFlipLatchesAtTheFirstVblankAfterItsCommitWithItsEvent() {
        latch.schedule(0, t0, true, 7, false);
        assertEquals(t0 + period, latch.latchTimeNs(0));
        assertEquals(t0 + period, latch.nextDeadlineNs());
        latch.processUntil(t0 + period - 1);
        assertTrue(latch.flipPending(0));
        assertEquals(0, current.planeFb[0], "not on screen before the vblank");
        assertEquals(0, events.waiting());
        latch.processUntil(t0 + period);
        assertFalse(latch.flipPending(0));
        assertEquals(fb, current.planeFb[0]);
        assertTrue(current.crtcActive[0]);
        assertEquals(List.of(new Event(crtcs[0].id(), 1, t0 + period, 7)), delivered(), "first vblank of a newly lit CRTC");
        assertEquals(Wakeup.NEVER, latch.nextDeadlineNs());
    }

    @Test
    void aFlipWithoutAnEventLatchesSilently() {
        latch.schedule(0, t0, false, 7, false);
        latch.processUntil(t0 + period);
        assertEquals(fb, current.planeFb[0]);
        assertEquals(List.of(), delivered());
    }

    @Test
    void aFlipWaitsForTheVblankAfterItsBuffersWriteFence() throws Exception {
        parts.card0.submitRenderJob(buf, period + period / 2);
        latch.schedule(0, t0, true, 7, false);
        assertEquals(t0 + 2 * period, latch.latchTimeNs(0), "the fence signals between the first and second vblank");
        latch.processUntil(t0 + period);
        assertTrue(latch.flipPending(0));
        latch.processUntil(t0 + 2 * period);
        assertEquals(List.of(new Event(crtcs[0].id(), 2, t0 + 2 * period, 7)), delivered());
    }

    @Test
    void aFlipAFaultHoldsNeverLatchesAndUnplugDropsIt() {
        latch.schedule(0, t0, true, 7, true);
        assertEquals(Wakeup.NEVER, latch.latchTimeNs(0));
        assertEquals(Wakeup.NEVER, latch.nextDeadlineNs());
        latch.processUntil(t0 + 1000 * period);
        assertTrue(latch.flipPending(0));
        assertEquals(0, current.planeFb[0]);
        latch.dropAll();
        assertFalse(latch.flipPending(0));
        assertEquals(List.of(), delivered());
    }

    @Test
    void aBlockingCommitLatchesAtOnceAndCopiesOnlyItsCrtcsObjects() {
        pending.planeCrtc[2] = 1; // card0's second primary plane, on CRTC 1: not CRTC 0's
        pending.planeFb[2] = fb;
        latch.latch(0, t0, false);
        assertEquals(fb, current.planeFb[0]);
        assertEquals(0, current.connectorCrtc[0]);
        assertEquals(-1, current.planeCrtc[2], "CRTC 1's plane stays pending");
        assertEquals(0, current.planeFb[2]);
    }
}
