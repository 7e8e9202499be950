package dev.ferry.compositor.frame;

import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.path.PathObserver;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;
import dev.ferry.protocol.interfaces.WpPresentationFeedback;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What one output tells its surfaces when a frame reaches the screen, or never will: the
 * wl_surface leave for what it no longer shows and enter for what it now does, presentation
 * feedback (zero-copy for a surface on a plane), the path observers (statistics, dma-buf
 * feedback) and the frame callbacks of surfaces nothing showed. Written once for every
 * backend: the kms driver and the headless and nested {@link OutputPainter} hand it their frames.
 */
public final class FramePresentation {
    /** Per surface of a presented frame: the path it took and why cheaper ones were missed. */
    public interface Paths {
        PathKind path(Surface s);

        /** Every reason a cheaper path was missed; may be empty, never null. */
        Set<FallbackReason> reasons(Surface s);

        /** The overlay that would show this composed surface with a buffer allocated for it, or null (see {@link PathObserver}). */
        default Output.ScanoutTarget overlayFit(Surface s) { return null; }
    }

    private final Output output;
    private final Scene scene;
    private final List<Surface> lastShown = new ArrayList<>();
    /** The reasons handed to observers: a copy, so that none of them can change the frame's own. */
    private final Set<FallbackReason> scratch = EnumSet.noneOf(FallbackReason.class);

    public FramePresentation(Output output, Scene scene) {
        this.output = output;
        this.scene = scene;
    }

    /**
     * The frame showing these surfaces was presented at timeNs (vblank sequence).
     *
     * @param flags the wp_presentation kind flags of every surface in it; zero-copy is added for
     *              surfaces on a plane
     * @param device what did the frame's work (see {@link PathObserver#outputPresented})
     */
    public void presented(List<Surface> shown, Paths paths, PathKind framePath, String device, int flags,
                          long timeNs, long sequence, PathObserver observer) {
        presented(shown, java.util.Set.of(), paths, framePath, device, flags, timeNs, sequence, observer);
    }

    /**
     * As above, with surfaces the backend shows on the output by itself (a nested Ferry's host
     * subsurfaces): they enter the output and do not leave it, but their presentation is the
     * backend's to tell, when its own display presents them.
     */
    public void presented(List<Surface> shown, java.util.Collection<Surface> elsewhere, Paths paths, PathKind framePath, String device,
                          int flags, long timeNs, long sequence, PathObserver observer) {
        for (int i = 0; i < lastShown.size(); i++) {
            Surface s = lastShown.get(i);
            if (!shown.contains(s) && !elsewhere.contains(s) && !s.destroyed()) s.leaveOutput(output);
        }
        lastShown.clear();
        for (int i = 0; i < shown.size(); i++) lastShown.add(shown.get(i));  // addAll would copy to an array first
        if (!elsewhere.isEmpty()) {
            for (Surface s : elsewhere) {
                lastShown.add(s);
                if (!s.destroyed()) s.enterOutput(output);
            }
        }
        for (int i = 0; i < shown.size(); i++) {
            Surface s = shown.get(i);
            if (s.destroyed()) continue;
            PathKind path = paths.path(s);
            s.enterOutput(output);
            s.presented(output, timeNs, output.refreshNs(), sequence,
                    flags | (path == PathKind.DIRECT_SCANOUT || path == PathKind.OVERLAY_PLANE ? WpPresentationFeedback.KIND_ZERO_COPY : 0));
            scratch.clear();
            scratch.addAll(paths.reasons(s));
            if (observer != null) observer.surfacePresented(output, s, path, scratch, paths.overlayFit(s), timeNs);
        }
        if (observer != null) observer.outputPresented(output, framePath, device, timeNs);
        answerUnshown(timeNs);
    }

    /** A frame that will never be shown: its surfaces' callbacks are answered anyway, at nowNs. */
    public void dropped(List<Surface> surfaces, long nowNs) {
        for (int i = 0; i < surfaces.size(); i++) {
            Surface s = surfaces.get(i);
            if (!s.destroyed()) s.frameDropped(nowNs);
        }
    }

    /** Surfaces that asked for a frame callback and that no frame showed are answered at this refresh. */
    public void answerUnshown(long timeNs) {
        for (Surface s : scene.takeUnshownWithCallbacks()) if (!s.destroyed()) s.throttledDone(timeNs);
    }
}
