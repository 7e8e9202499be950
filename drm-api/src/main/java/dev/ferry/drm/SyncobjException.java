package dev.ferry.drm;

/** A refused syncobj operation, with its named rejection. */
public final class SyncobjException extends Exception {
    private final SyncobjRejection rejection;

    public SyncobjException(SyncobjRejection rejection, String detail) {
        super(rejection.name() + ": " + rejection.reason() + (detail == null ? "" : " (" + detail + ")"));
        this.rejection = rejection;
    }

    public SyncobjRejection rejection() { return rejection; }
}
