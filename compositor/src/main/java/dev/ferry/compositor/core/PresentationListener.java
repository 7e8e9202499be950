package dev.ferry.compositor.core;

import dev.ferry.compositor.output.Output;

/** Told when the content of one surface commit reached a screen, or never will. */
public interface PresentationListener {
    /**
     * @param timeNs CLOCK_MONOTONIC time the frame started scanning out
     * @param refreshNs the output's refresh period, 0 if unknown
     * @param sequence the output's vblank counter
     * @param flags wp_presentation_feedback kind flags
     */
    void presented(Output output, long timeNs, long refreshNs, long sequence, int flags);

    void discarded();
}
