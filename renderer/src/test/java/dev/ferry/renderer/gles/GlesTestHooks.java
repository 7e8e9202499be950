package dev.ferry.renderer.gles;

import dev.ferry.renderer.FrameFailure;

/** Test-only access to the renderer's package-private fault hook. */
public final class GlesTestHooks {
    private GlesTestHooks() {}

    /** The next frame draws completely, then fails with this reason instead of being read back. */
    public static void failNextFrame(GlesRenderer r, FrameFailure reason) {
        r.injectedFailure = reason;
    }
}
