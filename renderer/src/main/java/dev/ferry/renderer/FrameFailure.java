package dev.ferry.renderer;

/** Why a frame was not composed. A failed frame leaves the target exactly as it was. */
public enum FrameFailure {
    /** A texture in the scene is closed or belongs to another renderer. */
    TEXTURE_INVALID,
    /** The target's format, size, stride or memory is unusable. */
    TARGET_INVALID,
    /** The GPU context is lost. */
    CONTEXT_LOST,
    /** The GPU reported an error while drawing. */
    GPU_ERROR,
    /** Reading the client's memory failed (unmapped, closed arena). */
    SOURCE_UNREADABLE,
    /** The render thread's bounded command queue is full. */
    QUEUE_FULL,
    /** The renderer has been closed. */
    RENDERER_CLOSED
}
