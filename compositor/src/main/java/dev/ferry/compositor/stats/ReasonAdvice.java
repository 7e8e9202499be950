package dev.ferry.compositor.stats;

import dev.ferry.kms.FallbackReason;

/**
 * What would put a surface back on the cheaper path, for each fallback reason: the "what to do"
 * of `ferry top` and the report, beside the reason's description and category. A reason a
 * reallocation could fix names the allocation when the surface's current dma-buf feedback gives
 * one ("allocate XRGB8888 LINEAR on card1"); structural reasons say what the client or user would
 * change; hardware reasons say that nothing in the client would; faults point at the fault log.
 */
public final class ReasonAdvice {
    private ReasonAdvice() {}

    /**
     * A buffer the surface could allocate instead: its feedback's first (preferred) tranche,
     * the surface's own format if that tranche has it.
     *
     * @param scanout whether that tranche is a scanout tranche (the display device itself)
     */
    public record Allocation(String format, String modifier, String device, boolean scanout) {
        @Override
        public String toString() {
            return format + " " + modifier + " on " + device;
        }
    }

    /** What to do about reason; allocation may be null (no feedback known). */
    public static String whatToDo(FallbackReason reason, Allocation allocation) {
        String allocate = allocation == null ? null : "allocate " + allocation
                + (allocation.scanout() ? " (its feedback's scanout tranche)" : " (its feedback's first tranche)");
        return switch (reason) {
            case NOT_FULLSCREEN -> "make the window fullscreen, or exactly cover an overlay plane's area";
            case OCCLUDED -> "raise the window, or move what covers it";
            case TRANSLUCENT -> "use an opaque format (XRGB8888) or set an opaque region over the whole surface";
            case TRANSFORMED -> "don't rotate or flip the buffer (buffer transform normal)";
            case SCALED -> "draw at the size shown: no viewport crop or scale";
            case SHM_BUFFER -> "draw into linux-dmabuf buffers instead of wl_shm";
            // The pool is the client's own file: a wl_shm client fixes it there, with no dma-buf
            // allocation, so these two never name the feedback's.
            case SHM_UNSEALED -> "seal the wl_shm pool's memfd against shrinking (memfd_create with MFD_ALLOW_SEALING, then"
                    + " F_ADD_SEALS F_SEAL_SHRINK), as libwayland's clients do";
            case SHM_PAGES_PAST_POOL -> "start each wl_shm buffer inside its pool file and keep its last page inside it too"
                    + " (size the pool file to cover the buffers' whole pages)";
            case TOO_BIG -> "draw no larger than the plane's maximum size";
            case NO_FREE_PLANE -> "nothing in the client: every plane that could show it is taken (fewer windows updating at once frees one)";
            case SCANOUT_DISABLED -> "turn direct scanout back on";
            case CURSOR_OR_SUBSURFACE -> "draw into one surface: its subsurfaces make the compositor compose it";
            case NOT_UPDATING -> "nothing to do: a window updating this rarely is cheaper composed; at video rate it goes back on a plane";
            case PAST_OUTPUT_EDGE -> "keep the window inside the output (nested: inside the host window)";
            case HOST_CANNOT_TAKE_BUFFER -> "draw into wl_shm buffers (or dma-bufs, when the host has linux-dmabuf), which nested Ferry hands to the host as they are";
            case HOST_BUFFER_PENDING -> "nothing to do: the host answers a new buffer's import within a frame or two; keep reusing buffers";
            case HOST_REFUSED_BUFFER -> or(allocate, "allocate as the surface's dma-buf feedback suggests (its first tranche is the host's)");
            case HOST_LACKS_FORMAT -> or(allocate, "draw in a format the host compositor's wl_shm advertises (XRGB8888 or ARGB8888 always are)");
            case HOST_SUBSURFACE_LIMIT -> "nothing in the client: the host subsurfaces of this output are taken (fewer windows updating at once frees one)";
            case FORMAT_NOT_ON_PLANE -> or(allocate, "allocate a format the display's planes take (see the surface's dma-buf feedback)");
            case MODIFIER_NOT_ON_PLANE -> or(allocate, "allocate with a modifier the plane takes (see the surface's dma-buf feedback)");
            case IMPLICIT_MODIFIER -> or(allocate, "allocate with an explicit modifier, not INVALID");
            case IMPORT_FAILED, ADDFB_FAILED, TEST_COMMIT_REJECTED, REJECTED_BEFORE ->
                    or(allocate, "allocate as the surface's dma-buf feedback suggests");
            // A wl_shm client (no feedback to name an allocation) fixes it in its own buffers' layout.
            case PITCH_NOT_ALIGNED -> or(allocate, "pad each row of the buffer (its stride) to the display's pitch alignment:"
                    + " a multiple of 256 bytes suits every display");
            // Without feedback this is mostly a wl_shm buffer (the demo's on hybrid-laptop's dGPU output):
            // its system memory is what the display cannot scan out, so no pool of its own would do.
            case MEMORY_NOT_SCANNABLE -> or(allocate, "allocate in memory the display scans out of (see the dma-buf feedback);"
                    + " a wl_shm buffer is CPU memory this display does not scan out: draw into dma-bufs");
            case FLIP_FAILED -> "attach a new buffer; if flips keep failing, see the faults";
            case RENDERER_IMPORT_FAILED -> or(allocate, "allocate where the render GPU can read (see the dma-buf feedback)");
            case NO_RENDER_DEVICE -> "nothing in the client: no GPU reaches this output";
            case CPU_UNREADABLE -> or(allocate, "allocate in memory a GPU or the CPU can reach");
            case FRAME_SHARED_WITH_CPU_COPY -> "nothing in this client: another surface on the output needs the system-RAM copy; fix that one";
            case OUTPUT_GPU_UNREACHABLE -> or(allocate, "allocate where the output's own GPU can read");
            case FENCE_PENDING -> "finish rendering earlier: the buffer's fence signals after the frame's deadline";
            case FENCE_TIMEOUT -> "the client's GPU work did not finish before the deadline: see the faults";
            case RENDERER_LOST -> "nothing in the client: the renderer's GPU was lost (see the faults); frames go the next cheapest way";
            default -> switch (reason.category()) {
                case REALLOCATION -> or(allocate, "allocate as the surface's dma-buf feedback suggests");
                case STRUCTURAL -> "change the window (size, position, stacking) or its buffer's properties";
                case HARDWARE -> "nothing in the client: the hardware cannot do it";
                case FAULT -> "see the faults";
                case TIMING -> "deliver the buffer earlier";
            };
        };
    }

    private static String or(String specific, String generic) {
        return specific != null ? specific : generic;
    }

    /** The reason whose statistics label this is, or null for a label this build does not know. */
    public static FallbackReason byLabel(String label) {
        for (FallbackReason r : FallbackReason.values()) if (r.label().equals(label)) return r;
        return null;
    }
}
