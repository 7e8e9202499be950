package dev.ferry.compositor.plan;

import dev.ferry.drm.Plane;
import dev.ferry.kms.FallbackReason;

/**
 * What KMS said before about a buffer on a plane (a refused TEST_ONLY commit, a failed flip,
 * an import or ADDFB2 failure): the planner does not offer that pair again, so a refusal costs
 * one test commit, not one per frame.
 */
@FunctionalInterface
public interface PlaneRejections {
    /** Why this buffer was refused on this plane, or null when it was not. */
    FallbackReason rejected(Object buffer, Plane plane);

    PlaneRejections NONE = (buffer, plane) -> null;
}
