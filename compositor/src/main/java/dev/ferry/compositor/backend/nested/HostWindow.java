package dev.ferry.compositor.backend.nested;

import dev.ferry.client.ShmBufferRing;
import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.compositor.core.RectSet;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.frame.FrameClaims;
import dev.ferry.compositor.frame.OutputPainter;
import dev.ferry.compositor.frame.ReferenceComposition;
import dev.ferry.compositor.path.PathObserver;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.posix.MonotonicClock;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlCallback;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.interfaces.WpPresentation;
import dev.ferry.protocol.interfaces.WpPresentationFeedback;
import dev.ferry.protocol.interfaces.XdgSurface;
import dev.ferry.protocol.interfaces.XdgToplevel;
import dev.ferry.protocol.interfaces.XdgWmBase;
import dev.ferry.protocol.loop.EventLoop;
import dev.ferry.renderer.RenderTarget;
import dev.ferry.renderer.Renderer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * One nested output: an xdg_toplevel of the host, the output's framebuffer in Ferry's memory,
 * and a ring of host wl_shm buffers.
 *
 * <p>A frame: the painter composes the output's damage into the framebuffer; then the part of
 * the framebuffer that a free host buffer lacks (the damage of every frame since that buffer
 * last got content; all of it for a new buffer) is copied into it, and the buffer is attached,
 * damaged where the frame changed, and committed with a frame callback. A buffer the host still
 * holds is never written: with all of them held, the frame waits for a wl_buffer.release.
 *
 * <p>Pacing: a frame asked for while no host frame callback is pending is painted at once; while
 * one is pending, at its done. Presentation times given to clients: the host's wp_presentation
 * time (when the host has it on CLOCK_MONOTONIC) carried forward by its refresh to the next
 * refresh at or after now; otherwise the time the callback arrived.
 */
final class HostWindow implements OutputPainter.FrameSink {
    private static final Logger LOG = LoggerFactory.getLogger(HostWindow.class);
    /** Host buffers per window: one on screen, one queued, one being written. */
    private static final int HOST_BUFFERS = 3;

    private final NestedBackend backend;
    private final Output output;
    private final EventLoop loop;
    private final OutputPainter painter;
    private final Scene scene;
    /** The host subsurfaces of surfaces passed through, or null when the host has no wl_subcompositor. */
    private final HostLayers layers;
    private final PassthroughPlanner planner;
    /** What the frame being painted passes through (bottom to top), for its commit; null: leave the layers as they are. */
    private List<Scene.Placed> passthroughToApply;
    private final Set<FallbackReason> noReasons = EnumSet.noneOf(FallbackReason.class);
    private final Proxy surface;
    private final Proxy xdgSurface;
    private final Proxy toplevel;
    private final ShmBufferRing ring;
    /** Per host buffer of the current size: what it lacks of the framebuffer. No entry: all of it. */
    private final Map<ShmBufferRing.Slot, RectSet> stale = new IdentityHashMap<>();

    private Arena fbArena;
    private MemorySegment framebuffer;
    private RenderTarget target;
    private int fbWidth;
    private int fbHeight;

    /** What changed since the last commit (buffer coordinates). */
    private RectSet hostDamage = RectSet.EMPTY;
    /** The damage of the frame being painted. */
    private RectSet frameDamage = RectSet.EMPTY;
    private boolean anythingAttached;

    private boolean configured;
    private int configureWidth;
    private int configureHeight;
    private boolean configureFullscreenOrMaximized;
    private int windowedWidth;
    private int windowedHeight;
    private int ackSerial;
    private boolean ackPending;

    private boolean wanted;
    private boolean paintPosted;
    private boolean callbackPending;
    private boolean waitingForBuffer;

    private long lastPresentedNs;
    private long lastPresentedSeq;
    private long hostRefreshNs;
    private long lastPaintNs;
    private long lastPaintSeq = -1;

    private long commits;
    private long copiedBytes;
    private long copyNs;

    private final WlCallback.Listener frameDone = new WlCallback.Listener() {
        @Override
        public void done(Proxy self, int timeMs) {
            callbackPending = false;
            if (wanted && !paintPosted) paintNow();
        }
    };

