package dev.ferry.drm;

/**
 * The answer to an import: a handle (the caller owns it and closes it) or a rejection with a
 * detail line naming the values that failed the rule.
 */
public record ImportResult(BufferHandle handle, ImportRejection rejection, String detail) {
    public static ImportResult ok(BufferHandle handle) {
        return new ImportResult(handle, null, null);
    }

    public static ImportResult rejected(ImportRejection rejection, String detail) {
        return new ImportResult(null, rejection, detail);
    }

    public boolean ok() { return handle != null; }

    @Override
    public String toString() {
        return ok() ? "imported " + handle : "rejected " + rejection + ": " + detail;
    }
}
