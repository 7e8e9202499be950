package dev.ferry.client;

import dev.ferry.drm.AllocationException;
import dev.ferry.drm.CpuMapping;
import dev.ferry.drm.DmaBuf;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlBuffer;
import dev.ferry.protocol.interfaces.WlCallback;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.interfaces.WpPresentation;
import dev.ferry.protocol.interfaces.WpPresentationFeedback;
import dev.ferry.protocol.interfaces.XdgToplevel;
import dev.ferry.protocol.interfaces.ZwpLinuxBufferParamsV1;
import dev.ferry.protocol.interfaces.ZwpLinuxDmabufV1;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * An xdg_toplevel that shows a small ring of buffers, paced by frame callbacks, with
 * wp_presentation feedback counted per frame. Buffers are dma-bufs allocated on this process's
 * {@link dev.ferry.drm.FakeKernel} as the surface's dma-buf feedback asks (reallocated when it
 * changes), or wl_shm buffers (asked for, or when the compositor has no linux-dmabuf).
 *
 * <p>Ownership: each ring slot owns its dma-buf (fds), CPU mapping and wl_buffer; a slot left
 * behind by a reallocation is destroyed as soon as the compositor releases it.
 */
public final class DmabufWindow implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DmabufWindow.class);
    private static final int WAIT_MS = 5000;

    public enum Buffers { DMABUF, SHM }

    /** What to show and how to allocate; null device/modifier follow the feedback. */
    public record Options(String title, int width, int height, boolean fullscreen, Buffers buffers, int ring,
                          String device, Long firstModifier, boolean asyncCreate, String output, int fourcc) {
        /** XRGB8888 buffers. */
        public Options(String title, int width, int height, boolean fullscreen, Buffers buffers, int ring,
                       String device, Long firstModifier, boolean asyncCreate, String output) {
            this(title, width, height, fullscreen, buffers, ring, device, firstModifier, asyncCreate, output, Fourcc.XRGB8888);
        }

        public static Options of(String title, int width, int height) {
            return new Options(title, width, height, false, Buffers.DMABUF, 3, null, null, false, null, Fourcc.XRGB8888);
        }

        public Options fullscreen(boolean f) { return new Options(title, width, height, f, buffers, ring, device, firstModifier, asyncCreate, output, fourcc); }
        public Options buffers(Buffers b) { return new Options(title, width, height, fullscreen, b, ring, device, firstModifier, asyncCreate, output, fourcc); }
        public Options device(String d) { return new Options(title, width, height, fullscreen, buffers, ring, d, firstModifier, asyncCreate, output, fourcc); }
        public Options firstModifier(Long m) { return new Options(title, width, height, fullscreen, buffers, ring, device, m, asyncCreate, output, fourcc); }
        public Options asyncCreate(boolean a) { return new Options(title, width, height, fullscreen, buffers, ring, device, firstModifier, a, output, fourcc); }

        /** Fullscreen on the wl_output with this name (v4 name event) rather than where the compositor likes. */
        public Options output(String name) { return new Options(title, width, height, fullscreen, buffers, ring, device, firstModifier, asyncCreate, name, fourcc); }

        /** The dma-buf format (XRGB8888 unless set; NV12 for a video decoder's output). wl_shm buffers stay XRGB8888. */
        public Options fourcc(int f) { return new Options(title, width, height, fullscreen, buffers, ring, device, firstModifier, asyncCreate, output, f); }
    }

    /** Binds every wl_output and returns the one with that name. */
    private static Proxy outputNamed(WaylandClient client, String name) throws IOException {
        java.util.Map<String, Proxy> byName = new java.util.HashMap<>();
        for (Proxy o : client.bindAll(dev.ferry.protocol.interfaces.WlOutput.INTERFACE, 4)) {
            o.listen(new dev.ferry.protocol.interfaces.WlOutput.Listener() {
                @Override
                public void name(Proxy self, String n) {
                    byName.put(n, self);
                }
            });
        }
        client.roundtrip();
        Proxy o = byName.get(name);
        if (o == null) throw new IOException("the compositor has no output " + name + " (has " + byName.keySet() + ")");
        return o;
    }

    /** One presentation result: the frame number it was for and the wp_presentation flags (-1: discarded). */
    public record Presented(long frame, int flags, long timeNs) {
        public boolean zeroCopy() { return flags >= 0 && (flags & WpPresentationFeedback.KIND_ZERO_COPY) != 0; }
    }

    /** How the compositor learns that a frame's rendering is done: implicit fences, or syncobj points. */
    public enum Sync { IMPLICIT, EXPLICIT }

    /**
     * A fake GPU render of every dma-buf frame: durationNs at normal clocks, fastestNs if a
     * deadline hint hurries it. Its fence is the buffer's implicit one or the frame's acquire point.
     */
    public record GpuJob(long durationNs, long fastestNs) {}

    /** Called just before a frame's commit with its dma-buf (null for shm): tests set fences here. */
    public interface CommitHook {
        void beforeCommit(long frame, DmaBuf buffer) throws PosixException;
    }

    private final WaylandClient client;
    private final DmabufAllocator allocator;
    private final Options options;
    private final Proxy surface;
    private final Toplevel toplevel;
    private final Proxy presentation;
    private final Proxy linuxDmabuf;
    private final Proxy shm;
    private final DmabufFeedback feedback;
    private final List<Slot> ring = new ArrayList<>();
    private final List<Slot> retiring = new ArrayList<>();
    private final List<Presented> presentedLog = new ArrayList<>();
    private final List<Long> reallocatedAt = new ArrayList<>();
    private final int width;
    private final int height;
    private DmabufAllocator.Plan plan;
    private boolean reallocWanted;
    private boolean framePending;
    private long submitted;
    private long presented;
    private long zeroCopy;
    private long discarded;
    private long frameCallbacks;
    private CommitHook hook;
    private ShmPool shmPool;
    private Sync sync = Sync.IMPLICIT;
    private GpuJob job;
    private ExplicitSync explicit;
    /** Explicit sync: release points seen signalled, and the time from commit to release, summed. */
    private long releases;
    private long releaseWaitNsSum;
    /** Explicit sync: per release seen, {frame committed, when its release point signalled}. */
    private final List<long[]> releaseLog = new ArrayList<>();

    public DmabufWindow(WaylandClient client, DmabufAllocator allocator, Options options) throws IOException {
        this.client = client;
        this.allocator = allocator;
        this.options = options;
        Proxy compositor = client.bind(WlCompositor.INTERFACE, 5);
        presentation = client.global(WpPresentation.INTERFACE.name()) == null ? null : client.bind(WpPresentation.INTERFACE, 1);
        boolean wantDmabuf = options.buffers() == Buffers.DMABUF && allocator != null
                && client.global(ZwpLinuxDmabufV1.INTERFACE.name()) != null
                && client.global(ZwpLinuxDmabufV1.INTERFACE.name()).version() >= 4;
        linuxDmabuf = wantDmabuf ? client.bind(ZwpLinuxDmabufV1.INTERFACE, 5) : null;
        shm = linuxDmabuf == null ? client.bind(WlShm.INTERFACE, 1) : null;
        toplevel = new Toplevel(client, compositor, options.title());
        surface = toplevel.surface();
        XdgToplevel.setAppId(toplevel.toplevel(), "dev.ferry.client." + options.title());
        if (options.fullscreen()) {
            XdgToplevel.setFullscreen(toplevel.toplevel(), options.output() == null ? null : outputNamed(client, options.output()));
        }
        feedback = linuxDmabuf == null ? null : DmabufFeedback.forSurface(linuxDmabuf, surface, this::feedbackChanged);
        WlSurface.commit(surface);
        waitFor(() -> toplevel.configured() && (feedback == null || feedback.current() != null), "configure and feedback");
        boolean useConfigured = options.fullscreen() && toplevel.configuredWidth() > 0 && toplevel.configuredHeight() > 0;
        width = useConfigured ? toplevel.configuredWidth() : options.width();
        height = useConfigured ? toplevel.configuredHeight() : options.height();
        if (linuxDmabuf == null) {
            long bytes = 4L * width * height;
            try {
                shmPool = new ShmPool(shm, bytes * options.ring(), true);
            } catch (PosixException e) {
                throw new IOException("shm pool: " + e.getMessage(), e);
            }
            for (int i = 0; i < options.ring(); i++) ring.add(new ShmSlot(i * bytes));
        } else {
            plan = allocator.plan(feedback.current(), options.fourcc(), options.device(), options.firstModifier());
            if (plan == null) throw new IOException("no tranche names a device this client can allocate on: " + feedback.current());
            allocateRing();
        }
    }

    public Proxy surface() { return surface; }
    public int width() { return width; }
    public int height() { return height; }
    public boolean usesDmabuf() { return linuxDmabuf != null; }
    public DmabufAllocator.Plan plan() { return plan; }
    public DmabufFeedback feedback() { return feedback; }
    public long submitted() { return submitted; }
    public long presented() { return presented; }
    public long zeroCopyPresented() { return zeroCopy; }
    public long discarded() { return discarded; }
    public long frameCallbacks() { return frameCallbacks; }
    /** Frame numbers at which a reallocation took effect (the first frame drawn into new buffers). */
    public List<Long> reallocatedAt() { return List.copyOf(reallocatedAt); }
    public List<Presented> presentedLog() { return List.copyOf(presentedLog); }
    public int feedbackEvents() { return feedback == null ? 0 : feedback.batches(); }
    public boolean framePending() { return framePending; }
    public void setCommitHook(CommitHook hook) { this.hook = hook; }

    /**
     * Renders every frame with a fake GPU job (null: none, the CPU paint is all) and synchronizes
     * it implicitly or with wp_linux_drm_syncobj_v1 (an IOException if the compositor lacks it).
     * Call before the first frame.
     */
    public void setRendering(Sync s, GpuJob j) throws IOException {
        if (s == Sync.EXPLICIT && explicit == null) {
            if (linuxDmabuf == null) throw new IOException("explicit sync needs dma-buf buffers");
            explicit = ExplicitSync.forSurface(client, surface, allocator.kernel());
            if (explicit == null) throw new IOException("the compositor has no wp_linux_drm_syncobj_manager_v1");
        }
        sync = s;
        job = j;
    }

    public Sync sync() { return sync; }

    private FramePacing pacing;

    /** Commits paced by the compositor (FIFO, target times); owned by this window from now on. */
    public void setPacing(FramePacing p) { pacing = p; }

    public FramePacing pacing() { return pacing; }

    /** Explicit sync: release points the compositor signalled so far. */
    public long releases() { return releases; }

    /** Explicit sync: a release point seen signalled, for the buffer of this frame, at atNs (kernel clock). */
    public record Released(long frame, long atNs) {}

    /** Explicit sync: every release seen so far, in the order they were seen. */
    public List<Released> releaseLog() {
        List<Released> out = new ArrayList<>(releaseLog.size());
        for (long[] r : releaseLog) out.add(new Released(r[0], r[1]));
        return out;
    }

    /** Explicit sync: mean time from a commit to its release point signalling, in ns (kernel clock). */
    public long meanReleaseWaitNs() { return releases == 0 ? 0 : releaseWaitNsSum / releases; }

    /**
     * Explicit sync: releases of a buffer that was scanned out (presented zero-copy) signalled
     * before any later frame was presented, i.e. before the flip that took it off the plane. A
     * correct compositor has none.
     */
    public long releasesBeforeReplaced() {
        long early = 0;
        for (long[] r : releaseLog) {
            boolean onPlane = false, replacedFirst = false;
            for (Presented p : presentedLog) {
                if (p.frame() == r[0] && p.zeroCopy()) onPlane = true;
                if (p.frame() > r[0] && p.flags() >= 0 && p.timeNs() <= r[1]) replacedFirst = true;
            }
            if (onPlane && !replacedFirst) early++;
        }
        return early;
    }

    /** Explicit sync: releases checked by {@link #releasesBeforeReplaced} that were of scanned-out buffers. */
    public long scannedOutReleases() {
        long n = 0;
        for (long[] r : releaseLog) {
            for (Presented p : presentedLog) {
                if (p.frame() == r[0] && p.zeroCopy()) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    /** Deadline hints that hurried this window's render jobs (read from the shared fences). */
    public long deadlineBoosts() {
        long n = 0;
        for (Slot s : ring) n += s.boosts();
        for (Slot s : retiring) n += s.boosts();
        return n + retiredBoosts;
    }

    private long retiredBoosts;

    /** A protocol error from the compositor ends the connection; this says whether one came. */
    public String protocolError() { return client.display().failed() ? client.display().error() : null; }

    private void feedbackChanged(DmabufFeedback.Snapshot snapshot) {
        if (plan == null) return; // the first batch: the constructor plans from it
        DmabufAllocator.Plan next = allocator.plan(snapshot, options.fourcc(), options.device(), null);
        if (next != null && !next.sameAs(plan)) {
            LOG.debug("{}: feedback changed, reallocating: {} -> {}", options.title(), plan, next);
            plan = next;
            reallocWanted = true;
        }
    }

    /**
     * Draws frame number {@code frame} into a free buffer and commits it with a frame callback
     * and presentation feedback. Waits (dispatching) up to timeoutMs for a buffer to come back;
     * false on timeout.
     */
    public boolean drawFrame(long frame, Consumer<Canvas> painter, int timeoutMs) throws IOException {
        if (reallocWanted) reallocate(frame);
        Slot slot = waitForFreeSlot(timeoutMs);
        if (slot == null) return false;
        slot.paint(painter);
        if (job != null || sync == Sync.EXPLICIT) slot.render(frame);
        if (pacing != null) pacing.beforeCommit(frame, allocator != null ? allocator.kernel().clock().nowNs() : dev.ferry.posix.MonotonicClock.nowNs());
        if (hook != null) {
            try {
                hook.beforeCommit(frame, slot.dmaBuf());
            } catch (PosixException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        slot.busy = true;
        WlSurface.attach(surface, slot.wlBuffer, 0, 0);
        WlSurface.damageBuffer(surface, 0, 0, width, height);
        framePending = true;
        WlSurface.frame(surface).listen(new WlCallback.Listener() {
            @Override
            public void done(Proxy self, int timeMs) {
                framePending = false;
                frameCallbacks++;
            }
        });
        if (presentation != null) {
            WpPresentation.feedback(presentation, surface).listen(new WpPresentationFeedback.Listener() {
                @Override
                public void presented(Proxy self, int secHi, int secLo, int nsec, int refresh, int seqHi, int seqLo, int flags) {
                    presented++;
                    if ((flags & WpPresentationFeedback.KIND_ZERO_COPY) != 0) zeroCopy++;
                    long sec = ((long) secHi << 32) | Integer.toUnsignedLong(secLo);
                    presentedLog.add(new Presented(frame, flags, sec * 1_000_000_000L + nsec));
                }

                @Override
                public void discarded(Proxy self) {
                    discarded++;
                    presentedLog.add(new Presented(frame, -1, 0));
                }
            });
        }
        WlSurface.commit(surface);
        submitted++;
        client.flush();
        return true;
    }

    /** Waits for the last frame's callback up to timeoutMs; false on timeout. */
    public boolean awaitFrame(int timeoutMs) throws IOException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (framePending && !client.display().failed()) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) return false;
            client.dispatch((int) Math.min(left, 50));
        }
        return !framePending;
    }

    /** Dispatches until every submitted frame has its presentation answer, up to timeoutMs. */
    public boolean awaitPresentation(int timeoutMs) throws IOException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (presentation != null && presented + discarded < submitted && !client.display().failed()) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) return false;
            client.dispatch((int) Math.min(left, 50));
        }
        return true;
    }

    private Slot waitForFreeSlot(int timeoutMs) throws IOException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            for (Slot s : ring) {
                s.checkReleasePoint();
                if (!s.busy) return s;
            }
            if (client.display().failed()) return null;
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) return null;
            client.dispatch((int) Math.min(left, 50));
        }
    }

    private void allocateRing() throws IOException {
        for (int i = 0; i < options.ring(); i++) ring.add(new DmabufSlot(plan));
    }

    private void reallocate(long frame) throws IOException {
        reallocWanted = false;
        List<Slot> old = new ArrayList<>(ring);
        ring.clear();
        try {
            allocateRing();
        } catch (IOException e) {
            // Keep showing what worked; the next feedback change may do better.
            LOG.warn("{}: reallocation to {} failed ({}); keeping the old buffers", options.title(), plan, e.getMessage());
            for (Slot s : ring) s.destroy();
            ring.clear();
            ring.addAll(old);
            return;
        }
        for (Slot s : old) {
            if (s.busy) retiring.add(s);
            else s.destroy();
        }
        reallocatedAt.add(frame);
    }

    private void released(Slot s) {
        // With explicit sync the release point, not wl_buffer.release, frees the buffer.
        if (s.timeline != null) {
            s.checkReleasePoint();
            return;
        }
        s.busy = false;
        if (retiring.remove(s)) s.destroy();
    }

    private void waitFor(java.util.function.BooleanSupplier cond, String what) throws IOException {
        long deadline = System.nanoTime() + WAIT_MS * 1_000_000L;
        while (!cond.getAsBoolean()) {
            if (client.display().failed()) throw new IOException("protocol error: " + client.display().error());
            if (System.nanoTime() > deadline) throw new IOException("no " + what + " from the compositor in " + WAIT_MS + " ms");
            client.dispatch(50);
        }
    }

    // ---------------------------------------------------------------- ring slots

    private abstract class Slot {
        Proxy wlBuffer;
        boolean busy;
        /** Explicit sync: this buffer's own timeline, the release point awaited, and the frame and time committed. */
        ExplicitSync.Timeline timeline;
        long releasePoint;
        long committedFrame;
        long committedNs;

        /** Runs this frame's fake GPU job on the buffer, and sets the commit's points for explicit sync. */
        final void render(long frame) throws IOException {
            DmaBuf buf = dmaBuf();
            if (buf == null) return;
            long duration = job == null ? 1 : job.durationNs(), fastest = job == null ? 1 : job.fastestNs();
            if (sync == Sync.EXPLICIT) {
                if (timeline == null) timeline = explicit.timeline();
                releasePoint = timeline.render(duration, fastest);
                committedFrame = frame;
                committedNs = allocator.kernel().clock().nowNs();
            } else {
                try {
                    plan.device().submitRenderJob(buf, duration, fastest);
                } catch (PosixException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }
        }

        /** Frees the buffer once the compositor signalled its release point. */
        final void checkReleasePoint() {
            if (timeline == null || !busy || releasePoint == 0 || !timeline.released(releasePoint)) return;
            long at = timeline.signalledAtNs(releasePoint);
            releases++;
            releaseWaitNsSum += Math.max(0, at - committedNs);
            releaseLog.add(new long[] {committedFrame, at});
            releasePoint = 0;
            busy = false;
            if (retiring.remove(this)) destroy();
        }

        /** Deadline hints that hurried this buffer's jobs: on its timeline (explicit) or its implicit fence. */
        final long boosts() {
            if (timeline != null) return timeline.boosts();
            DmaBuf buf = dmaBuf();
            try {
                return buf == null || !buf.isOpen() ? 0 : buf.fenceBoosts();
            } catch (PosixException e) {
                return 0;
            }
        }

        final void listenRelease() {
            wlBuffer.listen(new WlBuffer.Listener() {
                @Override
                public void release(Proxy self) {
                    released(Slot.this);
                }
            });
        }

        abstract void paint(Consumer<Canvas> painter);

        DmaBuf dmaBuf() { return null; }

        void destroy() {
            if (wlBuffer != null && !wlBuffer.isDestroyed()) WlBuffer.destroy(wlBuffer);
            retiredBoosts += boosts();
            if (timeline != null) {
                timeline.close();
                timeline = null;
            }
        }
    }

    private final class ShmSlot extends Slot {
        final Canvas canvas;

        ShmSlot(long offset) {
            wlBuffer = shmPool.buffer((int) offset, width, height, 4 * width, WlShm.FORMAT_XRGB8888);
            canvas = Canvas.linear(shmPool.memory().asSlice(offset, 4L * width * height), width, height, 4 * width);
            listenRelease();
        }

        @Override
        void paint(Consumer<Canvas> painter) {
            painter.accept(canvas);
        }
    }

    private final class DmabufSlot extends Slot {
        final DmaBuf buf;
        final CpuMapping map;
        final Canvas canvas;

        DmabufSlot(DmabufAllocator.Plan plan) throws IOException {
            try {
                buf = allocator.allocate(plan, width, height);
            } catch (AllocationException e) {
                throw new IOException("allocation on " + plan + " failed: " + e.getMessage(), e);
            }
            try {
                map = buf.map();
            } catch (PosixException | RuntimeException e) {
                buf.close();
                throw new IOException("mapping " + buf + " failed: " + e.getMessage(), e);
            }
            canvas = buf.fourcc() == Fourcc.NV12 ? Canvas.pixelwise(map, width, height) : Canvas.mapped(map, width, height, buf.offset(0));
            wlBuffer = createBuffer();
            if (wlBuffer == null) {
                map.close();
                buf.close();
                throw new IOException("the compositor refused " + buf);
            }
            listenRelease();
        }

        private Proxy createBuffer() throws IOException {
            Proxy params = ZwpLinuxDmabufV1.createParams(linuxDmabuf);
            long m = buf.modifier();
            for (int p = 0; p < buf.planeCount(); p++) {
                ZwpLinuxBufferParamsV1.add(params, buf.fd(p), p, buf.offset(p), buf.stride(p), (int) (m >>> 32), (int) m);
            }
            if (!options.asyncCreate()) {
                Proxy b = ZwpLinuxBufferParamsV1.createImmed(params, buf.width(), buf.height(), buf.fourcc(), 0);
                ZwpLinuxBufferParamsV1.destroy(params);
                client.flush();
                return b;
            }
            Proxy[] result = new Proxy[1];
            boolean[] answered = new boolean[1];
            params.listen(new ZwpLinuxBufferParamsV1.Listener() {
                @Override
                public void created(Proxy self, Proxy buffer) {
                    result[0] = buffer;
                    answered[0] = true;
                }

                @Override
                public void failed(Proxy self) {
                    answered[0] = true;
                }
            });
            ZwpLinuxBufferParamsV1.create(params, buf.width(), buf.height(), buf.fourcc(), 0);
            try {
                waitFor(() -> answered[0], "created/failed");
            } finally {
                ZwpLinuxBufferParamsV1.destroy(params);
            }
            return result[0];
        }

        @Override
        void paint(Consumer<Canvas> painter) {
            map.beginCpuAccess(CpuMapping.WRITE);
            try {
                painter.accept(canvas);
            } finally {
                map.endCpuAccess(CpuMapping.WRITE);
            }
        }

        @Override
        DmaBuf dmaBuf() { return buf; }

        @Override
        void destroy() {
            super.destroy();
            map.close();
            buf.close();
        }
    }

    @Override
    public void close() {
        if (feedback != null) feedback.close();
        for (Slot s : ring) s.destroy();
        for (Slot s : retiring) s.destroy();
        ring.clear();
        retiring.clear();
        if (explicit != null) explicit.close();
        if (pacing != null) pacing.close();
        toplevel.destroy();
        if (shmPool != null) shmPool.close();
        try {
            client.flush();
        } catch (IOException ignored) {
            // The compositor may already be gone.
        }
    }
}
