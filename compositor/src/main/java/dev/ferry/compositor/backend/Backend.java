package dev.ferry.compositor.backend;

import dev.ferry.compositor.frame.OutputPainter;
import dev.ferry.compositor.output.Output;

import java.util.List;

/**
 * Where outputs come from and where their frames go: headless memory, fake or real KMS
 * devices, or a window of a host compositor. The rest of the compositor sees only outputs
 * and their painters.
 */
public interface Backend extends AutoCloseable {
    /** "headless", "kms", "nested". */
    String name();

    /** Creates the outputs (adding them to the scene) and starts their repaint cycles. */
    void start() throws Exception;

    /** The painters of backends that repaint by composition alone (headless, nested); empty otherwise. */
    default List<OutputPainter> painters() { return List.of(); }

    /** Every output this backend drives. */
    default List<Output> outputs() {
        return painters().stream().map(OutputPainter::output).toList();
    }

    /** Asks for a frame on the output (something on it changed). */
    default void schedule(Output output) {
        for (OutputPainter p : painters()) if (p.output() == output) p.schedule();
    }

    /** Backend facts about an output for `ferry ctl stats` (device, copy mode, ...). */
    default java.util.Map<String, Object> outputDetails(Output output) { return java.util.Map.of(); }

    /** Frame statistics of the output. */
    default dev.ferry.compositor.stats.OutputStats stats(Output output) {
        for (OutputPainter p : painters()) if (p.output() == output) return p.stats();
        throw new IllegalArgumentException("no output " + output.name());
    }

    /**
     * The devices behind this backend, for linux-dmabuf (main device, import tests, feedback),
     * or empty when it has none (headless, nested): then linux-dmabuf is not advertised.
     */
    default java.util.Optional<dev.ferry.drm.DeviceSet> devices() { return java.util.Optional.empty(); }

    /**
     * The primary render device among {@link #devices()}, picked by the one rule
     * ({@link dev.ferry.kms.RenderDeviceChoice}); a backend with a user's choice applies it there.
     * Null when there are no devices.
     */
    default dev.ferry.kms.RenderDeviceChoice renderDeviceChoice() {
        return devices().map(set -> dev.ferry.kms.RenderDeviceChoice.choose(set.devices(), null)).orElse(null);
    }

    /**
     * Tranches linux-dmabuf's default feedback offers before the main device's own render tranche
     * (nested: the host compositor's, so clients allocate what the host takes as it is); empty
     * for the others.
     */
    default java.util.List<dev.ferry.compositor.dmabuf.PreferredTranche> preferredTranches() { return java.util.List.of(); }

    /**
     * Whether explicit sync (wp_linux_drm_syncobj_v1) may be offered when the main device has
     * syncobjs. Plain nested says no: a passed-through buffer's acquire and release points would
     * have to go to the host too, which is not built.
     */
    default boolean offersExplicitSync() { return true; }

    /** Where this backend records the faults it meets and how it recovered; called once before start. */
    default void attachFaults(dev.ferry.compositor.stats.FaultLog faults) { }

    /**
     * The repaint deadline (kernel clock) for content arriving on the output now: the latest it
     * may be ready to make the next vblank it can reach. For fence deadline hints; 0 when the
     * backend does not know (headless, nested).
     */
    default long repaintDeadlineNs(Output output) { return 0; }

    /**
     * When a frame started now on the output would be presented (kernel clock), for commit
     * timing; 0 when the backend does not know.
     */
    default long nextPresentationNs(Output output) { return 0; }

    /** What the output shows now, as 0xAARRGGBB pixels row by row; called on the event loop. */
    int[] screenshot(Output output);

    @Override
    void close();
}
