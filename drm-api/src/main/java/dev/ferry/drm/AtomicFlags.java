package dev.ferry.drm;

/** DRM_MODE_ATOMIC_* and DRM_MODE_PAGE_FLIP_EVENT, with the kernel's values. */
public final class AtomicFlags {
    private AtomicFlags() {}

    /** Deliver a page-flip event for each CRTC the commit touched, when it takes effect. */
    public static final int PAGE_FLIP_EVENT = 0x01;
    /** Check only; change nothing. */
    public static final int TEST_ONLY = 0x0100;
    /** Return at once; the new state takes effect at a later vblank. */
    public static final int NONBLOCK = 0x0200;
    /** The commit may change modes, activate or deactivate CRTCs, or rewire connectors. */
    public static final int ALLOW_MODESET = 0x0400;
}
