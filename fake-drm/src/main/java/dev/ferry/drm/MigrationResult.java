package dev.ferry.drm;

/**
 * The outcome of moving a buffer to another memory domain: a new buffer (the caller owns it;
 * the old one is untouched) or a failure. Migration is best effort: nothing may depend on it.
 */
public record MigrationResult(DmaBuf moved, Failure failure) {
    public enum Failure {
        /** Failed now; trying again later may work. */
        TEMPORARY,
        /** This buffer will never move. */
        PERMANENT,
        /** This device did not export the buffer, or cannot allocate in the target domain. */
        NOT_POSSIBLE
    }

    public boolean ok() { return moved != null; }
}
