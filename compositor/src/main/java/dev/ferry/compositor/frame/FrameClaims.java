package dev.ferry.compositor.frame;

import dev.ferry.compositor.core.Surface;
import dev.ferry.kms.FallbackReason;

import java.util.Map;
import java.util.Set;

/**
 * What a frame sink shows itself, off composition (a nested Ferry's host subsurfaces), and why
 * each other surface of the frame is composed. The painter composes the rest and leaves the
 * claimed surfaces' callbacks and statistics to the sink, which answers them when its own
 * display presents them.
 *
 * @param claimed what the sink shows itself
 * @param reasons for a composed surface, why the sink did not take it (no entry: no reason)
 * @param changed whether what the sink shows changed since its last frame (a new buffer, a move):
 *                then a frame goes out even with nothing to compose
 */
public record FrameClaims(Set<Surface> claimed, Map<Surface, Set<FallbackReason>> reasons, boolean changed) {
    public static final FrameClaims NONE = new FrameClaims(Set.of(), Map.of(), false);

    public boolean isClaimed(Surface s) {
        return !claimed.isEmpty() && claimed.contains(s);
    }

    /** Why s is composed: the caller must not change the set. */
    public Set<FallbackReason> reasonsFor(Surface s, Set<FallbackReason> none) {
        Set<FallbackReason> r = reasons.get(s);
        return r == null ? none : r;
    }
}
