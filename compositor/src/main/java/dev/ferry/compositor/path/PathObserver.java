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

    /**
     * The output presented a frame by framePath. device names what did the work: the GPU that
     * composed it (the render device, or the output's own for a frame it composed locally),
     * {@link #CPU} for the CPU compositor or a system-RAM copy, the display device for planes;
     * null where no device is known (headless, nested). A constant per device: compared as is.
     */
    default void outputPresented(Output output, PathKind framePath, String device, long presentNs) {}

    /** The device name for frames the CPU did. */
    String CPU = "cpu";
}
