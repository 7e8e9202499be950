package dev.ferry.renderer;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Capability: draw a scene into a target and read the pixels back into the target's memory. */
public interface Composer {
    /**
     * Redraws {@code target.damage()} from {@code surfaces} (bottom to top). The future
     * completes when the target memory holds the frame, or with a failure that left it
     * untouched. The caller keeps the target memory and every surface's source memory valid,
     * and the lists unchanged, until then.
     */
    CompletableFuture<FrameResult> compose(List<SceneSurface> surfaces, RenderTarget target);

    /**
     * Brings the memory of a {@link RenderTarget#readBackOnDemand} target up to date with the
     * frames composed into it so far (after any compose queued before), reading only what they
     * redrew since the last read-back. Renderers that write the memory itself do nothing.
     */
    default CompletableFuture<Void> readBack(RenderTarget target) {
        return CompletableFuture.completedFuture(null);
    }
}
