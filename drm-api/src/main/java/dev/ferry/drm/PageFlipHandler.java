package dev.ferry.drm;

/**
 * Receives page-flip completion events (drm_event_vblank). Primitive arguments so delivering
 * an event allocates nothing.
 */
@FunctionalInterface
public interface PageFlipHandler {
    /**
     * @param crtcId the CRTC whose new state is now on screen
     * @param sequence the vblank counter of that CRTC at which it took effect
     * @param timeNs when that vblank happened, on the kernel clock
     * @param userData what the commit passed
     */
    void pageFlipped(int crtcId, long sequence, long timeNs, long userData);
}
