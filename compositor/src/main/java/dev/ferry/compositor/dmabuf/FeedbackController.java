package dev.ferry.compositor.dmabuf;

import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.path.PathObserver;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;
import dev.ferry.protocol.server.Resource;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Per-surface dma-buf feedback, driven by what the backend reports each frame (Weston's policy,
 * with Ferry's hysteresis on the monotonic clock rather than on repaints).
 *
 * <p>Verdict per frame: on direct scanout or an overlay plane, keep what was sent. A composed
 * surface the backend says an overlay plane would show with a buffer allocated for it wants a
 * scanout tranche with that plane's formats (target = the plane's device). Otherwise look at the
 * reasons the surface missed scanout: if there are some and every one could be fixed by reallocating
 * ({@link FallbackReason#fixableByReallocation()}), the surface wants a scanout tranche for that
 * output (target = the output's KMS device, formats = its plane formats that are in the table);
 * if any is structural, it wants the default feedback. Reasons that are not about scanout are
 * left out of the verdict: fence timing (FENCE_PENDING, FENCE_TIMEOUT say nothing about the
 * buffer's allocation) and composition misses (RENDERER_IMPORT_FAILED, NO_RENDER_DEVICE,
 * CPU_UNREADABLE concern the render path, which the render tranche already describes).
 *
 * <p>A wanted change is sent only once it has been wanted continuously for the hysteresis,
 * measured on the clock (a timer fires when it is due even if no frame comes); a contrary
 * verdict in between restarts the wait. Identical parameters are never re-sent.
 */
public final class FeedbackController implements PathObserver {
    public static final long DEFAULT_HYSTERESIS_NS = 1_000_000_000L;

    /** Arms a one-shot wake-up at an absolute time on the controller's clock (an event-loop timer). */
    public interface Scheduler {
        void wakeAt(long deadlineNs, Runnable action);
    }

    /**
     * What a surface's feedback objects were last sent, for statistics: the batch, when it was
     * sent (clock ns, 0 for the initial default), how many changes, and the time from the latest
     * change that added a scanout tranche to the first frame on a plane (primary or overlay) after it (-1 while
     * that frame has not come, or before any such change).
     */
    public record SurfaceFeedback(DmabufFeedback current, long changedAtNs, int changes, long changeToScanoutNs) {
        public boolean hasScanoutTranche() { return current.hasScanoutTranche(); }
    }

    private final FormatTableFile table;
    private final long mainDevT;
    private final DmabufFeedback defaults;
    private final LongSupplier clock;
    private final long hysteresisNs;
    private final Scheduler scheduler;
    private final Map<Surface, State> states = new IdentityHashMap<>();
    private long batchesSent;

    private static final class State {
        final List<Resource> feedbacks = new ArrayList<>(1);
        DmabufFeedback sent;
        DmabufFeedback wanted;
        long wantedSinceNs;
        long changedAtNs;
        int changes;
        /** -1 until the first scanout frame after the last change that added a scanout tranche. */
        long changeToScanoutNs = -1;
        boolean awaitingScanout;
    }

    public FeedbackController(FormatTableFile table, long mainDevT, LongSupplier clock, long hysteresisNs,
                              Scheduler scheduler) {
        this(table, mainDevT, List.of(), clock, hysteresisNs, scheduler);
    }

    /**
     * With tranches offered before the main device's render tranche in the default feedback
     * (nested: the host's), each cut to the pairs the table has; one left empty is left out.
     */
    public FeedbackController(FormatTableFile table, long mainDevT, List<PreferredTranche> preferred, LongSupplier clock,
                              long hysteresisNs, Scheduler scheduler) {
        this.table = table;
        this.mainDevT = mainDevT;
        this.defaults = DmabufFeedback.preferredThenRender(mainDevT, preferred, table);
        this.clock = clock;
        this.hysteresisNs = hysteresisNs;
        this.scheduler = scheduler;
    }

    public DmabufFeedback defaultFeedback() { return defaults; }

    public long hysteresisNs() { return hysteresisNs; }

    /** A new get_surface_feedback object: sent the table and the surface's current feedback. */
    void addSurfaceFeedback(Surface surface, Resource feedback) {
        State s = states.computeIfAbsent(surface, k -> {
            State n = new State();
            n.sent = defaults;
            return n;
        });
        s.feedbacks.add(feedback);
        s.sent.sendTo(feedback, table, true);
        batchesSent++;
    }

    /** The feedback object was destroyed (request, or its client left). */
    void removeSurfaceFeedback(Surface surface, Resource feedback) {
        State s = states.get(surface);
        if (s == null) return;
        s.feedbacks.remove(feedback);
        if (s.feedbacks.isEmpty()) {
            states.remove(surface);
            feedbackEnded.accept(surface, s.sent);
        }
    }

    /**
     * Told, on the loop, what a surface was last sent when its last feedback object goes (the
     * statistics keep the advice it implies for after the surface is gone).
     */
    public void onFeedbackEnded(java.util.function.BiConsumer<Surface, DmabufFeedback> listener) {
        feedbackEnded = listener;
    }

    private java.util.function.BiConsumer<Surface, DmabufFeedback> feedbackEnded = (s, f) -> { };

    @Override
    public void surfacePresented(Output output, Surface surface, PathKind path, Set<FallbackReason> reasons, long presentNs) {
        surfacePresented(output, surface, path, reasons, null, presentNs);
    }

    @Override
    public void surfacePresented(Output output, Surface surface, PathKind path, Set<FallbackReason> reasons,
                                 Output.ScanoutTarget overlay, long presentNs) {
        State s = states.get(surface);
        if (s == null) return;
        long now = clock.getAsLong();
        // On a plane (or nested, on the host as it is), the buffer already is what the display
        // takes: keep the feedback that got it there.
        if (path == PathKind.DIRECT_SCANOUT || path == PathKind.OVERLAY_PLANE || path == PathKind.HOST_PASSTHROUGH) {
            if (s.awaitingScanout) {
                s.awaitingScanout = false;
                s.changeToScanoutNs = now - s.changedAtNs;
            }
            want(s, s.sent, now);
            return;
        }
        Output.ScanoutTarget outputDevice = output.scanoutTarget();
        if (reasons.contains(FallbackReason.OUTPUT_GPU_UNREACHABLE) && outputDevice != null) {
            // No single GPU can compose this output while this buffer lives where the output's
            // GPU cannot read it: ask for buffers on that GPU, which then composes locally.
            want(s, DmabufFeedback.renderOn(mainDevT, outputDevice.devT(), table), now);
            return;
        }
        if (overlay != null) {
            // A windowed surface an overlay would show with a buffer allocated for it (the
            // planner found every other check passed): the overlay's formats, on its device.
            int[] idx = table.indicesIn(overlay.planeFormats());
            if (idx.length > 0) {
                want(s, DmabufFeedback.scanoutThenRender(mainDevT, overlay.devT(), idx, table), now);
                return;
            }
        }
        int verdict = verdict(reasons);
        if (verdict == NO_VERDICT) return;
        // A structural miss keeps a render tranche that moved the buffer to the output's GPU
        // (going back would make the output uncomposable again); it drops a scanout tranche.
        if (verdict == STRUCTURAL && s.sent != null && s.sent.rendersElsewhere()) {
            want(s, s.sent, now);
            return;
        }
        DmabufFeedback wanted = defaults;
        if (verdict == FIXABLE) {
            Output.ScanoutTarget target = output.scanoutTarget();
            if (target != null) {
                int[] idx = table.indicesIn(target.planeFormats());
                if (idx.length > 0) wanted = DmabufFeedback.scanoutThenRender(mainDevT, target.devT(), idx, table);
            }
        }
        want(s, wanted, now);
    }

    private static final int NO_VERDICT = 0, FIXABLE = 1, STRUCTURAL = 2;

    private static int verdict(Set<FallbackReason> reasons) {
        int v = NO_VERDICT;
        for (FallbackReason r : reasons) {
            switch (r) {
                case FENCE_PENDING, FENCE_TIMEOUT, HOST_BUFFER_PENDING, RENDERER_IMPORT_FAILED, NO_RENDER_DEVICE, CPU_UNREADABLE,
                     FRAME_SHARED_WITH_CPU_COPY, OUTPUT_GPU_UNREACHABLE -> { }
                default -> {
                    if (!r.fixableByReallocation()) return STRUCTURAL;
                    v = FIXABLE;
                }
            }
        }
        return v;
    }

    private void want(State s, DmabufFeedback wanted, long now) {
        // Kept as sent (every frame on a plane): no need to compare the tranches.
        if (wanted == s.sent || wanted.equals(s.sent)) {
            s.wanted = null;
            return;
        }
        if (!wanted.equals(s.wanted)) {
            s.wanted = wanted;
            s.wantedSinceNs = now;
            if (hysteresisNs > 0) {
                long due = now + hysteresisNs;
                scheduler.wakeAt(due, this::checkDue);
                return;
            }
        }
        if (now - s.wantedSinceNs >= hysteresisNs) send(s, now);
    }

    /** Sends every wanted change whose hysteresis has passed (the timer's action). */
    public void checkDue() {
        long now = clock.getAsLong();
        long next = Long.MAX_VALUE;
        for (State s : List.copyOf(states.values())) {
            if (s.wanted == null) continue;
            if (now - s.wantedSinceNs >= hysteresisNs) send(s, now);
            else next = Math.min(next, s.wantedSinceNs + hysteresisNs);
        }
        if (next != Long.MAX_VALUE) scheduler.wakeAt(next, this::checkDue);
    }

    private void send(State s, long now) {
        DmabufFeedback next = s.wanted;
        s.wanted = null;
        if (next == null || next.equals(s.sent)) return;
        s.sent = next;
        s.changedAtNs = now;
        s.changes++;
        s.awaitingScanout = next.hasScanoutTranche();
        if (s.awaitingScanout) s.changeToScanoutNs = -1;
        for (Resource r : s.feedbacks) {
            next.sendTo(r, table, false);
            batchesSent++;
        }
    }

    // ---- read-only statistics API ----

    /** What the surface's feedback objects were last sent, or null if it has none. */
    public SurfaceFeedback feedbackOf(Surface surface) {
        State s = states.get(surface);
        if (s == null) return null;
        return new SurfaceFeedback(s.sent, s.changedAtNs, s.changes, s.changeToScanoutNs);
    }

    /** Every surface with a feedback object, and what it was last sent. */
    public Map<Surface, SurfaceFeedback> all() {
        Map<Surface, SurfaceFeedback> out = new IdentityHashMap<>();
        for (Surface s : states.keySet()) out.put(s, feedbackOf(s));
        return out;
    }

    /** Feedback batches sent to per-surface objects since start (each one a real change or a first send). */
    public long batchesSent() { return batchesSent; }
}
