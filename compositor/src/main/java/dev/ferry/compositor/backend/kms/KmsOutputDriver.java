package dev.ferry.compositor.backend.kms;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.compositor.core.RectSet;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.frame.FrameContent;
import dev.ferry.compositor.frame.FramePresentation;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.path.PathObserver;
import dev.ferry.compositor.plan.FramePlan;
import dev.ferry.compositor.plan.FramePlanner;
import dev.ferry.compositor.plan.PlanSurface;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.compositor.stats.FaultLog;
import dev.ferry.compositor.stats.OutputStats;
import dev.ferry.drm.CpuMapping;
import dev.ferry.drm.Plane;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.kms.CopyMode;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.FlipPacer;
import dev.ferry.kms.KmsPipe;
import dev.ferry.kms.PathKind;
import dev.ferry.kms.RepaintSchedule;
import dev.ferry.kms.ScanoutCache;
import dev.ferry.kms.Swapchain;
import dev.ferry.protocol.interfaces.WpPresentationFeedback;
import dev.ferry.protocol.loop.EventLoop;
import dev.ferry.renderer.FrameResult;
import dev.ferry.renderer.Renderer;
import dev.ferry.renderer.RenderTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Drives one KMS output through the path chain, frame by frame:
 * <ol>
 * <li>direct scanout of the topmost surface when it covers the output, is opaque, untransformed
 *     and a dma-buf the primary plane takes (import, ADDFB2 and a TEST_ONLY commit, cached per
 *     buffer);
 * <li>otherwise GPU composition into a swapchain on the display device;
 * <li>otherwise, when the render device cannot reach a buffer, a system-RAM copy: the CPU reads
 *     it (bracketed) and composes.
 * </ol>
 * Each frame records, per surface, the path and every reason a cheaper one was missed. Repaint
 * is paced by page-flip completion; one flip in flight at a time; a flip that never completes
 * is given up after a bound, never waited on forever.
 */
final class KmsOutputDriver {
    private static final Logger LOG = LoggerFactory.getLogger(KmsOutputDriver.class);

    private final Output output;
    private final KmsPipe pipe;
    private final Swapchain swapchain;
    /** For an output on another device than the render GPU: how frames cross over; else null. */
    private final dev.ferry.kms.CrossDeviceCopy cross;
    private final ScanoutCache scanout;
    /** Wraps wl_shm pools as dma-bufs for the planes. */
    private final dev.ferry.drm.UdmabufDevice udmabuf;
    private final Scene scene;
    /** Which renderer composes each frame: the render GPU, the output's own GPU, or the CPU. */
    private final ComposerChoice composer;
    private final EventLoop loop;
    private final PathObserver observer;
    private final OutputStats stats = new OutputStats();
    /** Fires when the pacer's watchdog is due: a flip given up, or a retry after a refused commit. */
    private final EventLoop.Timer watchdog;
    /** One flip in flight; the flip watchdog; the vblank a frame started now reaches. */
    private final FlipPacer<Frame> pacer;
    /** When the next frame starts: at the repaint deadline before the vblank it aims for, or at once. */
    private final RepaintSchedule repaint = new RepaintSchedule();
    /** Fires at that repaint deadline; armed only while a frame is asked for and none is drawn or queued. */
    private final EventLoop.Timer repaintTimer;
    /** The scene's and each visible surface's commit counts when the last frame started (see {@link #planesOnly}). */
    private long startSceneCommits;
    private long[] startCommits = new long[4];
    /** What {@link #repaintTimer} is armed at; 0 when it is not. */
    private long repaintAtNs;
    private final DamageHistory damage = new DamageHistory();
    /**
     * The frame each buffer composed into last holds (its number in {@link #damage}): swapchain
     * slots of either chain and cross-device render buffers, so keyed by identity. Missing: unknown.
     */
    private final Map<Object, Long> drawnFor = new java.util.IdentityHashMap<>();
    private final Map<Surface, EnumSet<FallbackReason>> reasons = new HashMap<>();
    private final FramePlanner planner = new FramePlanner();
    /** This frame's plan, and the plan of the last frame queued (what is on screen or about to be). */
    private final FramePlan plan = new FramePlan();
    private final FramePlan lastPlan = new FramePlan();
    /** What the planner is told of each visible surface, and their update rates. */
    private final PlanInputs planInputs;
    /** Tests, flips and remembers refusals of what the plan puts on the pipe's planes. */
    private final PlaneCommit commit;
    /** Per overlay of the pipe, made on first need: see {@link #overlayTarget}. */
    private Output.ScanoutTarget[] overlayTargets;
    /** Client buffers this output holds state for (framebuffer, taint, reach): forgotten on destroy. */
    private final Set<ClientBuffer> watched = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    private boolean requested;
    private boolean busy;
    private boolean lost;
    /**
     * How long a stall (a flip given up, the CRTC still refusing commits as busy) may last before the
     * output is marked failed and withdrawn, so its windows move to outputs that still show frames.
     * A real kernel gives a hung flip up after 10 s (flip_done timed out); users should not stare at
     * a frozen screen that long.
     */
    static final long STALL_LIMIT_NS = 2_000_000_000L;
    /** When the current stall began (loop clock), and the frames it has cost so far. */
    private long stalledSinceNs;
    /** What the backend left to do once the composition in flight completes (the output was withdrawn meanwhile). */
    private Runnable onIdle;
    private int stallFramesLost;
    private boolean startPosted;
    private Runnable onLost = () -> { };
    private Frame shown;
    /**
     * Frames done with (replaced on screen, or given up), reused by the next frames: at 60 frames
     * a second a new Frame with its two lists and two maps was a dozen objects a frame, and the
     * first put into a new HashMap sizes its table (HashMap.resize in the overlay frame's
     * profile). At most {@link #SPARE_FRAMES} are kept: one is drawn, one queued, one shown.
     */
    private final java.util.ArrayDeque<Frame> spare = new java.util.ArrayDeque<>(SPARE_FRAMES);
    private static final int SPARE_FRAMES = 3;
    private final FramePresentation presentation;
    /** Where faults are named (the backend's FaultLog, attached before outputs start). */
    private java.util.function.Supplier<FaultLog> faults = FaultLog::new;
    private static final dev.ferry.protocol.loop.LogLimiter FLIP_REFUSALS = dev.ferry.protocol.loop.LogLimiter.standard();

