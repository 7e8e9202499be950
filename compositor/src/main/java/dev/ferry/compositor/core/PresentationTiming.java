package dev.ferry.compositor.core;

/**
 * When frames reach the screen, for commits that name a target presentation time
 * (wp_commit_timing_v1): the compositor's answer from its backend's vblank timing.
 */
public interface PresentationTiming {
    /** When a frame showing the surface, started now, would be presented (kernel clock); 0 if unknown. */
    long nextPresentationNs(Surface surface);

    /** Runs task on the event loop once a frame started then could present at or after targetNs. */
    void whenPresentable(Surface surface, long targetNs, Runnable task);
}
