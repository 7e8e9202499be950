package dev.ferry.compositor.backend.kms;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.kms.FallbackReason;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * What the output's TEST_ONLY commits said about client buffers on its overlay planes, per
 * (buffer, overlay index): a pair that passed is not tested again (the plane, buffer and
 * rectangles are what the test covered; only the rectangles may move, and a flip that fails
 * rejects the pair), a refused pair is not offered again until the client destroys the buffer.
 */
final class PlaneVerdicts {
    /** Bit k: passed / refused on overlay k. */
    private static final class Verdict {
        long passed;
        long refused;
        FallbackReason why;
    }

    private final Map<ClientBuffer, Verdict> verdicts = new IdentityHashMap<>();

    boolean passed(ClientBuffer b, int overlay) {
        Verdict v = verdicts.get(b);
        return v != null && (v.passed & (1L << overlay)) != 0;
    }

    /** Why this pair was refused, or null. */
    FallbackReason refused(ClientBuffer b, int overlay) {
        Verdict v = verdicts.get(b);
        return v != null && (v.refused & (1L << overlay)) != 0 ? v.why : null;
    }

    void pass(ClientBuffer b, int overlay) {
        verdicts.computeIfAbsent(b, k -> new Verdict()).passed |= 1L << overlay;
    }

    void refuse(ClientBuffer b, int overlay, FallbackReason why) {
        Verdict v = verdicts.computeIfAbsent(b, k -> new Verdict());
        v.refused |= 1L << overlay;
        v.passed &= ~(1L << overlay);
        v.why = why;
    }

    void forget(ClientBuffer b) {
        verdicts.remove(b);
    }
}