    /** What one flip put (or will put) on screen. */
    private final class Frame implements FramePresentation.Paths {
        Swapchain.Slot slot;
        /** The chain slot came from: the output's own, or the display GPU's local one. */
        Swapchain chain;
        boolean local;
        dev.ferry.kms.CrossDeviceCopy.RenderBuffer renderBuffer;
        dev.ferry.kms.CrossDeviceCopy.Presented crossed;
        /** The display-side slot the composing thread copies this frame into once composed, or null. */
        dev.ferry.kms.CrossDeviceCopy.Ahead ahead;
        /** Where this frame's overlays are: the primary (and its cross-device copy) is not drawn there. */
        RectSet underOverlays;
        /** What the composition redraws in the primary (x, y, w, h quadruples): all its CPU write touches. */
        int[] redrawn;
        ClientBuffer scanoutBuffer;
        /** Buffers on overlay planes in this frame (locked while it is queued or shown), and which overlay each is on. */
        final List<ClientBuffer> overlayBuffers = new ArrayList<>(2);
        int[] overlayIndex = new int[2];
        /** The primary shows the slot the previous frame drew: only overlays changed. */
        boolean reusedPrimary;
        /** The composed buffers, locked while the composition that samples them runs; null once it completed. */
        FrameContent content;
        /** This frame's number in the output's damage history. */
        long number;
        final List<Surface> surfaces = new ArrayList<>();
        final Map<Surface, PathKind> paths = new HashMap<>();
        /** Composed surfaces an overlay would show were their buffers allocated for it, and that overlay (for dma-buf feedback). */
        final Map<Surface, Output.ScanoutTarget> overlayFits = new java.util.IdentityHashMap<>();
        PathKind framePath;
        /** What did the frame's work: the composing GPU's device, {@link PathObserver#CPU}, or the display device for planes. */
        String device;
        long startNs;
        /** The vblank it was meant for: the one its deadline preceded, or {@link #aimNs} (stats' late frames). */
        long meantNs;
        /** The vblank this frame aimed for when it started: a flip after it was late. */
        long aimNs;
        long bytes;

        /** In {@link #spare}: done with, its fields cleared. */
        boolean spare;

        /** Everything a frame holds cleared, the lists' and maps' storage kept for the next frame. */
        void reset() {
            slot = null;
            chain = null;
            local = false;
            renderBuffer = null;
            crossed = null;
            underOverlays = null;
            redrawn = null;
            scanoutBuffer = null;
            overlayBuffers.clear();
            reusedPrimary = false;
            content = null;
            number = 0;
            surfaces.clear();
            paths.clear();
            overlayFits.clear();
            framePath = null;
            device = null;
            startNs = 0;
            aimNs = 0;
            bytes = 0;
        }

        @Override
        public PathKind path(Surface s) { return paths.getOrDefault(s, PathKind.NOT_SHOWN); }

        @Override
        public Set<FallbackReason> reasons(Surface s) {
            Set<FallbackReason> r = reasons.get(s);
            return r != null ? r : Set.of();
        }

        @Override
        public Output.ScanoutTarget overlayFit(Surface s) { return overlayFits.get(s); }
    }

    KmsOutputDriver(Output output, KmsPipe pipe, Swapchain swapchain, dev.ferry.kms.CrossDeviceCopy cross, ScanoutCache scanout,
                    Scene scene, Renderer gpu, Renderer cpu, RenderReach reach, EventLoop loop, PathObserver observer,
                    dev.ferry.drm.UdmabufDevice udmabuf)
            throws dev.ferry.posix.PosixException {
        this.output = output;
        this.udmabuf = udmabuf;
        this.pipe = pipe;
        this.swapchain = swapchain;
        this.cross = cross;
        this.scanout = scanout;
        this.scene = scene;
        this.composer = new ComposerChoice(output, pipe.device(), cross != null, gpu, cpu, reach, b -> {
            if (watched.add(b)) b.onDestroyed(() -> bufferGone(b));
        });
        this.loop = loop;
        this.observer = observer;
        this.watchdog = loop.timer(this::flipTimedOut);
        this.pacer = new FlipPacer<>(watchdog::armAt);
        this.repaintTimer = loop.timer(this::repaintDue);
        this.presentation = new FramePresentation(output, scene);
        this.commit = new PlaneCommit(output.name(), pipe, scanout, udmabuf);
        this.planInputs = new PlanInputs(output, udmabuf, b -> {
            if (watched.add(b)) b.onDestroyed(() -> bufferGone(b));
        });
    }

    Output output() { return output; }

    /** The copy mode now in use, or null for an output on the render device itself. */
    CopyMode copyMode() { return cross == null ? null : cross.mode(); }

    dev.ferry.kms.CrossDeviceCopy cross() { return cross; }
    KmsPipe pipe() { return pipe; }
    OutputStats stats() { return stats; }

    void recordFaultsIn(java.util.function.Supplier<FaultLog> log) {
        faults = log;
        // A buffer the device refused by fault is composited like any buffer it cannot show: no
        // frame is lost, and the refusal is remembered, so it is named once per buffer.
        scanout.onImportFault((buf, detail) -> faults.get().record(FaultLog.Kind.IMPORT_FAILED,
                pipe.device().info().name() + "/" + output.name(), loop.nowNs(),
                "a client buffer's scanout import refused (" + detail + "): composited instead", 0));
    }

