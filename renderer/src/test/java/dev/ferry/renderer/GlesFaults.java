package dev.ferry.renderer;

import dev.ferry.renderer.gles.GlesRenderer;
import dev.ferry.renderer.gles.GlesTestHooks;

/** Reaches the GLES renderer's fault injection from tests in other packages. */
final class GlesFaults {
    private GlesFaults() {}

    static void failNextFrame(GlesRenderer r, FrameFailure reason) {
        GlesTestHooks.failNextFrame(r, reason);
    }
}
