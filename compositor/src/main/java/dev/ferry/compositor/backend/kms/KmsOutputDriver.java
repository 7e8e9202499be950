package dev.ferry.compositor.backend.kms;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.compositor.core.RectSet;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.frame.FrameContent;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.path.PathObserver;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.compositor.stats.OutputStats;
import dev.ferry.drm.CpuMapping;
import dev.ferry.drm.DmaBuf;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.KmsPipe;
import dev.ferry.kms.PathKind;
import dev.ferry.kms.ScanoutCache;
import dev.ferry.kms.Swapchain;
import dev.ferry.posix.MonotonicClock;
import dev.ferry.protocol.interfaces.WpPresentationFeedback;
import dev.ferry.protocol.loop.EventLoop;
import dev.ferry.renderer.FrameResult;
import dev.ferry.renderer.Renderer;
import dev.ferry.renderer.RenderTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
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
    /** A flip not completed after this long is treated as lost. */
    private static final long FLIP_TIMEOUT_NS = 500_000_000L;

    private final Output output;
    private final KmsPipe pipe;
    private final Swapchain swapchain;
    /** For an output on another device than the render GPU: how frames cross over; else null. */
    private final dev.ferry.kms.CrossDeviceCopy cross;
    private final ScanoutCache scanout;
    /** For another device's output whose device can render: what its own GPU can read. */
    private final RenderReach displayReach;
    private Swapchain localChain;
    private boolean localChainFailed;
    private final Scene scene;
    private final Renderer gpu;
    private final Renderer cpu;
    private final RenderReach reach;
    private final EventLoop loop;
    private final PathObserver observer;
    private final OutputStats stats = new OutputStats();
    private final EventLoop.Timer watchdog;
    private final DamageHistory damage = new DamageHistory();
    /**
     * The frame each buffer composed into last holds (its number in {@link #damage}): swapchain
     * slots of either chain and cross-device render buffers, so keyed by identity. Missing: unknown.
     */
    private final Map<Object, Long> drawnFor = new java.util.IdentityHashMap<>();
    /** The last composed frame handed to the cross-device copy: what its display-side copy holds. */
    private long lastCrossedFrame;
    private final Map<Surface, EnumSet<FallbackReason>> reasons = new HashMap<>();
    private final Set<FallbackReason> scratch = EnumSet.noneOf(FallbackReason.class);
    private final Map<ClientBuffer, Boolean> tainted = new HashMap<>();
    /** Client buffers this output holds state for (framebuffer, taint, reach): forgotten on destroy. */
    private final Set<ClientBuffer> watched = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    private boolean requested;
    private boolean busy;
    private boolean lost;
    private boolean startPosted;
    private Runnable onLost = () -> { };
    private Frame pending;
    private Frame shown;
    private final List<Surface> lastShown = new ArrayList<>();
    private long lastFlipNs;

    /** What one flip put (or will put) on screen. */
    private static final class Frame {
        Swapchain.Slot slot;
        /** The chain slot came from: the output's own, or the display GPU's local one. */
        Swapchain chain;
        boolean local;
        dev.ferry.kms.CrossDeviceCopy.RenderBuffer renderBuffer;
        dev.ferry.kms.CrossDeviceCopy.Presented crossed;
        RectSet frameDamage;
        ClientBuffer scanoutBuffer;
        FrameContent content;
        /** This frame's number in the output's damage history. */
        long number;
        final List<Surface> surfaces = new ArrayList<>();
        final Map<Surface, PathKind> paths = new HashMap<>();
        PathKind framePath;
        long startNs;
        long bytes;
    }

    KmsOutputDriver(Output output, KmsPipe pipe, Swapchain swapchain, dev.ferry.kms.CrossDeviceCopy cross, ScanoutCache scanout,
                    Scene scene, Renderer gpu, Renderer cpu, RenderReach reach, EventLoop loop, PathObserver observer)
            throws dev.ferry.posix.PosixException {
        this.output = output;
        this.pipe = pipe;
        this.swapchain = swapchain;
        this.cross = cross;
        this.displayReach = cross != null && pipe.device().info().canRender() ? new RenderReach(pipe.device()) : null;
        this.scanout = scanout;
        this.scene = scene;
        this.gpu = gpu;
        this.cpu = cpu;
        this.reach = reach;
        this.loop = loop;
        this.observer = observer;
        this.watchdog = loop.timer(this::flipTimedOut);
    }

    Output output() { return output; }

    /** The copy mode now in use, or null for an output on the render device itself. */
    dev.ferry.kms.CopyMode copyMode() { return cross == null ? null : cross.mode(); }

    dev.ferry.kms.CrossDeviceCopy cross() { return cross; }
    KmsPipe pipe() { return pipe; }
    OutputStats stats() { return stats; }

    /** Told once when the output's device goes away (unplugged). */
    void onLost(Runnable r) {
        onLost = r;
    }

    boolean lost() { return lost; }

    /** A frame is being composed (its flip not yet queued). */
    boolean composing() { return busy; }

    /** The device is gone: stop driving the output; everything else carries on. */
    private boolean checkGone() {
        if (!pipe.device().isGone()) return false;
        if (!lost) {
            lost = true;
            LOG.warn("{}: {} was unplugged; the output is gone", output.name(), pipe.device().info().name());
            loop.execute(onLost);
        }
        return true;
    }

    void schedule() {
        if (lost) return;
        requested = true;
        // Start at the end of this loop cycle, not inside the request that asked: the rest of
        // the commit (and any other client's in the same wake-up) lands in the same frame.
        if (!startPosted && !busy && pending == null) {
            startPosted = true;
            loop.execute(() -> {
                startPosted = false;
                if (requested && !busy && pending == null && !lost) startFrame();
            });
        }
    }

    private void startFrame() {
        requested = false;
        if (lost || checkGone()) return;
        List<Scene.Placed> visible = scene.visibleOn(output);
        // One commit may ask for a repaint twice (its damage, its frame callback); a frame with
        // nothing new to show and nobody waiting would only flip the same picture again.
        if (shown != null && !output.hasDamage() && !scene.frameOwed(visible)) return;
        reasons.clear();
        Frame f = new Frame();
        f.startNs = MonotonicClock.nowNs();
        for (Scene.Placed p : visible) {
            p.surface().latchFrame();
            f.surfaces.add(p.surface());
            reasons.put(p.surface(), EnumSet.noneOf(FallbackReason.class));
        }
        Scene.Placed top = topmostCovering(visible);
        // Everything under a surface that covers the output opaquely is occluded.
        for (Scene.Placed p : visible) {
            if (top != null && p != top && p.surface() != top.surface() && isOpaqueCover(top)) reasons.get(p.surface()).add(FallbackReason.OCCLUDED);
            else if (top == null || p != top) reasons.get(p.surface()).add(structuralMiss(p));
        }
        if (top != null) {
            FallbackReason miss = scanoutMiss(top);
            if (miss == null && flipClientBuffer(f, top)) return;
            if (miss != null) reasons.get(top.surface()).add(miss);
        }
        compose(f, visible);
    }

    private Scene.Placed topmostCovering(List<Scene.Placed> visible) {
        if (visible.isEmpty()) return null;
        Scene.Placed top = visible.getLast();
        return top.root() ? top : null;
    }

    private boolean isOpaqueCover(Scene.Placed p) {
        ClientBuffer b = p.surface().buffer();
        return p.covers(output.width(), output.height()) && b != null
                && (!b.hasAlpha() || p.surface().state().opaque().contains(0, 0, p.width(), p.height()));
    }

    private FallbackReason structuralMiss(Scene.Placed p) {
        if (!p.root()) return FallbackReason.CURSOR_OR_SUBSURFACE;
        if (!p.covers(output.width(), output.height())) return FallbackReason.NOT_FULLSCREEN;
        if (p.surface().buffer() != null && p.surface().buffer().dmaBuf() == null) return FallbackReason.SHM_BUFFER;
        return FallbackReason.OCCLUDED;
    }

    /** Why the topmost surface cannot go on the primary plane, or null if it may be tried. */
    private FallbackReason scanoutMiss(Scene.Placed top) {
        Surface s = top.surface();
        ClientBuffer b = s.buffer();
        if (b == null) return FallbackReason.NOT_FULLSCREEN;
        if (top.x() != 0 || top.y() != 0 || top.width() != output.width() || top.height() != output.height()) {
            return FallbackReason.NOT_FULLSCREEN;
        }
        if (s.stack().size() > 1) return FallbackReason.CURSOR_OR_SUBSURFACE;
        DmaBuf buf = b.dmaBuf();
        if (buf == null) return FallbackReason.SHM_BUFFER;
        if (s.state().transform() != 0) return FallbackReason.TRANSFORMED;
        if (s.state().hasSource() || s.state().dstW() > 0 || b.width() != output.width() || b.height() != output.height()) {
            return FallbackReason.SCALED;
        }
        if (b.hasAlpha() && !s.state().opaque().contains(0, 0, top.width(), top.height())) return FallbackReason.TRANSLUCENT;
        if (buf.width() > pipe.primary().maxWidth() || buf.height() > pipe.primary().maxHeight()) return FallbackReason.TOO_BIG;
        if (!pipe.primary().formats().supportsFormat(b.fourcc())) return FallbackReason.FORMAT_NOT_ON_PLANE;
        if (buf.modifier() == Modifiers.INVALID) return FallbackReason.IMPLICIT_MODIFIER;
        if (!pipe.primary().formats().supports(b.fourcc(), buf.modifier())) return FallbackReason.MODIFIER_NOT_ON_PLANE;
        if (tainted.containsKey(b)) return FallbackReason.FLIP_FAILED;
        return null;
    }

    /** The display device's GPU (when it has one) can read every buffer shown. */
    private boolean displayReaches(List<Scene.Placed> visible) {
        if (cross == null || displayReach == null) return false;
        for (Scene.Placed p : visible) {
            ClientBuffer b = p.surface().buffer();
            if (b != null && !displayReach.gpuCanRead(b)) return false;
        }
        return localChain() != null;
    }

    /** Scanout buffers on the display device for frames its own GPU composes, made on first need. */
    private Swapchain localChain() {
        if (localChain == null && !localChainFailed) {
            try {
                localChain = new Swapchain(pipe.device(), output.width(), output.height(), Fourcc.XRGB8888, 3, false);
            } catch (dev.ferry.drm.AllocationException | dev.ferry.posix.PosixException e) {
                LOG.info("{}: {} cannot compose locally: {}", output.name(), pipe.device().info().name(), e.getMessage());
                localChainFailed = true;
            }
        }
        return localChain;
    }

    private boolean gpuReads(ClientBuffer b) {
        if (b.dmaBuf() != null && watched.add(b)) b.onDestroyed(() -> bufferGone(b));
        return reach.gpuCanRead(b);
    }

    /** Tries the primary plane with the client's buffer; true if a flip was queued. */
    private boolean flipClientBuffer(Frame f, Scene.Placed top) {
        ClientBuffer b = top.surface().buffer();
        DmaBuf buf = b.dmaBuf();
        Set<FallbackReason> r = reasons.get(top.surface());
        if (watched.add(b)) b.onDestroyed(() -> bufferGone(b));
        ScanoutCache.Entry fb = scanout.framebuffer(buf);
        if (!fb.ok()) {
            r.add(fb.reason() == FallbackReason.TEST_COMMIT_REJECTED || fb.reason() == FallbackReason.FLIP_FAILED
                    ? FallbackReason.REJECTED_BEFORE : fb.reason());
            return false;
        }
        if (!fb.tested()) {
            if (!pipe.test(fb.fbId(), buf.width(), buf.height())) {
                scanout.reject(buf, FallbackReason.TEST_COMMIT_REJECTED, String.valueOf(pipe.lastRejection()));
                r.add(FallbackReason.TEST_COMMIT_REJECTED);
                return false;
            }
            scanout.tested(buf);
        }
        // Under a covering opaque buffer nothing else is drawn; their callbacks still come. The
        // damage stays in the history: composed buffers drawn before this frame must catch up on it.
        damage.record(output.takeDamage());
        if (!pipe.flip(fb.fbId(), buf.width(), buf.height(), 0)) {
            // A failed flip taints the buffer here until the client attaches another one; this
            // very frame is composed instead, so the screen never goes black or stale.
            tainted.put(b, Boolean.TRUE);
            scanout.reject(buf, FallbackReason.FLIP_FAILED, String.valueOf(pipe.lastRejection()));
            r.add(FallbackReason.FLIP_FAILED);
            output.damageAll();
            return false;
        }
        b.lock();
        f.scanoutBuffer = b;
        f.framePath = PathKind.DIRECT_SCANOUT;
        for (Surface s : f.surfaces) f.paths.put(s, s == top.surface() ? PathKind.DIRECT_SCANOUT : PathKind.NOT_SHOWN);
        queued(f);
        return true;
    }

    private void compose(Frame f, List<Scene.Placed> visible) {
        // The primary GPU composes unless a buffer is out of its reach. Then, on another
        // device's output, that device's own GPU composes if it reaches every buffer (no copy
        // needed at all); otherwise the CPU does the frame through system RAM.
        boolean unreachable = false;
        for (Scene.Placed p : visible) {
            ClientBuffer b = p.surface().buffer();
            if (b == null) continue;
            if (gpu == null) reasons.get(p.surface()).add(FallbackReason.NO_RENDER_DEVICE);
            else if (!gpuReads(b)) unreachable = true;
        }
        boolean local = unreachable && displayReaches(visible);
        boolean cpuFrame = gpu == null || (unreachable && !local);
        if (cpuFrame && gpu != null) {
            for (Scene.Placed p : visible) {
                ClientBuffer b = p.surface().buffer();
                if (b == null) continue;
                Set<FallbackReason> r = reasons.get(p.surface());
                r.add(gpuReads(b) ? FallbackReason.FRAME_SHARED_WITH_CPU_COPY : FallbackReason.RENDERER_IMPORT_FAILED);
                // The output's own GPU would compose everything locally if it could read this one.
                if (displayReach != null && !displayReach.gpuCanRead(b)) r.add(FallbackReason.OUTPUT_GPU_UNREACHABLE);
            }
        }
        Swapchain chain = local ? localChain() : cross == null ? swapchain : null;
        Swapchain.Slot slot = chain == null ? null : chain.acquire();
        dev.ferry.kms.CrossDeviceCopy.RenderBuffer rb = chain == null ? cross.acquire() : null;
        if (slot == null && rb == null) {
            // Every buffer is queued or on screen: the next flip frees one.
            requested = true;
            return;
        }
        f.chain = chain;
        f.local = local;
        Renderer renderer = cpuFrame ? cpu : gpu;
        PathKind path = cpuFrame ? PathKind.CPU_COPY : PathKind.GPU_COMPOSITION;
        for (Scene.Placed p : visible) {
            ClientBuffer b = p.surface().buffer();
            boolean readable = b != null && (!cpuFrame || reach.cpuCanRead(b));
            if (b != null && !readable) reasons.get(p.surface()).add(FallbackReason.CPU_UNREADABLE);
            f.paths.put(p.surface(), reasons.get(p.surface()).contains(FallbackReason.OCCLUDED) ? PathKind.NOT_SHOWN
                    : readable ? path : PathKind.NOT_SHOWN);
        }
        f.number = damage.record(output.takeDamage());
        Long held = drawnFor.get(rb != null ? rb : slot);
        RectSet redraw = damage.since(held == null ? 0 : held, output.width(), output.height());
        // The display-side copy of a cross-device frame holds the last frame crossed over.
        f.frameDamage = rb != null ? damage.since(lastCrossedFrame, output.width(), output.height()) : null;
        f.slot = slot;
        f.renderBuffer = rb;
        f.framePath = path;
        f.bytes = redraw.area() * 4;
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
                .whenComplete((result, error) -> loop.execute(() -> composed(f, result, error)));
    }

    private void composed(Frame f, FrameResult result, Throwable error) {
        busy = false;
        (f.renderBuffer != null ? f.renderBuffer.mapping() : f.slot.mapping()).endCpuAccess(CpuMapping.WRITE);
        if (error != null || !(result instanceof FrameResult.Composed)) {
            LOG.warn("{}: composition failed: {}", output.name(), error != null ? error : result);
            stats.frameFailed();
            drawnFor.remove(f.slot != null ? f.slot : f.renderBuffer);
            if (f.slot != null) {
                f.chain.invalidate(f.slot);
                f.chain.release(f.slot);
            }
            releaseCross(f);
            if (f.content != null) f.content.release();
            output.damageAll();
            requested = true;
            return;
        }
        boolean flipped;
        drawnFor.put(f.slot != null ? f.slot : f.renderBuffer, f.number);
        if (f.renderBuffer != null) {
            f.crossed = cross.present(f.renderBuffer, rects(f.frameDamage), pipe);
            flipped = f.crossed != null;
            if (flipped) {
                f.bytes += f.crossed.bytesCopied();
                lastCrossedFrame = f.number;
            }
        } else {
            f.chain.drawn(f.slot);
            flipped = pipe.flip(f.slot.fbId(), f.chain.width(), f.chain.height(), 0);
        }
        if (!flipped) {
            if (checkGone()) {
                if (f.slot != null) f.chain.release(f.slot);
                releaseCross(f);
                f.content.release();
                return;
            }
            LOG.warn("{}: flip of a composed frame refused: {}", output.name(), pipe.lastRejection());
            stats.frameFailed();
            if (f.slot != null) f.chain.release(f.slot);
            releaseCross(f);
            f.content.release();
            output.damageAll();
            armRetry();
            return;
        }
        queued(f);
    }

    /** Gives a cross-device frame's buffers back (its render buffer and the display-side copy). */
    private void releaseCross(Frame f) {
        if (f.crossed != null) f.crossed.release();
        if (f.renderBuffer != null) cross.releaseRender(f.renderBuffer);
        f.crossed = null;
        f.renderBuffer = null;
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
        pending = f;
        watchdog.armAt(MonotonicClock.nowNs() + FLIP_TIMEOUT_NS);
    }

    /** A retry after a refused commit, one refresh later, so a broken device cannot spin the loop. */
    private void armRetry() {
        requested = true;
        watchdog.armAt(MonotonicClock.nowNs() + Math.max(1_000_000L, output.refreshNs()));
    }

    /** The flip queued last took effect at timeNs (vblank sequence). */
    void pageFlipped(long sequence, long timeNs) {
        Frame f = pending;
        if (f == null) return;
        pending = null;
        watchdog.disarm();
        retire(shown);
        shown = f;
        lastFlipNs = timeNs;
        long composeNs = MonotonicClock.nowNs() - f.startNs;
        stats.framePresented(f.crossed != null ? f.framePath.label() + "+" + f.crossed.mode().label()
                        : f.local ? f.framePath.label() + "@" + pipe.device().info().name() : f.framePath.label(),
                composeNs, timeNs, f.bytes);
        int baseFlags = WpPresentationFeedback.KIND_VSYNC | WpPresentationFeedback.KIND_HW_COMPLETION;
        // wl_surface.leave for what this output no longer shows, enter for what it now does.
        for (Surface s : lastShown) if (!f.surfaces.contains(s) && !s.destroyed()) s.leaveOutput(output);
        lastShown.clear();
        for (int i = 0; i < f.surfaces.size(); i++) lastShown.add(f.surfaces.get(i));  // addAll would copy to an array first
        for (Surface s : f.surfaces) {
            if (s.destroyed()) continue;
            PathKind path = f.paths.getOrDefault(s, PathKind.NOT_SHOWN);
            s.enterOutput(output);
            s.presented(output, timeNs, output.refreshNs(), sequence,
                    baseFlags | (path == PathKind.DIRECT_SCANOUT ? WpPresentationFeedback.KIND_ZERO_COPY : 0));
            scratch.clear();
            Set<FallbackReason> r = reasons.get(s);
            if (r != null) scratch.addAll(r);
            observer.surfacePresented(output, s, path, scratch, timeNs);
        }
        observer.outputPresented(output, f.framePath, timeNs);
        for (Surface s : scene.takeUnshownWithCallbacks()) if (!s.destroyed()) s.throttledDone(timeNs);
        if (requested || output.hasDamage()) startFrame();
    }

    /** A frame replaced on screen: its buffers go back to their owners. */
    private void retire(Frame f) {
        if (f == null) return;
        if (f.slot != null) f.chain.release(f.slot);
        releaseCross(f);
        if (f.content != null) f.content.release();
        if (f.scanoutBuffer != null) {
            // The client attached something new since: the taint no longer applies.
            f.scanoutBuffer.unlock();
        }
    }

    private void flipTimedOut() {
        if (checkGone()) {
            retire(pending);
            pending = null;
            return;
        }
        if (pending == null) {
            if (requested && !busy) startFrame();
            return;
        }
        LOG.warn("{}: page flip did not complete within {} ms; giving up on it", output.name(), FLIP_TIMEOUT_NS / 1_000_000);
        stats.frameFailed();
        Frame f = pending;
        pending = null;
        if (f.slot != null) f.chain.invalidate(f.slot);
        drawnFor.remove(f.slot != null ? f.slot : f.renderBuffer);
        retire(f);
        output.damageAll();
        armRetry();
    }

    /** The client destroyed a buffer: forget its framebuffer and taint. */
    void bufferGone(ClientBuffer b) {
        watched.remove(b);
        tainted.remove(b);
        reach.forget(b);
        if (displayReach != null) displayReach.forget(b);
        if (b.dmaBuf() != null) scanout.forget(b.dmaBuf());
    }

    /**
     * How long before a vblank a surface's content must be ready to make it: the frame still has
     * to be started, composed or tested, and committed before the vblank latches it.
     */
    static final long REPAINT_MARGIN_NS = 2_000_000L;

    /**
     * The repaint deadline (kernel clock) for content arriving now: the latest time it can be
     * ready and still reach the next vblank this output can present it at (after a frame being
     * drawn or waiting for its flip, the one after). 0 before the first flip. Fence deadline hints
     * use it.
     */
    long repaintDeadlineNs(long nowNs) {
        long vblank = nextPresentationNs(nowNs);
        if (vblank == 0) return 0;
        long deadline = vblank - REPAINT_MARGIN_NS;
        return deadline > nowNs ? deadline : deadline + output.refreshNs();
    }

    /**
     * The vblank (kernel clock) a frame started now would be presented at: the next one after the
     * last flip, or the one after if a frame is already being drawn or waiting for its flip. 0
     * before the first flip. Commit timing uses it.
     */
    long nextPresentationNs(long nowNs) {
        long period = output.refreshNs();
        if (period <= 0 || lastFlipNs == 0) return 0;
        // As the device latches: the first vblank strictly after the commit.
        long vblank = lastFlipNs + (Math.floorDiv(nowNs - lastFlipNs, period) + 1) * period;
        return pending != null || busy ? vblank + period : vblank;
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
        retire(shown);
        retire(pending);
        shown = pending = null;
        if (localChain != null) localChain.close();
    }
}