    /** Told once when the output's device goes away (unplugged). */
    void onLost(Runnable r) {
        onLost = r;
    }

    boolean lost() { return lost; }

    /** A frame is being composed (its flip not yet queued). */
    boolean composing() { return busy; }

    /** Whether the monitor is still plugged into this output's connector (the device's current state). */
    /** Run once no composition is in flight: at once, or when the one being drawn completes (it writes into this output's buffers). */
    void whenIdle(Runnable r) {
        if (busy) onIdle = r;
        else r.run();
    }

    /** A stall has lasted past {@link #STALL_LIMIT_NS}: the backend withdraws the output. */
    boolean stalledPastLimit(long nowNs) {
        return pacer.stalled() && nowNs - stalledSinceNs >= STALL_LIMIT_NS;
    }

    /** What a stall cost, refusals of the retries included: the frames lost when the output is given up. */
    int stallFramesLost() { return stallFramesLost; }

    boolean connected() {
        int id = pipe.connector().id();
        for (var c : pipe.device().connectors()) if (c.id() == id) return c.connected();
        return false;
    }

    /**
     * The device is gone or the monitor unplugged: stop driving the output; everything else
     * carries on. The backend is told once and withdraws the output.
     */
    private boolean checkGone() {
        if (!pipe.device().isGone() && connected()) return false;
        if (!lost) {
            lost = true;
            LOG.warn("{}: {}; the output is gone", output.name(), pipe.device().isGone()
                    ? pipe.device().info().name() + " was unplugged" : "its monitor was unplugged");
            loop.execute(onLost);
        }
        return true;
    }

    void schedule() {
        if (lost) return;
        requested = true;
        // Start at the end of this loop cycle, not inside the request that asked: the rest of
        // the commit (and any other client's in the same wake-up) lands in the same frame.
        // While a flip is stalled the retry timer starts frames, once a refresh: a start per
        // request would answer each refused frame's callbacks at once, and the client's next
        // commit would come straight back (a spin between the two for as long as the stall lasts).
        // Within a refresh the frame waits for its repaint deadline (see RepaintSchedule), so a
        // later commit still makes it; the timer is armed once.
        if (!startPosted && repaintAtNs == 0 && !busy && pacer.pending() == null && !pacer.stalled()) {
            long now = loop.nowNs();
            long at = planesOnly() ? now : repaint.startNs(now, pacer.nextPresentationNs(now, output.refreshNs(), false), output.refreshNs());
            if (at > now) {
                repaintAtNs = at;
                repaintTimer.armAt(at);
                return;
            }
            startPosted = true;
            loop.execute(() -> {
                startPosted = false;
                if (requested && !busy && pacer.pending() == null && !lost && repaintAtNs == 0) startFrame(loop.nowNs());
            });
        }
    }

    /** A surface updating at least this often is one whose next commit a frame waits for (see {@link #planesOnly}). */
    static final double QUIET_BELOW_HZ = 1.0;

    /**
     * Whether, since the frame on screen started, only surfaces it shows on planes (its overlays,
     * or the client buffer it scans out on the primary) committed, while no other surface on the
     * output updates: then the frame asked for starts at once rather than at the repaint
     * deadline. The deadline is there so that other content arriving meanwhile (another client's
     * commit, a cursor image) lands in the same frame; with nothing else updating there is
     * nothing to wait for, and the wait costs the loop a wake-up a frame (its timer: epoll_wait,
     * read, timerfd_settime), about a third of a deadline-committing compositor's floor on this
     * machine (bench/floor/frame-floor.c: 0.095 ms a frame with 2 wake-ups, 0.152 with 3).
     * Started at once, the frame still aims for the same vblank; a commit of another surface
     * arriving after it waits for the next frame, as one arriving after the deadline does.
     * Commits are counted scene-wide ({@link Scene#commits}) against the plane surfaces' own, so
     * a surface the frame on screen did not have (a new cursor, a new window) counts as other.
     */
    private boolean planesOnly() {
        if (shown == null || !output.hasDamage()) return false;  // owed callbacks only: they wait for the deadline as before
        PlanSurface[] in = planInputs.described();
        int n = lastPlan.surfaces();
        if (n == 0 || in.length < n || startCommits.length < n) return false;
        long onPlanes = 0;
        for (int i = 0; i < n; i++) {
            PlanSurface s = in[i];
            // The descriptions are the last planned frame's; one planned but never queued differs from the plan on screen.
            if (s.key != lastPlan.key(i)) return false;
            PathKind p = lastPlan.path(i);
            if (p == PathKind.OVERLAY_PLANE || p == PathKind.DIRECT_SCANOUT) onPlanes += ((Surface) s.key).commitCount() - startCommits[i];
            else if (s.updateHz >= QUIET_BELOW_HZ) return false;
        }
        return onPlanes > 0 && scene.commits() - startSceneCommits == onPlanes;
    }

    /** The repaint deadline came: the frame asked for starts. */
    private void repaintDue() {
        long planned = repaintAtNs;
        repaintAtNs = 0;
        if (requested && !busy && pacer.pending() == null && !pacer.stalled() && !lost) startFrame(planned);
    }

    /**
     * After a flip completed, the next frame asked for meanwhile (content that came while the
     * flip was queued, or owed callbacks): at once when the schedule says so (nothing measured,
     * the last frame late, the deadline passed), else at the repaint deadline.
     */
    private void startNextFrame() {
        long now = loop.nowNs();
        long at = repaint.startNs(now, pacer.nextPresentationNs(now, output.refreshNs(), false), output.refreshNs());
        if (at <= now) {
            startFrame(now);
            return;
        }
        requested = true;
        repaintAtNs = at;
        repaintTimer.armAt(at);
    }

