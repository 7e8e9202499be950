package dev.ferry.drm;

import dev.ferry.drm.topology.ModeSpec;

/**
 * One CRTC's flip and vblank bookkeeping: the flip in flight (when it was committed, whether it
 * wants an event and with what user data, whether a fault keeps it from ever completing), the
 * vblank clock it counts on (base time and sequence), and whether the commit being checked
 * touches it. The device's lock covers it.
 */
final class CrtcTimeline {
    boolean flipPending;
    boolean wantsEvent;
    /** A fault: this flip never completes. */
    boolean never;
    long commitNs;
    long userData;
    /** A vblank happened at this time; they follow every mode period from it. */
    long vblankBaseNs;
    /** The vblank count at {@link #vblankBaseNs}. */
    long sequenceBase;
    boolean touched;

    /**
     * The first vblank on this CRTC's grid (from {@code base}, every {@code periodNs}) after the
     * commit, and not before the last write fence of the buffers shown signals.
     */
    long firstVblankAfterCommit(long base, long periodNs, long fenceNs) {
        long k = Math.floorDiv(commitNs - base, periodNs) + 1;
        long t = base + k * periodNs;
        if (fenceNs > t) t = base + Math.ceilDiv(fenceNs - base, periodNs) * periodNs;
        return t;
    }

    /** The vblank count at time t, counting only while the CRTC is lit in the given mode. */
    long sequenceAt(boolean active, ModeSpec mode, long t) {
        if (!active || mode == null) return sequenceBase;
        return sequenceBase + Math.max(0, (t - vblankBaseNs) / mode.periodNs());
    }
}
