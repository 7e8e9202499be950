package dev.ferry.drm;

/**
 * The answer of {@link UdmabufDevice#create}: a dma-buf the caller owns and closes, or a refusal with a
 * detail line naming the values that failed the rule.
 */
public record UdmabufResult(DmaBuf buffer, UdmabufRefusal refusal, String detail) {
    public static UdmabufResult ok(DmaBuf buffer) {
        return new UdmabufResult(buffer, null, null);
    }

    public static UdmabufResult refused(UdmabufRefusal refusal, String detail) {
        return new UdmabufResult(null, refusal, detail);
    }

    public boolean ok() { return buffer != null; }

    @Override
    public String toString() {
        return ok() ? "udmabuf " + buffer : "refused " + refusal + ": " + detail;
    }
}
