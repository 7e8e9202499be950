package dev.ferry.drm;

import dev.ferry.drm.topology.ModeSpec;

import java.util.Objects;

/**
 * When committed state reaches the screen: a non-blocking commit leaves each CRTC it touches
 * with a flip in flight, which latches (pending state becomes current) at the first vblank after
 * the commit at which every buffer it shows has its write fence signalled, queuing a page-flip
 * event if one was asked for. A blocking commit latches at once. The device's lock covers it.
 */
final class FlipLatch {
    private final Crtc[] crtcs;
    private final int planeCount;
    private final int connectorCount;
    private final CrtcTimeline[] timelines;
    private final KmsState current;
    private final KmsState pending;
    private final FramebufferTable framebuffers;
    private final PageFlipEvents events;

    FlipLatch(Crtc[] crtcs, int planeCount, int connectorCount, CrtcTimeline[] timelines, KmsState current,
              KmsState pending, FramebufferTable framebuffers, PageFlipEvents events) {
        this.crtcs = crtcs;
        this.planeCount = planeCount;
        this.connectorCount = connectorCount;
        this.timelines = timelines;
        this.current = current;
        this.pending = pending;
        this.framebuffers = framebuffers;
        this.events = events;
    }

    /** A flip in flight on CRTC c from a commit at nowNs; {@code never}: a fault keeps it from completing. */
    void schedule(int c, long nowNs, boolean wantsEvent, long userData, boolean never) {
        CrtcTimeline t = timelines[c];
        t.flipPending = true;
        t.wantsEvent = wantsEvent;
        t.commitNs = nowNs;
        t.userData = userData;
        t.never = never;
    }

    /** Copies everything that belongs to CRTC c (its planes, its connectors, itself) from src to dst. */
    void copyCrtcState(KmsState dst, KmsState src, int c) {
        for (int p = 0; p < planeCount; p++) {
            if (src.planeCrtc[p] == c || dst.planeCrtc[p] == c) dst.copyPlane(src, p);
        }
        for (int k = 0; k < connectorCount; k++) {
            if (src.connectorCrtc[k] == c || dst.connectorCrtc[k] == c) dst.connectorCrtc[k] = src.connectorCrtc[k];
        }
        dst.crtcActive[c] = src.crtcActive[c];
        dst.crtcMode[c] = src.crtcMode[c];
    }

    /**
     * When the pending state of CRTC c takes effect: the first vblank after the commit at which
     * every buffer it shows has its write fence signalled. NEVER if a fence never signals.
     */
    long latchTimeNs(int c) {
        if (timelines[c].never) return Wakeup.NEVER;
        long tc = timelines[c].commitNs;
        boolean wasActive = current.crtcActive[c], willBeActive = pending.crtcActive[c];
        if (!willBeActive) return tc;
        ModeSpec mode = pending.crtcMode[c];
        long period = mode.periodNs();
        long base = wasActive && mode.equals(current.crtcMode[c]) ? timelines[c].vblankBaseNs : tc;
        long fenceNs = 0;
        for (int p = 0; p < planeCount; p++) {
            if (pending.planeCrtc[p] != c) continue;
            long f = framebuffers.get(pending.planeFb[p]).buffer.fenceSignalAtNs();
            if (f == ImplicitFence.NEVER) return Wakeup.NEVER;
            fenceNs = Math.max(fenceNs, f);
        }
        return timelines[c].firstVblankAfterCommit(base, period, fenceNs);
    }

    /** Latches every flip whose time has come by nowNs. */
    void processUntil(long nowNs) {
        for (int c = 0; c < crtcs.length; c++) {
            if (!timelines[c].flipPending) continue;
            long t = latchTimeNs(c);
            if (t <= nowNs) latch(c, t, timelines[c].wantsEvent);
        }
    }

    /** Puts the pending state of CRTC c on screen at time t, queuing its event if asked. */
    void latch(int c, long t, boolean event) {
        long sequenceBefore = sequenceAt(c, t);
        boolean activeAfter = pending.crtcActive[c];
        boolean modeChange = !current.crtcActive[c] || !Objects.equals(current.crtcMode[c], pending.crtcMode[c]);
        if (!activeAfter || modeChange) timelines[c].sequenceBase = sequenceBefore;
        if (activeAfter && modeChange) {
            // Vblanks of a newly lit CRTC count from the commit that lit it.
            timelines[c].vblankBaseNs = current.crtcActive[c] || !timelines[c].flipPending ? t : timelines[c].commitNs;
        }
        copyCrtcState(current, pending, c);
        timelines[c].flipPending = false;
        timelines[c].never = false;
        if (event) events.add(crtcs[c].id(), sequenceAt(c, t), t, timelines[c].userData);
    }

    private long sequenceAt(int c, long t) {
        return timelines[c].sequenceAt(current.crtcActive[c], current.crtcMode[c], t);
    }

    /** The next time a pending flip could take effect, {@link Wakeup#NEVER} if none. */
    long nextDeadlineNs() {
        long next = Wakeup.NEVER;
        for (int c = 0; c < crtcs.length; c++) if (timelines[c].flipPending) next = Math.min(next, latchTimeNs(c));
        return next;
    }

    boolean flipPending(int c) { return timelines[c].flipPending; }

    /** Drops every flip in flight (the device is gone). */
    void dropAll() {
        for (CrtcTimeline t : timelines) t.flipPending = false;
    }
}
