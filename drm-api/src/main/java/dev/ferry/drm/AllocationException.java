package dev.ferry.drm;

/** An allocation that could not be satisfied, and why. */
public final class AllocationException extends Exception {
    private final AllocationFailure failure;

    public AllocationException(AllocationFailure failure, String detail) {
        super(failure + ": " + failure.reason() + (detail == null ? "" : " (" + detail + ")"));
        this.failure = failure;
    }

    public AllocationFailure failure() { return failure; }
}
