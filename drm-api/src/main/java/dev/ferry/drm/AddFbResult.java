package dev.ferry.drm;

/** A framebuffer id (non-zero) or why there is none. */
public record AddFbResult(int fbId, AddFbRejection rejection, String detail) {
    static AddFbResult ok(int fbId) {
        return new AddFbResult(fbId, null, null);
    }

    static AddFbResult rejected(AddFbRejection r, String detail) {
        return new AddFbResult(0, r, detail);
    }

    public boolean ok() { return fbId != 0; }
}