    private final WpPresentationFeedback.Listener feedback = new WpPresentationFeedback.Listener() {
        @Override
        public void presented(Proxy self, int tvSecHi, int tvSecLo, int tvNsec, int refresh, int seqHi, int seqLo, int flags) {
            hostPresented(((long) tvSecHi << 32 | (tvSecLo & 0xffffffffL)) * 1_000_000_000L + tvNsec,
                    refresh & 0xffffffffL, (long) seqHi << 32 | (seqLo & 0xffffffffL));
        }
    };

    HostWindow(NestedBackend backend, Output output, Scene scene, Renderer renderer, EventLoop loop) {
        this.backend = backend;
        this.output = output;
        this.loop = loop;
        this.windowedWidth = output.width();
        this.windowedHeight = output.height();
        this.painter = new OutputPainter(output, scene, renderer, loop, this);
        this.scene = scene;
        ring = new ShmBufferRing(backend.shm(), WlShm.FORMAT_XRGB8888, HOST_BUFFERS, output.width(), output.height());
        ring.onRelease(this::bufferReleased);
        surface = WlCompositor.createSurface(backend.compositor());
        xdgSurface = XdgWmBase.getXdgSurface(backend.wmBase(), surface);
        xdgSurface.listen(new XdgSurface.Listener() {
            @Override
            public void configure(Proxy self, int serial) {
                configured(serial);
            }
        });
        toplevel = XdgSurface.getToplevel(xdgSurface);
        toplevel.listen(new XdgToplevel.Listener() {
            @Override
            public void configure(Proxy self, int width, int height, MemorySegment states) {
                configureWidth = width;
                configureHeight = height;
                configureFullscreenOrMaximized = false;
                for (long i = 0, n = states.byteSize() / 4; i < n; i++) {
                    int s = states.getAtIndex(JAVA_INT, i);
                    if (s == XdgToplevel.STATE_FULLSCREEN || s == XdgToplevel.STATE_MAXIMIZED) configureFullscreenOrMaximized = true;
                }
            }

            @Override
            public void close(Proxy self) {
                backend.windowClosed(HostWindow.this);
            }
        });
        layers = backend.subcompositor() == null ? null
                : new HostLayers(backend.compositor(), backend.subcompositor(), backend.viewporter(), surface, backend.hostBuffers());
        planner = backend.planner();
        XdgToplevel.setTitle(toplevel, "Ferry nested: " + output.name());
        XdgToplevel.setAppId(toplevel, "dev.ferry.Ferry");
        WlSurface.commit(surface);
    }

    Output output() { return output; }

    /** The host wl_surface that shows this output (host input events name it). */
    Proxy hostSurface() { return surface; }
    OutputPainter painter() { return painter; }

    private void configured(int serial) {
        int w = configureWidth, h = configureHeight;
        if (w <= 0 || h <= 0) {
            // The host leaves the size to us: the windowed size (the mode asked for, or the last
            // size the host gave a plain window).
            w = windowedWidth;
            h = windowedHeight;
        } else if (!configureFullscreenOrMaximized) {
            windowedWidth = w;
            windowedHeight = h;
        }
        configured = true;
        ackSerial = serial;
        ackPending = true;
        if (w != output.width() || h != output.height()) {
            LOG.info("{}: the host resized the window to {}x{}", output.name(), w, h);
            output.resize(w, h, output.refreshMilliHz());
            backend.relayout();
        }
        // A configure is acked with the commit of a frame at its size; paint one now.
        painter.schedule();
        if (wanted) requestFrame();
    }

    void setFullscreen(boolean fullscreen) {
        if (fullscreen) XdgToplevel.setFullscreen(toplevel, null);
        else XdgToplevel.unsetFullscreen(toplevel);
    }

    // ---- FrameSink ----

    @Override
    public void requestFrame() {
        wanted = true;
        if (!configured || callbackPending || paintPosted || waitingForBuffer || !backend.alive()) return;
        paintPosted = true;
        loop.execute(this::paintNow);
    }

