package dev.ferry.compositor.path;

import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.output.Output;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;

import java.util.Set;

/**
 * Told, for every frame an output presents, which path each surface on it took and every
 * reason a cheaper one was not taken. Statistics and dma-buf feedback both listen; backends
 * report. Called on the event loop; implementations must not allocate per call without need.
 */
public interface PathObserver {
    /**
     * @param reasons why cheaper paths were missed (empty for direct scanout); owned by the
     *                caller and reused after the call, so copy what you keep
     */
    void surfacePresented(Output output, Surface surface, PathKind path, Set<FallbackReason> reasons, long presentNs);

    /** The output presented a frame; composed says whether it was composed (vs all planes). */
    default void outputPresented(Output output, PathKind framePath, long presentNs) {}
}
