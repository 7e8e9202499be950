package dev.ferry.compositor.fence;

import dev.ferry.compositor.core.Surface;

/**
 * Fence deadline hints (SYNC_IOC_SET_DEADLINE) for every acquire fence the compositor waits on,
 * implicit or explicit: the deadline is the repaint deadline of the vblank the surface's next frame
 * aims for (the vblank less the time a frame needs to be made and committed), so a client
 * job that would miss it is hurried where the driver can (fake-drm models that as a boost down to
 * the job's fastest time). Counts the hints set, those whose fence then signalled by the deadline
 * (met), and those that hurried a job (boosted). Event-loop thread only.
 */
public final class FenceDeadlines {
    /** The repaint deadline (kernel clock) of the surface's next frame: ready by then, it makes its vblank; 0 if unknown. */
    @FunctionalInterface
    public interface VblankTarget {
        long repaintDeadlineNs(Surface surface);
    }

    /** Hints set, met (the fence signalled by the deadline), and boosted (the hint hurried the job). */
    public record Counts(long set, long met, long boosted) {}

    private static final VblankTarget UNKNOWN = s -> 0;

    private VblankTarget target = UNKNOWN;
    private long set;
    private long met;
    private long boosted;

    /** Where deadlines come from (the backend's vblank timing); until set, no hints are given. */
    public void setTarget(VblankTarget t) {
        target = t == null ? UNKNOWN : t;
    }

    /** The deadline to hint for a wait starting now on this surface, or 0 for none. */
    public long deadlineFor(Surface surface) {
        return target.repaintDeadlineNs(surface);
    }

    /** A hint was given; boosted if it hurried the job. */
    public void hinted(boolean didBoost) {
        set++;
        if (didBoost) boosted++;
    }

    /** The fence of a hinted wait signalled at signalNs: met if by the deadline. */
    public void finished(long deadlineNs, long signalNs) {
        if (deadlineNs > 0 && signalNs >= 0 && signalNs <= deadlineNs) met++;
    }

    public Counts counts() { return new Counts(set, met, boosted); }
}