    private void paintNow() {
        paintPosted = false;
        // In flight: the painter asks again when that frame is done.
        if (!wanted || !configured || painter.inFlight() || !backend.alive()) return;
        wanted = false;
        FrameClaims claims = planPassthrough();
        // The painter takes the output's damage; remember it (and leave it there) for the host.
        frameDamage = output.takeDamage();
        output.damageLayout(frameDamage.translate(output.x(), output.y()));
        long nowNs = MonotonicClock.nowNs();
        long seq = lastPaintSeq + 1;
        if (lastPresentedNs > 0 && hostRefreshNs > 0) seq = lastPresentedSeq + hostRefreshesUntil(nowNs);
        long timeNs = presentationTimeOfPaintAt(nowNs);
        if (seq <= lastPaintSeq || hostTimeAt(nowNs) <= lastPaintNs) seq = lastPaintSeq + 1;
        lastPaintNs = timeNs;
        lastPaintSeq = seq;
        painter.paint(timeNs, seq, claims);
    }

    /** Host refreshes from its last presentation to the first at or after nowNs. */
    private long hostRefreshesUntil(long nowNs) {
        return Math.max(0, (nowNs - lastPresentedNs + hostRefreshNs - 1) / hostRefreshNs);
    }

    /** The host's next refresh at or after nowNs (carried forward from its last presentation), else now. */
    private long hostTimeAt(long nowNs) {
        return lastPresentedNs > 0 && hostRefreshNs > 0 ? lastPresentedNs + hostRefreshesUntil(nowNs) * hostRefreshNs : nowNs;
    }

    /**
     * The presentation time a frame painted at nowNs is given: the host's next refresh at or
     * after now, always a refresh past the last frame's.
     */
    private long presentationTimeOfPaintAt(long nowNs) {
        long timeNs = hostTimeAt(nowNs);
        long seq = lastPresentedNs > 0 && hostRefreshNs > 0 ? lastPresentedSeq + hostRefreshesUntil(nowNs) : lastPaintSeq + 1;
        if (seq <= lastPaintSeq || timeNs <= lastPaintNs) timeNs = Math.max(timeNs, lastPaintNs + refreshNs());
        return timeNs;
    }

    private long refreshNs() {
        return Math.max(1, hostRefreshNs > 0 ? hostRefreshNs : output.refreshNs());
    }

    /**
     * When a frame started now would be presented, for commit timing: painted at once when the
     * host is not holding us (no frame callback pending, nothing in flight); otherwise at the
     * host's next frame callback, a refresh past the last frame at the earliest. Never earlier
     * than the time that frame will be given, so a commit held by it is never shown early.
     */
    long nextPresentationNs() {
        long nowNs = MonotonicClock.nowNs();
        long t = presentationTimeOfPaintAt(nowNs);
        if (callbackPending || waitingForBuffer || painter.inFlight()) t = Math.max(t, lastPaintNs + refreshNs());
        return t;
    }

