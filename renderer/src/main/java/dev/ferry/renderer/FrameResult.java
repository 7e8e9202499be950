package dev.ferry.renderer;

/** The outcome of one compose. */
public sealed interface FrameResult {
    /** The target's damaged pixels now hold the frame. {@code rectsDrawn} counts damage rectangles redrawn. */
    record Composed(int rectsDrawn, int surfaceDraws) implements FrameResult {}

    /** Nothing in the target changed. */
    record Failed(FrameFailure reason, String detail) implements FrameResult {}

    default boolean isComposed() {
        return this instanceof Composed;
    }
}
