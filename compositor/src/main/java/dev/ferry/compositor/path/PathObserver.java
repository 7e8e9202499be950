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
     * The same, from a backend with overlay planes: overlay is the plane (its device and
     * formats) that would show this composed surface were its buffer allocated for it, the
     * target of a scanout tranche; null when no overlay would, whatever the allocation. Only
     * dma-buf feedback needs it: the default drops it.
     */
    default void surfacePresented(Output output, Surface surface, PathKind path, Set<FallbackReason> reasons,
                                  Output.ScanoutTarget overlay, long presentNs) {
        surfacePresented(output, surface, path, reasons, presentNs);
    }

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