    /** Starts a frame now; plannedNs is when it was meant to start (its deadline, or when it was asked for). */
    private void startFrame(long plannedNs) {
        requested = false;
        if (repaintAtNs != 0) {
            repaintAtNs = 0;
            repaintTimer.disarm();
        }
        if (lost || checkGone()) return;
        List<Scene.Placed> visible = scene.visibleOn(output);
        // One commit may ask for a repaint twice (its damage, its frame callback); a frame with
        // nothing new to show and nobody waiting would only flip the same picture again.
        if (shown != null && !output.hasDamage() && !scene.frameOwed(visible)) return;
        Frame f = spare.pollFirst();
        if (f == null) f = new Frame();
        f.spare = false;
        f.startNs = loop.nowNs();
        f.aimNs = pacer.nextPresentationNs(f.startNs, output.refreshNs(), false);
        // A repaint timer that fired after its vblank aims for the next one: not late by its own
        // aim, but the refresh it was meant for went without a new frame all the same.
        f.meantNs = plannedNs < f.startNs ? pacer.nextPresentationNs(plannedNs, output.refreshNs(), false) : f.aimNs;
        repaint.started(Math.min(plannedNs, f.startNs), f.aimNs);
        if (startCommits.length < visible.size()) startCommits = new long[Math.max(visible.size(), 2 * startCommits.length)];
        startSceneCommits = scene.commits();
        for (int i = 0; i < visible.size(); i++) {
            Scene.Placed p = visible.get(i);
            p.surface().latchFrame();
            f.surfaces.add(p.surface());
            startCommits[i] = p.surface().commitCount();
        }
        planFrame(visible, f.startNs);
        if (plan.scanoutSurface() != FramePlan.NONE) {
            if (flipClientBuffer(f, visible)) return;
            // KMS refused the buffer (remembered, with the reason): plan again with the primary composed.
            planFrame(visible, f.startNs);
            commit.replanned();
        }
        compose(f, visible);
    }

    /** Plans the frame from the visible surfaces into {@link #plan}, keeping the last frame's as {@link #previousPlan}. */
    private void planFrame(List<Scene.Placed> visible, long nowNs) {
        int n = visible.size();
        PlanSurface[] inputs = planInputs.describe(visible, nowNs);
        Surface cursor = scene.cursor();
        for (int i = 0; i < n; i++) inputs[i].cursor = visible.get(i).surface() == cursor;
        // An output on another device than the render GPU has that device's overlays: the
        // client's buffer goes there directly, only the composed primary is copied across.
        planner.plan(inputs, n, output.width(), output.height(), pipe.primary(), pipe.overlays(), pipe.cursor(),
                commit.rejections(), lastPlan, plan);
        if (reasons.size() > 4 * n + 16) {
            Set<Surface> now = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (Scene.Placed p : visible) now.add(p.surface());
            reasons.keySet().retainAll(now);
        }
        // One reason set per surface, refilled each frame (a frame allocates none).
        for (int i = 0; i < n; i++) {
            EnumSet<FallbackReason> r = reasons.computeIfAbsent(visible.get(i).surface(), k -> EnumSet.noneOf(FallbackReason.class));
            r.clear();
            r.addAll(plan.reasons(i));
        }
    }

    /** Tries the primary plane with the client's buffer; true if a flip was queued. */
    private boolean flipClientBuffer(Frame f, List<Scene.Placed> all) {
        Scene.Placed top = all.get(plan.scanoutSurface());
        ClientBuffer b = top.surface().buffer();
        if (watched.add(b)) b.onDestroyed(() -> bufferGone(b));
        int fbId = commit.primaryFramebuffer(b);
        if (fbId == 0) return false;
        // The cursor plane above the scanned-out buffer; refused, the cursor is composed, and so is the frame (re-planned).
        if (!commit.stageCursor(plan, all, fbId, b.width(), b.height())) return false;
        // Under a covering opaque buffer nothing else is drawn; their callbacks still come. The
        // damage stays in the history: composed buffers drawn before this frame must catch up on it.
        damageLeftOverlays(all);
        damage.record(output.takeDamage());
        if (!commit.flipPrimary(b, fbId)) {
            commitFailed("direct-scanout flip refused (" + pipe.lastRejection() + "); the buffer is composed until the client attaches another", 0);
            output.damageAll();
            return false;
        }
        b.lock();
        f.scanoutBuffer = b;
        lockOverlays(f, all);
        f.framePath = PathKind.DIRECT_SCANOUT;
        f.device = pipe.device().info().name();
        for (int i = 0; i < all.size(); i++) {
            PathKind p = plan.path(i);
            f.paths.put(all.get(i).surface(), p == PathKind.DIRECT_SCANOUT || p == PathKind.OVERLAY_PLANE ? p : PathKind.NOT_SHOWN);
        }
        queued(f);
        return true;
    }

