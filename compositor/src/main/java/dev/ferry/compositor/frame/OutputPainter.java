package dev.ferry.compositor.frame;

import dev.ferry.compositor.core.RectSet;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.compositor.stats.OutputStats;
import dev.ferry.protocol.interfaces.WpPresentationFeedback;
import dev.ferry.protocol.loop.EventLoop;
import dev.ferry.renderer.FrameResult;
import dev.ferry.renderer.Renderer;
import dev.ferry.renderer.RenderTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Repaints one output by composition: at each vblank the backend hands it, it collects the
 * scene, has the renderer draw the damaged part into the backend's target, and when the frame
 * is done tells every surface it showed (frame callbacks, presentation feedback, enter/leave).
 * One frame in flight at a time; damage that arrives meanwhile waits for the next vblank.
 */
public final class OutputPainter {
    private static final Logger LOG = LoggerFactory.getLogger(OutputPainter.class);

    /** Where frames go: the backend's side of an output. */
    public interface FrameSink {
        /** Asks for {@link OutputPainter#paint} at the next vblank. */
        void requestFrame();

        /** The buffer to draw into; its damage is added by the painter. */
        RenderTarget target();

        /** The frame in target() is complete and on screen at timeNs. */
        default void presented(long timeNs) {}
    }

    private final Output output;
    private final Scene scene;
    private final Renderer renderer;
    private final EventLoop loop;
    private final FrameSink sink;
    private final OutputStats stats = new OutputStats();
    private final dev.ferry.kms.PathKind kind;
    private final FramePresentation presentation;
    /** No planes to scan out to here: composition is the only path, and no cheaper one was missed. */
    private final FramePresentation.Paths paths;
    private dev.ferry.compositor.path.PathObserver observer;
    private final java.util.Set<dev.ferry.kms.FallbackReason> none = java.util.Collections.unmodifiableSet(java.util.EnumSet.noneOf(dev.ferry.kms.FallbackReason.class));
    private boolean requested;
    private boolean inFlight;

    public OutputPainter(Output output, Scene scene, Renderer renderer, EventLoop loop, FrameSink sink) {
        this.output = output;
        this.scene = scene;
        this.renderer = renderer;
        this.loop = loop;
        this.sink = sink;
        // One vocabulary with kms: a GPU API composed it, or the CPU copied it through system RAM.
        this.kind = renderer.composesOnGpu() ? dev.ferry.kms.PathKind.GPU_COMPOSITION : dev.ferry.kms.PathKind.CPU_COPY;
        this.presentation = new FramePresentation(output, scene);
        this.paths = new FramePresentation.Paths() {
            @Override public dev.ferry.kms.PathKind path(Surface s) { return kind; }
            @Override public java.util.Set<dev.ferry.kms.FallbackReason> reasons(Surface s) { return none; }
        };
    }

    public Output output() { return output; }

    /** Who hears which path each surface took (statistics, feedback). */
    public void setObserver(dev.ferry.compositor.path.PathObserver observer) {
        this.observer = observer;
    }
    public OutputStats stats() { return stats; }
    public boolean inFlight() { return inFlight; }

    /** Something changed on this output: a frame at the next vblank. */
    public void schedule() {
        if (requested) return;
        requested = true;
        if (!inFlight) sink.requestFrame();
    }

    /** Called by the backend at a vblank. */
    public void paint(long vblankNs, long sequence) {
        paint(vblankNs, sequence, FrameClaims.NONE);
    }

    /**
     * Called by the backend at a vblank, with what its sink shows itself this frame: those
     * surfaces are left out of the composition, and their callbacks are the sink's to answer.
     */
    public void paint(long vblankNs, long sequence, FrameClaims claims) {
        requested = false;
        if (inFlight) {
            requested = true;
            return;
        }
        List<Scene.Placed> visible = scene.visibleOn(output);
        if (!output.hasDamage() && stats.frames() > 0 && !claims.changed() && !scene.frameOwed(visible)) return;
        inFlight = true;
        List<Scene.Placed> composed = visible;
        if (!claims.claimed().isEmpty()) {
            composed = new ArrayList<>(visible.size());
            for (Scene.Placed p : visible) if (!claims.isClaimed(p.surface())) composed.add(p);
        }
        long startNs = loop.nowNs();
        RectSet damage = output.takeDamage();
        RenderTarget target = sink.target().withDamage(damage.toRegion());
        FrameContent.collect(composed, output, renderer, loop::execute)
                .thenCompose(frame -> renderer.compose(frame.sceneSurfaces(), target)
                        .handle((result, error) -> new Object[] {frame, result, error}))
                .whenComplete((done, error) -> loop.execute(() -> {
                    if (done == null) finish(null, null, error, vblankNs, sequence, startNs, damage, claims);
                    else finish((FrameContent) done[0], (FrameResult) done[1], (Throwable) done[2], vblankNs, sequence, startNs, damage, claims);
                }));
    }

    private void finish(FrameContent frame, FrameResult result, Throwable error, long vblankNs, long sequence,
                        long startNs, RectSet damage, FrameClaims claims) {
        inFlight = false;
        long composeNs = loop.nowNs() - startNs;
        boolean ok = frame != null && error == null && result instanceof FrameResult.Composed;
        if (!ok) {
            stats.frameFailed();
            LOG.warn("frame on {} failed: {}", output.name(), error != null ? error.toString() : result);
            // The target was left as it was; redraw everything next time.
            output.damageAll();
            if (frame != null) frame.release();
            requested = true;
            presentation.answerUnshown(vblankNs);
        } else {
            // Nothing composed and something handed on: the frame is the sink's alone.
            dev.ferry.kms.PathKind framePath = damage.isEmpty() && !claims.claimed().isEmpty()
                    ? dev.ferry.kms.PathKind.HOST_PASSTHROUGH : kind;
            stats.framePresented(framePath.label(), composeNs, vblankNs, damage.area() * 4);
            sink.presented(vblankNs);
            FramePresentation.Paths composedPaths = claims.reasons().isEmpty() ? paths : new FramePresentation.Paths() {
                @Override public dev.ferry.kms.PathKind path(Surface s) { return kind; }
                // Composed, and why the sink did not take it (nested: why not host-passthrough).
                @Override public java.util.Set<dev.ferry.kms.FallbackReason> reasons(Surface s) { return claims.reasonsFor(s, none); }
            };
            // The CPU is known to have done a CPU frame; which GPU a headless GLES frame ran on is not.
            // The sink's own surfaces are on the output too, but it tells them when its display presents them.
            presentation.presented(frame.shown(), claims.claimed(), composedPaths, framePath, framePath == dev.ferry.kms.PathKind.CPU_COPY
                    ? dev.ferry.compositor.path.PathObserver.CPU : null, WpPresentationFeedback.KIND_VSYNC, vblankNs, sequence, observer);
            for (String why : frame.skipped()) LOG.debug("{}: left out of the frame: {}", output.name(), why);
            frame.release();
        }
        if (requested || output.hasDamage()) {
            requested = true;
            sink.requestFrame();
        }
    }
}
