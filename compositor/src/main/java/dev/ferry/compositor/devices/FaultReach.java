package dev.ferry.compositor.devices;

import dev.ferry.drm.FaultKind;

/**
 * Which of fake-drm's fault kinds a running Ferry gives a chance to fire, and why not the others.
 * A fault asked for (`--faults`, `ferry ctl fault`) that no work of Ferry's can ever reach would
 * sit armed for good while the user waits for it; so such a request is refused, naming why and
 * what reaches the same fault instead. Kept beside what Ferry does with fake-drm: a change there
 * (Ferry migrating buffers, say) must change this too, and {@code FaultReachTest} runs each kind.
 */
public final class FaultReach {
    private FaultReach() {}

    /**
     * Why a fault of this kind asked for while Ferry runs (after its start-up) cannot fire, or null
     * if Ferry's work reaches it.
     */
    public static String whyNeverWhileRunning(FaultKind kind) {
        return switch (kind) {
            case ALLOCATION -> "Ferry allocates its swapchain and copy buffers at start-up only, so an allocation fault asked for"
                    + " now cannot fire; give it at start: --faults allocation@DEVICE:frame=0";
            case FENCE_NEVER_SIGNALS, MIGRATION_TEMPORARY, MIGRATION_PERMANENT -> whyNever(kind);
            default -> null;
        };
    }

    /**
     * Why a fault of this kind, scripted from the device's frame fromFrame or from fromSeconds after
     * start, cannot fire, or null if it can.
     */
    public static String whyNeverScripted(FaultKind kind, long fromFrame, double fromSeconds) {
        if (kind == FaultKind.ALLOCATION && (fromFrame > 0 || fromSeconds > 0)) {
            return "Ferry allocates its swapchain and copy buffers at start-up only (before frame 1), so this can never"
                    + " fire; use frame=0, time=0-T or a rate";
        }
        return whyNever(kind);
    }

    /** Why no Ferry work ever gives this kind a chance, or null if some does. */
    private static String whyNever(FaultKind kind) {
        return switch (kind) {
            case FENCE_NEVER_SIGNALS -> "Ferry's own composition submits no fake GPU jobs (it renders on the CPU or GLES), so"
                    + " fence-never-signals cannot fire in Ferry's devices; a client's fence that never signals is the client's"
                    + " (client video --hang-fence-at N), and Ferry logs it as fence-never-signals when its deadline passes";
            case MIGRATION_TEMPORARY, MIGRATION_PERMANENT -> "Ferry never migrates buffers (a client's buffer stays where the"
                    + " client put it; feedback asks for a better one), so " + FaultSpec.name(kind) + " cannot fire in a"
                    + " running Ferry";
            default -> null;
        };
    }
}