    /**
     * Decides what goes to the host as it is this frame: those surfaces are left out of the
     * composition, and so is the output's damage under the opaque ones (the host shows them
     * there; the composed buffer under them is never seen). Where a surface left the host, the
     * composed buffer is drawn again.
     */
    private FrameClaims planPassthrough() {
        if (layers == null) return FrameClaims.NONE;
        List<Scene.Placed> through = List.of();
        Map<Surface, Set<FallbackReason>> reasons = Map.of();
        RectSet opaque = RectSet.EMPTY;
        if (backend.passthrough()) {
            PassthroughPlanner.Plan plan = planner.plan(scene.visibleOn(output), output.width(), output.height());
            through = plan.passthrough();
            reasons = plan.reasons();
            opaque = plan.opaqueArea();
        }
        if (through.isEmpty() && !layers.active()) {
            passthroughToApply = null;
            return reasons.isEmpty() ? FrameClaims.NONE : new FrameClaims(Set.of(), reasons, false);
        }
        RectSet leaving = layers.leaving(through);
        if (!leaving.isEmpty()) output.damageLayout(leaving.translate(output.x(), output.y()));
        if (!opaque.isEmpty()) {
            RectSet d = output.takeDamage().subtract(opaque).simplified();
            if (!d.isEmpty()) output.damageLayout(d.translate(output.x(), output.y()));
        }
        boolean changed = layers.changes(through);
        passthroughToApply = through;
        Set<Surface> claimed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Scene.Placed p : through) claimed.add(p.surface());
        return new FrameClaims(claimed, reasons, changed);
    }

    @Override
    public RenderTarget target() {
        int w = output.width(), h = output.height();
        if (framebuffer == null || w != fbWidth || h != fbHeight) {
            // No frame is in flight when the painter asks for its target, so the old one can go.
            if (fbArena != null) fbArena.close();
            fbArena = Arena.ofShared();
            framebuffer = fbArena.allocate(4L * w * h, 64);
            fbWidth = w;
            fbHeight = h;
            // ARGB8888 so that every composed pixel has its top byte set: the host gets XRGB8888
            // buffers whose X bytes are 0xff. (Weston 10 with pixman shows XRGB8888 pixels whose X
            // byte is 0, as a straight copy from an XRGB client leaves them, as white.)
            target = RenderTarget.full(framebuffer, w, h, 4 * w, Fourcc.ARGB8888);
            ring.resize(w, h);
            stale.clear();
            hostDamage = RectSet.of(0, 0, w, h);
        }
        return target;
    }

    @Override
    public void presented(long timeNs) {
        RectSet d = frameDamage.intersect(0, 0, fbWidth, fbHeight);
        frameDamage = RectSet.EMPTY;
        if (!d.isEmpty()) {
            for (Map.Entry<ShmBufferRing.Slot, RectSet> e : stale.entrySet()) e.setValue(e.getValue().add(d).simplified());
            hostDamage = hostDamage.add(d).simplified();
        }
        commitFrame();
    }

    private void bufferReleased() {
        if (waitingForBuffer && backend.alive()) {
            waitingForBuffer = false;
            commitFrame();
        }
    }

    private void commitFrame() {
        if (!backend.alive()) return;
        boolean sizeMatches = ring.width() == output.width() && ring.height() == output.height();
        boolean ack = ackPending && sizeMatches;
        if (hostDamage.isEmpty() && anythingAttached && !ack) {
            // Nothing changed: no new buffer, but keep being paced by the host.
            commitWithCallback(false);
            return;
        }
        ShmBufferRing.Slot slot;
        try {
            slot = ring.acquire();
        } catch (PosixException e) {
            LOG.warn("{}: no host buffer: {}", output.name(), e.getMessage());
            output.damageAll();
            return;
        }
        if (slot == null) {
            waitingForBuffer = true;
            return;
        }
        long start = MonotonicClock.nowNs();
        RectSet missing = stale.get(slot);
        if (missing == null) missing = RectSet.of(0, 0, fbWidth, fbHeight);
        copiedBytes += copy(missing, slot);
        stale.put(slot, RectSet.EMPTY);
        copyNs += MonotonicClock.nowNs() - start;
        if (ack) {
            XdgSurface.ackConfigure(xdgSurface, ackSerial);
            ackPending = false;
        }
        WlSurface.attach(surface, slot.buffer(), 0, 0);
        boolean damageBuffer = surface.version() >= 4;
        for (int i = 0; i < hostDamage.count(); i++) {
            if (damageBuffer) WlSurface.damageBuffer(surface, hostDamage.x(i), hostDamage.y(i), hostDamage.w(i), hostDamage.h(i));
            else WlSurface.damage(surface, hostDamage.x(i), hostDamage.y(i), hostDamage.w(i), hostDamage.h(i));
        }
        hostDamage = RectSet.EMPTY;
        ring.attached(slot);
        anythingAttached = true;
        commitWithCallback(true);
    }

    private void commitWithCallback(boolean newBuffer) {
        List<HostLayers.Latch> latched = List.of();
        HostFrame hostFrame = null;
        if (passthroughToApply != null) {
            latched = layers.apply(passthroughToApply);
            passthroughToApply = null;
        }
        Proxy presentation = backend.presentation();
        if (latched.isEmpty()) {
            WlSurface.frame(surface).listen(frameDone);
            if (presentation != null && newBuffer) WpPresentation.feedback(presentation, surface).listen(feedback);
        } else {
            // The passed-through surfaces' presentation feedback follows the host's (or, with no
            // wp_presentation, its next frame callback).
            hostFrame = new HostFrame(latched, presentation != null);
            WlSurface.frame(surface).listen(hostFrame);
            if (presentation != null) WpPresentation.feedback(presentation, surface).listen(hostFrame);
        }
        callbackPending = true;
        WlSurface.commit(surface);
        commits++;
        if (hostFrame != null) hostFrame.committed();
    }

    /**
     * A host commit carrying passed-through surfaces, and surfaces leaving the host (composed into
     * its buffer) while the host still shows an older buffer of theirs. Each surface's frame
     * callbacks are answered once the host has let go of the buffer this commit takes off its
     * screen (at once when there is none), which is when the host has taken the new one, and at
     * the latest when the host answers this commit's frame callback. Waiting for that callback in
     * every case put them a host refresh behind the composed path whenever the client's commit
     * fell just past the host's repaint, and waylandsink, which drops a buffer while a callback is
     * pending, played at 30 fps. Answering before the host let go of the old buffer would leave a
     * two-buffer client (weston-simple-shm) with none free when told to draw. Their presentation
     * feedback goes out with the host's. What each surface latched is taken for this commit, since
     * the next commit may latch again before the host's feedback for this one comes. With no
     * wp_presentation, feedback at the host's "done".
     */
    private final class HostFrame implements WlCallback.Listener, WpPresentationFeedback.Listener {
        private final List<HostLayers.Latch> latches;
        private final List<Surface.Latched> latched;
        private final boolean[] told;
        private final boolean feedbackFollows;

        HostFrame(List<HostLayers.Latch> latches, boolean feedbackFollows) {
            this.latches = latches;
            this.feedbackFollows = feedbackFollows;
            this.latched = new ArrayList<>(latches.size());
            this.told = new boolean[latches.size()];
            for (HostLayers.Latch l : latches) latched.add(l.surface().takeLatched());
        }

        /** The commit went to the host: each surface may draw again once its old buffer is free. */
        void committed() {
            for (int i = 0; i < latches.size(); i++) {
                int at = i;
                ClientBuffer old = latches.get(i).replaced();
                if (old == null) tell(at);
                else backend.hostBuffers().whenFree(old, () -> tell(at));
            }
        }

        private void tell(int i) {
            if (told[i]) return;
            told[i] = true;
            Surface s = latches.get(i).surface();
            if (!s.destroyed()) s.framesDone(latched.get(i), MonotonicClock.nowNs());
        }

        @Override
        public void done(Proxy self, int timeMs) {
            for (int i = 0; i < latches.size(); i++) tell(i);
            if (!feedbackFollows) deliver(MonotonicClock.nowNs(), output.refreshNs(), lastPaintSeq, WpPresentationFeedback.KIND_VSYNC);
            frameDone.done(self, timeMs);
        }

        @Override
        public void presented(Proxy self, int tvSecHi, int tvSecLo, int tvNsec, int refresh, int seqHi, int seqLo, int flags) {
            feedback.presented(self, tvSecHi, tvSecLo, tvNsec, refresh, seqHi, seqLo, flags);
            long hostNs = ((long) tvSecHi << 32 | (tvSecLo & 0xffffffffL)) * 1_000_000_000L + tvNsec;
            long seq = (long) seqHi << 32 | (seqLo & 0xffffffffL);
            // On another clock the host's time means nothing to clients: now, the moment Ferry heard.
            long timeNs = backend.hostClockIsOurs() ? hostNs : MonotonicClock.nowNs();
            deliver(timeNs, refresh > 0 ? refresh & 0xffffffffL : output.refreshNs(), seq, flags);
        }

        @Override
        public void discarded(Proxy self) {
            long nowNs = MonotonicClock.nowNs();
            for (int i = 0; i < latches.size(); i++) {
                Surface s = latches.get(i).surface();
                if (!s.destroyed()) s.frameDropped(latched.get(i), nowNs);
            }
        }

        private void deliver(long timeNs, long refreshNs, long seq, int flags) {
            PathObserver observer = backend.observer();
            for (int i = 0; i < latches.size(); i++) {
                Surface s = latches.get(i).surface();
                if (s.destroyed()) continue;
                s.presented(latched.get(i), output, timeNs, refreshNs, seq, flags);
                // One composed again was counted with its composed frame.
                if (observer != null && latches.get(i).passedThrough()) observer.surfacePresented(output, s, PathKind.HOST_PASSTHROUGH, noReasons, timeNs);
            }
        }
    }

    /** Copies the rectangles of the framebuffer into a host buffer; returns bytes copied. */
    private long copy(RectSet rects, ShmBufferRing.Slot slot) {
        MemorySegment dst = slot.memory();
        int srcStride = 4 * fbWidth, dstStride = slot.stride();
        long bytes = 0;
        for (int i = 0; i < rects.count(); i++) {
            int x0 = Math.max(0, rects.x(i)), y0 = Math.max(0, rects.y(i));
            int x1 = Math.min(fbWidth, rects.x(i) + rects.w(i)), y1 = Math.min(fbHeight, rects.y(i) + rects.h(i));
            if (x1 <= x0 || y1 <= y0) continue;
            long rowBytes = 4L * (x1 - x0);
            if (x0 == 0 && x1 == fbWidth && srcStride == dstStride) {
                MemorySegment.copy(framebuffer, (long) y0 * srcStride, dst, (long) y0 * dstStride, rowBytes * (y1 - y0));
            } else {
                for (int y = y0; y < y1; y++) {
                    MemorySegment.copy(framebuffer, (long) y * srcStride + 4L * x0, dst, (long) y * dstStride + 4L * x0, rowBytes);
                }
            }
            bytes += rowBytes * (y1 - y0);
        }
        return bytes;
    }

    private void hostPresented(long timeNs, long refreshNs, long seq) {
        if (refreshNs > 0) {
            hostRefreshNs = refreshNs;
            int mhz = (int) Math.round(1e12 / refreshNs);
            if (Math.abs(mhz - output.refreshMilliHz()) > output.refreshMilliHz() / 50) {
                // The host's refresh is the output's: clients see it in wl_output.mode.
                output.resize(output.width(), output.height(), mhz);
                painter.schedule();
            }
        }
        if (backend.hostClockIsOurs()) {
            lastPresentedNs = timeNs;
            lastPresentedSeq = seq;
        }
    }

    NestedBackend.HostStats stats() {
        return new NestedBackend.HostStats(commits, copiedBytes, copyNs, ring.slots().size(), fbWidth, fbHeight,
                layers == null ? 0 : layers.count(), layers == null ? 0 : layers.attaches(), backend.hostBuffers().held(),
                callbackPending);
    }

    int[] screenshot() {
        // With surfaces on host subsurfaces the framebuffer lacks them: compose what the host shows.
        if (layers != null && layers.active()) return ReferenceComposition.compose(scene, output);
        int[] px = new int[output.width() * output.height()];
        if (framebuffer == null || fbWidth != output.width() || fbHeight != output.height()) return px;
        MemorySegment.copy(framebuffer, JAVA_INT, 0, px, 0, px.length);
        for (int i = 0; i < px.length; i++) px[i] |= 0xff000000;
        return px;
    }

    /** Destroys the host objects (when the host is still there) and frees the framebuffer. */
    void close(boolean hostAlive) {
        if (layers != null) layers.close(hostAlive);
        if (hostAlive) {
            ring.close();
            XdgToplevel.destroy(toplevel);
            XdgSurface.destroy(xdgSurface);
            WlSurface.destroy(surface);
        } else {
            ring.close();
        }
        // Any frame still being drawn into the framebuffer has been abandoned with the renderer.
        if (fbArena != null) fbArena.close();
        fbArena = null;
        framebuffer = null;
    }
}