    private void compose(Frame f, List<Scene.Placed> all) {
        // First whether KMS takes the overlays: a refused one is composed, and which renderer
        // composes depends on every buffer composed.
        // An output on another device tests over a display-side buffer of its copy.
        int testFb = cross != null ? cross.testFramebuffer() : swapchain.testFramebuffer();
        pipe.clearOverlays();
        commit.stageCursor(plan, all, testFb, output.width(), output.height());
        commit.stageOverlays(plan, all, planInputs.described(), testFb, output.width(), output.height());
        // Surfaces the plan leaves to overlays or finds hidden are not composed.
        List<Scene.Placed> visible = new ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) if (plan.path(i) == PathKind.GPU_COMPOSITION) visible.add(all.get(i));
        composer.choose(visible, reasons);
        boolean local = composer.local(), cpuFrame = composer.cpuFrame();
        Swapchain chain = local ? composer.localChain() : cross == null ? swapchain : null;
        Swapchain.Slot slot = chain == null ? null : chain.acquire();
        dev.ferry.kms.CrossDeviceCopy.RenderBuffer rb = chain == null ? cross.acquire() : null;
        if (slot == null && rb == null) {
            // Every buffer is queued or on screen: the next flip frees one.
            requested = true;
            repaint.abandoned();
            return;
        }
        f.chain = chain;
        f.local = local;
        Renderer renderer = composer.renderer();
        // A frame the CPU compositor draws is a system-RAM copy whatever the reason: no GPU touched it.
        PathKind path = cpuFrame || !renderer.composesOnGpu() ? PathKind.CPU_COPY : PathKind.GPU_COMPOSITION;
        f.device = path == PathKind.CPU_COPY ? PathObserver.CPU : local ? pipe.device().info().name() : composer.renderDeviceName();
        for (int i = 0; i < all.size(); i++) {
            Scene.Placed p = all.get(i);
            Set<FallbackReason> r = reasons.get(p.surface());
            r.addAll(plan.reasons(i));
            if (plan.path(i) != PathKind.GPU_COMPOSITION) {
                f.paths.put(p.surface(), plan.path(i));
                continue;
            }
            Plane fits = plan.reallocationPlane(i);
            if (fits != null) f.overlayFits.put(p.surface(), overlayTarget(fits));
            ClientBuffer b = p.surface().buffer();
            boolean readable = b != null && (!cpuFrame || composer.cpuCanRead(b));
            if (b != null && !readable) r.add(FallbackReason.CPU_UNREADABLE);
            f.paths.put(p.surface(), readable ? path : PathKind.NOT_SHOWN);
        }
        damageLeftOverlays(all);
        f.number = damage.record(output.takeDamage());
        lockOverlays(f, all);
        // Under an overlay (opaque, nothing composed above it) the primary need not be drawn: zero bytes for that surface.
        RectSet underOverlays = RectSet.EMPTY;
        for (int k = 0; k < plan.overlayCount(); k++) {
            Scene.Placed p = all.get(plan.overlaySurface(k));
            underOverlays = underOverlays.add(p.x(), p.y(), p.width(), p.height());
        }
        if (slot != null && !local && plan.overlayCount() > 0 && shown != null && shown.slot != null && shown.chain == chain) {
            Long onScreen = drawnFor.get(shown.slot);
            if (onScreen != null && damage.since(onScreen, output.width(), output.height()).subtract(underOverlays).isEmpty()) {
                // Only what the overlays show changed: flip them over the primary already on screen, compose nothing.
                chain.release(slot);
                f.slot = shown.slot;
                shown.slot = null;
                f.reusedPrimary = true;
                // It shows this frame too, except under the overlays, which a composed frame leaves
                // undrawn as well (and redraws once a surface leaves its overlay): so after a long
                // overlay-only stretch it is still not older than the damage history.
                drawnFor.put(f.slot, f.number);
                f.framePath = PathKind.OVERLAY_PLANE;
                f.device = pipe.device().info().name();
                flipComposed(f);
                return;
            }
        }
        if (rb != null && plan.overlayCount() > 0 && shown != null && shown.renderBuffer != null && shown.crossed != null
                && shown.crossed.mode() == cross.mode()) {
            Long onScreen = drawnFor.get(shown.renderBuffer);
            if (onScreen != null && damage.since(onScreen, output.width(), output.height()).subtract(underOverlays).isEmpty()) {
                // The same for an output on another device: its display-side copy of the last
                // composed frame is flipped again under the overlays; nothing is composed, nothing crosses.
                cross.releaseRender(rb);
                f.renderBuffer = shown.renderBuffer;
                f.crossed = shown.crossed;
                shown.renderBuffer = null;
                shown.crossed = null;
                f.reusedPrimary = true;
                drawnFor.put(f.renderBuffer, f.number);
                f.framePath = PathKind.OVERLAY_PLANE;
                f.device = pipe.device().info().name();
                flipComposed(f);
                return;
            }
        }
        Long held = drawnFor.get(rb != null ? rb : slot);
        RectSet redraw = damage.since(held == null ? 0 : held, output.width(), output.height()).subtract(underOverlays);
        f.underOverlays = underOverlays;
        f.slot = slot;
        f.renderBuffer = rb;
        f.framePath = path;
        f.bytes = redraw.area() * 4;
        f.redrawn = rects(redraw);
        if (rb != null) f.ahead = cross.reserve(rb, changedSince(underOverlays));
        busy = true;
        CpuMapping map = rb != null ? rb.mapping() : slot.mapping();
        int stride = rb != null ? rb.buffer().stride(0) : slot.buffer().stride(0);
        RenderTarget target = new RenderTarget(output.width(), output.height(), Fourcc.XRGB8888, map.view(),
                stride, redraw.toRegion(), RenderTarget.OPAQUE_BLACK);
        map.beginCpuAccess(CpuMapping.WRITE);
        FrameContent.collect(visible, output, renderer, loop::execute)
                .thenCompose(content -> {
                    f.content = content;
                    return renderer.compose(content.sceneSurfaces(), target);
                })
                .whenComplete((result, error) -> {
                    // On the thread that finished the frame (the renderer's, when it composes on
                    // one): the flush of what it wrote to where the display reads is a copy as
                    // large as the damage, and the loop has no need to wait for it. Nothing else
                    // touches the target while the frame is in flight.
                    try {
                        map.endCpuWrite(f.redrawn, 4);
                        // Another device's output: the copy across, into the slot taken for it, here too.
                        if (f.ahead != null && error == null && result instanceof FrameResult.Composed) cross.copyAhead(f.ahead);
                    } finally {
                        loop.execute(() -> composed(f, result, error));
                    }
                });
    }

    private void composed(Frame f, FrameResult result, Throwable error) {
        busy = false;
        if (onIdle != null) {
            // The output was withdrawn while this frame was drawn: nothing shows it.
            if (f.content != null) f.content.release();
            dropped(f);
            Runnable r = onIdle;
            onIdle = null;
            r.run();
            return;
        }
        if (error != null || !(result instanceof FrameResult.Composed)) {
            LOG.warn("{}: composition failed: {}", output.name(), error != null ? error : result);
            if (result instanceof FrameResult.Failed failed && failed.reason() == dev.ferry.renderer.FrameFailure.CONTEXT_LOST
                    && f.framePath == PathKind.GPU_COMPOSITION && !composer.gpuLost()) {
                composer.gpuLost(true);
                LOG.warn("{}: the GPU renderer lost its device; composing on the CPU from now on", output.name());
            }
            stats.frameFailed();
            dropped(f);
            drawnFor.remove(f.slot != null ? f.slot : f.renderBuffer);
            if (f.slot != null) f.chain.invalidate(f.slot);
            abandon(f);
            output.damageAll();
            // Retry at the next refresh rather than at the next commit: the client may be waiting
            // for this very frame's callback, and would never commit again.
            armRetry();
            return;
        }
        // The job that sampled the client buffers is complete (the CPU wrote the frame; a GPU's
        // readback or fence wait returned before the result came): they go back to their clients
        // now, with their release points, not once this frame leaves the screen a refresh or more
        // later. Buffers on planes stay locked by the frame until the flip that replaces it.
        if (f.content != null) f.content.release();
        f.content = null;
        drawnFor.put(f.slot != null ? f.slot : f.renderBuffer, f.number);
        if (f.slot != null) f.chain.drawn(f.slot);
        flipComposed(f);
    }

    /** Flips a frame whose primary is drawn (or kept, see {@link Frame#reusedPrimary}), with its staged overlays. */
    private void flipComposed(Frame f) {
        boolean flipped;
        if (f.reusedPrimary && f.crossed != null) {
            flipped = commit.flipComposed(f.crossed.framebuffer(), output.width(), output.height());
            if (flipped) cross.shownAgain(f.crossed, f.number);
        } else if (f.renderBuffer != null) {
            // A display-side buffer holding frame n takes what changed since; under the overlays the
            // primary was not drawn: nothing there to copy.
            f.crossed = cross.present(f.renderBuffer, f.number, changedSince(f.underOverlays), pipe, f.ahead);
            f.ahead = null;
            flipped = f.crossed != null;
            if (flipped) f.bytes += f.crossed.bytesCopied();
        } else {
            flipped = commit.flipComposed(f.slot.fbId(), f.chain.width(), f.chain.height());
        }
        if (!flipped) {
            if (checkGone()) {
                abandon(f);
                return;
            }
            if (FLIP_REFUSALS.allow()) {
                LOG.warn("{}: flip of a composed frame refused: {} ({} like it suppressed)", output.name(), pipe.lastRejection(),
                        FLIP_REFUSALS.takeSuppressed());
            }
            stats.frameFailed();
            if (pacer.stalled()) stallFramesLost++;
            commitFailed("composed flip refused (" + pipe.lastRejection() + "); frame dropped, its callbacks answered, composed again next refresh", 1);
            dropped(f);
            // An overlay in a refused flip is not offered again with that buffer.
            commit.overlaysRefused(f.overlayBuffers, f.overlayIndex);
            abandon(f);
            output.damageAll();
            armRetry();
            return;
        }
        queued(f);
    }

    /**
     * Names a refused commit in the fault log. While a flip is stalled the CRTC refuses every
     * commit as busy, and a device that is gone refuses everything: those are the stall's and the
     * unplug's consequences, each already named once, not new faults.
     */
    private void commitFailed(String recovery, int framesLost) {
        if (pacer.stalled() || pipe.device().isGone() || !connected()) return;
        faults.get().record(FaultLog.Kind.COMMIT_FAILED, pipe.device().info().name() + "/" + output.name(),
                loop.nowNs(), recovery, framesLost);
    }

    /** A frame that will not reach the screen: its buffers go back (a kept primary stays with the frame on screen). */
    private void abandon(Frame f) {
        repaint.abandoned();
        if (f.slot != null) {
            if (f.reusedPrimary && shown != null && shown.slot == null) shown.slot = f.slot;
            else f.chain.release(f.slot);
        }
        f.slot = null;
        if (f.reusedPrimary && f.crossed != null && shown != null && shown.crossed == null && shown.renderBuffer == null) {
            // A kept cross-device primary stays with the frame on screen, as a kept slot does.
            shown.renderBuffer = f.renderBuffer;
            shown.crossed = f.crossed;
            f.renderBuffer = null;
            f.crossed = null;
        }
        releaseCross(f);
        unlockOverlays(f);
        if (f.content != null) f.content.release();
        f.content = null;
        // A direct-scanout frame given up (its flip never completed) holds its client buffer:
        // unheld, the client would never get it back and could draw no more.
        if (f.scanoutBuffer != null) {
            f.scanoutBuffer.unlock();
            f.scanoutBuffer = null;
        }
        recycle(f);
    }

    /** A frame nothing refers to any more (retired or abandoned) goes back to {@link #spare}, once. */
    private void recycle(Frame f) {
        if (f.spare || spare.size() >= SPARE_FRAMES) return;
        f.reset();
        f.spare = true;
        spare.addFirst(f);
    }

    /** The frame holds the buffers its overlays show until a newer frame replaces it on screen. */
    private void lockOverlays(Frame f, List<Scene.Placed> all) {
        if (plan.overlayCount() + 1 > f.overlayIndex.length) f.overlayIndex = new int[plan.overlayCount() + 1];
        for (int k = 0; k < plan.overlayCount(); k++) {
            ClientBuffer b = all.get(plan.overlaySurface(k)).surface().buffer();
            b.lock();
            f.overlayBuffers.add(b);
            f.overlayIndex[k] = pipe.overlayIndex(plan.overlayPlane(k));
        }
        if (plan.cursorSurface() != FramePlan.NONE) {
            ClientBuffer b = all.get(plan.cursorSurface()).surface().buffer();
            b.lock();
            f.overlayIndex[f.overlayBuffers.size()] = commit.cursorIndex();
            f.overlayBuffers.add(b);
        }
    }

    /** An overlay plane of this output as the target of a scanout tranche: the display device and the plane's formats. */
    private Output.ScanoutTarget overlayTarget(Plane p) {
        int k = pipe.overlayIndex(p);
        if (overlayTargets == null) overlayTargets = new Output.ScanoutTarget[pipe.overlays().size()];
        if (overlayTargets[k] == null) {
            overlayTargets[k] = new Output.ScanoutTarget(pipe.device().info().devT(), pipe.device().info().name(), p.formats());
        }
        return overlayTargets[k];
    }

    private static void unlockOverlays(Frame f) {
        for (int k = 0; k < f.overlayBuffers.size(); k++) f.overlayBuffers.get(k).unlock();
        f.overlayBuffers.clear();
    }

    /**
     * A surface the last frame left to an overlay and this one composes: the primary under it
     * holds whatever was there before, so its area is drawn again.
     */
    private void damageLeftOverlays(List<Scene.Placed> all) {
        // The cursor is not opaque: the primary under it shows. Composed last frame and on its
        // plane now, the primary still has it drawn; back from its plane, it must be drawn again.
        if (cursorOnPlane(lastPlan) != cursorOnPlane(plan)) damageCursor(all);
        for (int k = 0; k < lastPlan.overlayCount(); k++) {
            Object key = lastPlan.key(lastPlan.overlaySurface(k));
            if (plan.onOverlay(key)) continue;
            int i = plan.indexOf(key);
            if (i < 0) continue;  // gone from the output: the scene damaged where it was
            Scene.Placed p = all.get(i);
            output.damageLayout(RectSet.of(output.x() + p.x(), output.y() + p.y(), p.width(), p.height()));
        }
    }

    /** The surface a plan put on the cursor plane, or null. */
    private static Object cursorOnPlane(FramePlan p) {
        return p.cursorSurface() == FramePlan.NONE ? null : p.key(p.cursorSurface());
    }

    /** Damages where the cursor is in this frame (its surfaces on this output). */
    private void damageCursor(List<Scene.Placed> all) {
        Surface cursor = scene.cursor();
        if (cursor == null) return;
        for (Scene.Placed placed : all) {
            if (placed.surface() != cursor) continue;
            output.damageLayout(RectSet.of(output.x() + placed.x(), output.y() + placed.y(), placed.width(), placed.height()));
        }
    }

    /** Gives a cross-device frame's buffers back (its render buffer and the display-side copy). */
    private void releaseCross(Frame f) {
        if (f.ahead != null) cross.cancel(f.ahead);
        f.ahead = null;
        if (f.crossed != null) f.crossed.release();
        if (f.renderBuffer != null) cross.releaseRender(f.renderBuffer);
        f.crossed = null;
        f.renderBuffer = null;
    }

    /**
     * What a display-side buffer holding frame n must take to show the frame now being drawn: the
     * damage since n, less what lies under this frame's overlays (the primary is not drawn there).
     */
    private java.util.function.LongFunction<int[]> changedSince(RectSet underOverlays) {
        return n -> rects(damage.since(n, output.width(), output.height()).subtract(underOverlays));
    }

    private static int[] rects(RectSet d) {
        if (d == null) return null;
        int[] r = new int[d.count() * 4];
        for (int i = 0; i < d.count(); i++) {
            r[4 * i] = d.x(i);
            r[4 * i + 1] = d.y(i);
            r[4 * i + 2] = d.w(i);
            r[4 * i + 3] = d.h(i);
        }
        return r;
    }

    private void queued(Frame f) {
        lastPlan.copyFrom(plan);
        pacer.queued(f, loop.nowNs());
        repaint.committed(loop.nowNs());
    }

    /** A retry after a refused commit, one refresh later, so a broken device cannot spin the loop. */
    private void armRetry() {
        requested = true;
        pacer.retryAfter(loop.nowNs(), output.refreshNs());
    }

    /** The flip queued last took effect at timeNs (vblank sequence). */
    void pageFlipped(long sequence, long timeNs) {
        boolean wasStalled = pacer.stalled();
        Frame f = pacer.completed(timeNs);
        if (f == null) return;
        if (wasStalled) {
            LOG.info("{}: flips complete again", output.name());
            faults.get().record(FaultLog.Kind.FLIP_NEVER_COMPLETES, pipe.device().info().name() + "/" + output.name(), loop.nowNs(),
                    "flips complete again after " + (loop.nowNs() - stalledSinceNs) / 1_000_000 + " ms of refused commits", stallFramesLost);
        }
        retire(shown);
        shown = f;
        long composeNs = loop.nowNs() - f.startNs;
        stats.framePresented(statsLabel(f), composeNs, timeNs, f.bytes);
        if (timeNs > f.meantNs + output.refreshNs() / 2) stats.frameLate();
        boolean late = timeNs > f.aimNs + output.refreshNs() / 2;
        presentation.presented(f.surfaces, f, f.framePath, f.device,
                WpPresentationFeedback.KIND_VSYNC | WpPresentationFeedback.KIND_HW_COMPLETION, timeNs, sequence, observer);
        repaint.presented(timeNs, output.refreshNs());
        // Content that arrived while the frame just presented was drawn or queued waits for the
        // repaint deadline like any other, so that what clients send in answer to this flip (their
        // frame callbacks went out just now) lands in the same frame. Started at once, the next
        // frame would leave those prompt clients to the frame after it, and they would stay a
        // frame apart for good: windows that draw on their callback then got one every other
        // refresh (the soak's healthy windows, 33 ms gaps, after any one commit past a deadline).
        // Two cases still start at once: a flip that came late (the frame missed the vblank it
        // aimed for), since held to the deadline its waiting content could be replaced unshown by
        // the next commit of a client drawing at the display's rate on its own clock
        // (NoRenderDeviceTest lost frames so); and new content only on planes (planesOnly).
        if (output.hasDamage() && (late || planesOnly())) startFrame(loop.nowNs());
        else if (output.hasDamage() || requested) startNextFrame();
    }

    /**
     * Stats labels of the frames another device copied (by copy mode) or this output's own
     * device composed: made once each, not concatenated anew for every frame.
     */
    private final Map<CopyMode, EnumMap<PathKind, String>> crossedLabels = new EnumMap<>(CopyMode.class);
    private final EnumMap<PathKind, String> localLabels = new EnumMap<>(PathKind.class);

    /** The path a presented frame is counted under: its path, and the copy mode or the device where it says more. */
    private String statsLabel(Frame f) {
        if (f.crossed != null && !f.reusedPrimary) {
            CopyMode mode = f.crossed.mode();
            EnumMap<PathKind, String> byPath = crossedLabels.get(mode);
            if (byPath == null) crossedLabels.put(mode, byPath = new EnumMap<>(PathKind.class));
            String label = byPath.get(f.framePath);
            if (label == null) byPath.put(f.framePath, label = f.framePath.label() + "+" + mode.label());
            return label;
        }
        if (f.local) {
            String label = localLabels.get(f.framePath);
            if (label == null) localLabels.put(f.framePath, label = f.framePath.label() + "@" + pipe.device().info().name());
            return label;
        }
        return f.framePath.label();
    }

    /** A frame that will never be shown: its surfaces' callbacks are answered anyway. */
    private void dropped(Frame f) {
        presentation.dropped(f.surfaces, loop.nowNs());
    }

    /** A frame replaced on screen: its buffers go back to their owners. */
    private void retire(Frame f) {
        if (f == null) return;
        if (f.slot != null) f.chain.release(f.slot);
        releaseCross(f);
        unlockOverlays(f);
        if (f.content != null) f.content.release();
        if (f.scanoutBuffer != null) {
            // The client attached something new since: the taint no longer applies.
            f.scanoutBuffer.unlock();
        }
        recycle(f);
    }

    private void flipTimedOut() {
        if (checkGone()) {
            retire(pacer.takePending());
            return;
        }
        if (pacer.pending() == null) {
            if (requested && !busy) startFrame(loop.nowNs());
            return;
        }
        LOG.warn("{}: page flip did not complete within {} ms; giving up on it", output.name(), FlipPacer.FLIP_TIMEOUT_NS / 1_000_000);
        stats.frameFailed();
        boolean wasStalled = pacer.stalled();
        Frame f = pacer.giveUp();
        dropped(f);
        // Named once per stall: the retries that follow fail (the CRTC stays busy) until a flip
        // goes through again, and each of them still answers its frame callbacks.
        if (!wasStalled) {
            stalledSinceNs = loop.nowNs();
            stallFramesLost = 1;
            faults.get().record(FaultLog.Kind.FLIP_NEVER_COMPLETES, pipe.device().info().name() + "/" + output.name(),
                    loop.nowNs(), "flip given up after " + FlipPacer.FLIP_TIMEOUT_NS / 1_000_000
                            + " ms; retried each refresh, frame callbacks answered meanwhile", 1);
        }
        if (f.slot != null) f.chain.invalidate(f.slot);
        drawnFor.remove(f.slot != null ? f.slot : f.renderBuffer);
        abandon(f);
        output.damageAll();
        armRetry();
    }

    /** The client destroyed a buffer: forget its framebuffer and taint. */
    void bufferGone(ClientBuffer b) {
        watched.remove(b);
        commit.forget(b);
        composer.forget(b);
    }

    /**
     * The repaint deadline (kernel clock) for content arriving now: by then it is in the frame
     * that presents at the next vblank this output can reach (see {@link RepaintSchedule#contentDeadlineNs}),
     * which is when that frame starts. Fence deadline hints are set to it.
     */
    long repaintDeadlineNs(long nowNs) {
        return repaint.contentDeadlineNs(nowNs, pacer.nextPresentationNs(nowNs, output.refreshNs(), busy), output.refreshNs());
    }

    /** The vblank (kernel clock) a frame started now would be presented at (see {@link FlipPacer#nextPresentationNs}); commit timing uses it. */
    long nextPresentationNs(long nowNs) {
        return pacer.nextPresentationNs(nowNs, output.refreshNs(), busy);
    }

    /** What CRTC readback shows. */
    int[] screenshot() {
        var img = pipe.device().readScanout(pipe.crtc().id());
        int[] px = new int[output.width() * output.height()];
        if (img == null) return px;
        for (int y = 0; y < Math.min(img.height(), output.height()); y++) {
            for (int x = 0; x < Math.min(img.width(), output.width()); x++) px[y * output.width() + x] = img.pixel(x, y) | 0xff000000;
        }
        return px;
    }

    void close() {
        watchdog.close();
        repaintTimer.close();
        retire(shown);
        retire(pacer.takePending());
        shown = null;
        composer.close();
    }
}
