package dev.ferry.kms;

import dev.ferry.drm.AddFbResult;
import dev.ferry.drm.AllocationException;
import dev.ferry.drm.BufferHandle;
import dev.ferry.drm.CpuMapping;
import dev.ferry.drm.DmaBuf;
import dev.ferry.drm.DrmDevice;
import dev.ferry.drm.ImportPurpose;
import dev.ferry.drm.ImportResult;
import dev.ferry.drm.MemoryDomain;
import dev.ferry.drm.Usage;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.posix.PosixException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Gets frames rendered on the primary GPU onto an output of another device, the way Mutter
 * does: the copy modes are tried in order (zero-copy, secondary-GPU copy, primary-GPU copy,
 * CPU copy) and a mode that fails is dropped for good, logged once, and the frame that hit the
 * failure goes out through the next mode at once, so the screen never shows black or a stale
 * frame. Every feasible mode's buffers are prepared up front, because an import that worked
 * once can fail later and the fallback must then be ready.
 *
 * <p>The primary renders into {@link #renderBuffers}: LINEAR, allocated without the scanout
 * flag, in memory both devices reach when there is such memory.
 */
public final class CrossDeviceCopy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CrossDeviceCopy.class);
    private static final int DEPTH = 3;

    /** A buffer on the primary GPU that the renderer composes into. */
    public static final class RenderBuffer {
        final DmaBuf buffer;
        final CpuMapping mapping;
        int zeroCopyFb;
        long drawnAt = -1;
        boolean busy;

        RenderBuffer(DmaBuf buffer, CpuMapping mapping) {
            this.buffer = buffer;
            this.mapping = mapping;
        }

        public CpuMapping mapping() { return mapping; }
        public DmaBuf buffer() { return buffer; }
    }

    /** What a present put on screen; {@link #release()} once a newer frame replaced it. */
    public record Presented(CopyMode mode, RenderBuffer source, Swapchain chain, Swapchain.Slot slot, long bytesCopied) {
        public void release() {
            if (chain != null && slot != null) chain.release(slot);
        }

        /** The display-side framebuffer this present scans out: flipped again, it shows the same frame. */
        public int framebuffer() {
            return slot != null ? slot.fbId() : source.zeroCopyFb;
        }
    }

    private final DrmDevice primary;
    private final DrmDevice display;
    private final int width;
    private final int height;
    private final int fourcc;
    private final RenderBuffer[] renderBuffers = new RenderBuffer[DEPTH];
    private final Map<CopyMode, Swapchain> chains = new EnumMap<>(CopyMode.class);
    private final Map<CopyMode, String> failures = new EnumMap<>(CopyMode.class);
    private CopyMode mode;
    /** Some mode failed because an allocation failed (by fault injection), not a refusal. */
    private boolean allocationFault;
    private long frames;
    /** Frames that flipped a display-side buffer already on screen again (only overlays changed): nothing crossed. */
    private long shownAgain;
    private long bytesCopied;
    /**
     * The caller's frame number each display-side slot holds (keyed by identity); missing: unknown,
     * copied whole. A chain that takes its oldest free slot never gets back the one it just drew
     * (that one is on screen), so a copy limited to damage must catch up on every frame since.
     */
    private final Map<Swapchain.Slot, Long> holds = new java.util.IdentityHashMap<>();

    /**
     * @param forced a mode to start from (the --copy-mode debug switch), or null for the first
     *               that works
     */
    public CrossDeviceCopy(DrmDevice primary, DrmDevice display, int width, int height, int fourcc, CopyMode forced)
            throws AllocationException, PosixException {
        this.primary = primary;
        this.display = display;
        this.width = width;
        this.height = height;
        this.fourcc = fourcc;
        try {
            setUp(forced);
        } catch (AllocationException | PosixException | RuntimeException e) {
            // Whatever was allocated before the failure goes with it: buffers, mappings, fds.
            close();
            throw e;
        }
    }

    private void setUp(CopyMode forced) throws AllocationException, PosixException {
        for (int i = 0; i < DEPTH; i++) renderBuffers[i] = allocateRenderBuffer();
        for (CopyMode m : CopyMode.values()) {
            if (forced != null && m.ordinal() < forced.ordinal()) {
                failures.put(m, "skipped: --copy-mode " + forced.label());
                continue;
            }
            String why = prepare(m);
            if (why != null) failures.put(m, why);
            else if (mode == null) mode = m;
        }
        // An allocation fault among the reasons is what a caller names the failure by (the
        // buffers never existed); otherwise the devices refused buffers that did.
        if (mode == null) throw new AllocationException(allocationFault ? dev.ferry.drm.AllocationFailure.INJECTED_FAULT
                : dev.ferry.drm.AllocationFailure.SYSTEM,
                "no copy mode works from " + primary.info().name() + " to " + display.info().name() + ": " + failures);
        for (Map.Entry<CopyMode, String> f : failures.entrySet()) {
            if (f.getKey().ordinal() < mode.ordinal()) {
                LOG.info("{} -> {}: {} unavailable: {}", primary.info().name(), display.info().name(), f.getKey().label(), f.getValue());
            }
        }
        LOG.info("{} -> {}: copy mode {}", primary.info().name(), display.info().name(), mode.label());
    }

    private RenderBuffer allocateRenderBuffer() throws AllocationException, PosixException {
        DmaBuf buf;
        try {
            // Memory the display device can reach too, so zero-copy has a chance.
            buf = primary.allocator().allocate(width, height, fourcc, new long[] {Modifiers.LINEAR},
                    Usage.RENDERING | Usage.LINEAR, sharedDomain());
        } catch (AllocationException e) {
            buf = primary.allocator().allocate(width, height, fourcc, new long[] {Modifiers.LINEAR}, Usage.RENDERING | Usage.LINEAR);
        }
        try {
            return new RenderBuffer(buf, buf.map());
        } catch (PosixException e) {
            buf.close();
            throw e;
        }
    }

    private MemoryDomain sharedDomain() {
        for (MemoryDomain d : primary.info().allocates()) {
            if (display.info().reaches().contains(d) || display.info().scanoutFrom().contains(d)) return d;
        }
        return null;
    }

    /** Sets a mode's buffers up; returns why it cannot work, or null. */
    private String prepare(CopyMode m) {
        try {
            switch (m) {
                case ZERO_COPY -> {
                    for (RenderBuffer rb : renderBuffers) {
                        ImportResult r = display.importDmaBuf(rb.buffer, ImportPurpose.SCANOUT);
                        if (!r.ok()) return "display refuses the primary's buffer for scanout: " + r.rejection() + " (" + r.detail() + ")";
                        try (BufferHandle h = r.handle()) {
                            AddFbResult fb = display.addFramebuffer(h);
                            if (!fb.ok()) return "ADDFB2: " + fb.rejection() + " (" + fb.detail() + ")";
                            rb.zeroCopyFb = fb.fbId();
                        }
                    }
                }
                case SECONDARY_GPU -> {
                    if (!display.info().canRender()) return display.info().name() + " has no GPU";
                    for (RenderBuffer rb : renderBuffers) {
                        ImportResult r = display.importDmaBuf(rb.buffer, ImportPurpose.SAMPLING);
                        if (!r.ok()) return "display GPU cannot read the primary's buffer: " + r.rejection() + " (" + r.detail() + ")";
                        r.handle().close();
                    }
                    chains.put(m, new Swapchain(display, width, height, fourcc, DEPTH, false));
                }
                case PRIMARY_GPU -> {
                    Swapchain chain = display.info().canRender() ? new Swapchain(display, width, height, fourcc, DEPTH, false)
                            : new Swapchain(display, width, height, fourcc, DEPTH, true);
                    for (int i = 0; i < DEPTH; i++) {
                        Swapchain.Slot s = chain.acquire();
                        ImportResult r = primary.importDmaBuf(s.buffer(), ImportPurpose.SAMPLING);
                        chain.release(s);
                        if (!r.ok()) {
                            chain.close();
                            return "primary GPU cannot reach the display's buffers: " + r.rejection() + " (" + r.detail() + ")";
                        }
                        r.handle().close();
                    }
                    // Slots were acquired in turn above; all are free again.
                    chains.put(m, chain);
                }
                case CPU -> chains.put(m, new Swapchain(display, width, height, fourcc, DEPTH, true));
            }
            return null;
        } catch (AllocationException | PosixException | RuntimeException e) {
            if (e instanceof AllocationException a && a.failure() == dev.ferry.drm.AllocationFailure.INJECTED_FAULT) allocationFault = true;
            return e.getMessage();
        }
    }

    public CopyMode mode() { return mode; }

    /**
     * A full-screen framebuffer on the display device in the current mode, for TEST_ONLY commits
     * of overlay planes over a primary this copy feeds (any of the mode's buffers: a test flips nothing).
     */
    public int testFramebuffer() {
        return mode == CopyMode.ZERO_COPY ? renderBuffers[0].zeroCopyFb : chains.get(mode).testFramebuffer();
    }

    /** Whether a mode could not be prepared because an allocation failed by fault (a later fallback lost). */
    public boolean allocationFaulted() { return allocationFault; }
    /** Frames this copy put on screen: those it carried across and those that showed its last one again. */
    public long framesPresented() { return frames + shownAgain; }

    /**
     * The caller flipped the display-side buffer of a present already on screen again, with new
     * overlays above it: counted as a frame, with no byte copied (what lies under the overlays
     * did not change). That buffer now holds the caller's frame {@code frame}, as far as copies are
     * concerned (outside the overlays, which a composed frame leaves undrawn as well).
     */
    public void shownAgain(Presented p, long frame) {
        shownAgain++;
        if (p.slot() != null) holds.put(p.slot(), frame);
    }
    public long bytesCopied() { return bytesCopied; }
    public Map<CopyMode, String> failures() { return Map.copyOf(failures); }

    /** A render buffer no flip holds, or null. */
    public RenderBuffer acquire() {
        RenderBuffer best = null;
        for (RenderBuffer rb : renderBuffers) if (!rb.busy && (best == null || rb.drawnAt < best.drawnAt)) best = rb;
        if (best != null) best.busy = true;
        return best;
    }

    public int age(RenderBuffer rb) {
        return rb.drawnAt < 0 ? 0 : (int) (frames + 1 - rb.drawnAt);
    }

    public void releaseRender(RenderBuffer rb) {
        if (rb != null) rb.busy = false;
    }

    /**
     * Puts the caller's frame number {@code frame}, composed in rb, on the pipe's screen through
     * the current mode, falling through the modes on failure within this call. GPU copies copy
     * only {@code damageSince.apply(n)}, what changed after the caller's frame n that the display
     * buffer they draw into holds (rectangles x, y, w, h; null: everything); the CPU copy takes
     * the whole frame. Returns null when no mode could present it.
     */
    public Presented present(RenderBuffer rb, long frame, LongFunction<int[]> damageSince, KmsPipe pipe) {
        return present(rb, frame, damageSince, pipe, null);
    }

    /**
     * A display-side slot taken for one frame before it is composed, with what must be copied
     * into it, so that the copy can run on the thread that composes the frame ({@link #copyAhead})
     * rather than on the event loop: a first frame into fresh buffers is a full-screen copy that
     * faults every page in (60-120 ms at 2560x1440 on a busy two-core machine), and the loop
     * answers no client meanwhile. The slot is the caller's until {@link #present} uses it or
     * {@link #cancel} gives it back.
     */
    public static final class Ahead {
        final CopyMode mode;
        final Swapchain.Slot slot;
        final RenderBuffer source;
        /** Damage rectangles to copy (x, y, w, h), or null: everything. */
        final int[] rects;
        volatile long bytes = -1;

        private Ahead(CopyMode mode, Swapchain.Slot slot, RenderBuffer source, int[] rects) {
            this.mode = mode;
            this.slot = slot;
            this.source = source;
            this.rects = rects;
        }
    }

    /**
     * Event loop: takes the slot the current mode would copy rb's next frame into, and works out
     * what to copy ({@code damageSince} as in {@link #present}); null where nothing is copied
     * (zero-copy) or no slot is free (then {@link #present} does it all, as before).
     */
    public Ahead reserve(RenderBuffer rb, LongFunction<int[]> damageSince) {
        if (mode == null || mode == CopyMode.ZERO_COPY) return null;
        return reserve(mode, rb, damageSince);
    }

    /** A copy mode's next slot for rb's frame and what to copy into it; null when no slot is free. */
    private Ahead reserve(CopyMode m, RenderBuffer rb, LongFunction<int[]> damageSince) {
        Swapchain.Slot slot = chains.get(m).acquire();
        if (slot == null) return null;
        Long held = holds.get(slot);
        return new Ahead(m, slot, rb, !m.damageLimited() || held == null ? null : damageSince.apply(held));
    }

    /** Any one thread, once the frame is composed into the reserved slot's source: the copy itself, bracketed. */
    public void copyAhead(Ahead a) {
        a.bytes = copy(a.source, a.slot, a.rects);
    }

    /** Event loop: a reserved slot that no present will use goes back to its chain, holding what it held. */
    public void cancel(Ahead a) {
        if (a != null) chains.get(a.mode).release(a.slot);
    }

    /**
     * As {@link #present(RenderBuffer, long, LongFunction, KmsPipe)}, flipping the slot that
     * {@code ahead} (reserved for rb, or null) was filled into when it was and the mode is still
     * its own; otherwise that slot goes back and the frame is copied here.
     */
    public Presented present(RenderBuffer rb, long frame, LongFunction<int[]> damageSince, KmsPipe pipe, Ahead ahead) {
        rb.drawnAt = ++frames;
        if (ahead != null) {
            if (ahead.bytes >= 0 && ahead.mode == mode && ahead.source == rb) {
                Presented p = flipFilled(ahead, frame, pipe);
                if (p != null) {
                    bytesCopied += p.bytesCopied();
                    return p;
                }
                if (pipe.lastRejection() == dev.ferry.drm.CommitRejection.BUSY) return null;
                fallThrough(pipe);
            } else {
                cancel(ahead);
            }
        }
        while (mode != null) {
            Presented p = tryPresent(mode, rb, frame, damageSince, pipe);
            if (p != null) {
                bytesCopied += p.bytesCopied();
                return p;
            }
            // A flip still pending is a matter of timing, not of the mode: try again later.
            if (pipe.lastRejection() == dev.ferry.drm.CommitRejection.BUSY) return null;
            fallThrough(pipe);
        }
        return null;
    }

    /** The current mode's flip was refused (not for a pending flip): the next mode not yet failed from now on. */
    private void fallThrough(KmsPipe pipe) {
        CopyMode failed = mode;
        failures.put(failed, "failed at frame " + frames + ": " + pipe.lastRejection());
        mode = null;
        for (CopyMode m : CopyMode.values()) {
            if (m.ordinal() > failed.ordinal() && !failures.containsKey(m)) {
                mode = m;
                break;
            }
        }
        LOG.warn("{} -> {}: {} failed ({}); {} from now on", primary.info().name(), display.info().name(),
                failed.label(), pipe.lastRejection(), mode == null ? "nothing works" : mode.label());
    }

    /** Flips a slot filled ahead; null, with the slot given back, when the commit is refused. */
    private Presented flipFilled(Ahead a, long frame, KmsPipe pipe) {
        Swapchain chain = chains.get(a.mode);
        chain.drawn(a.slot);
        holds.put(a.slot, frame);
        if (!pipe.flip(a.slot.fbId(), width, height, 0)) {
            chain.invalidate(a.slot);
            holds.remove(a.slot);
            chain.release(a.slot);
            return null;
        }
        return new Presented(a.mode, a.source, chain, a.slot, a.bytes);
    }

    private Presented tryPresent(CopyMode m, RenderBuffer rb, long frame, LongFunction<int[]> damageSince, KmsPipe pipe) {
        if (m == CopyMode.ZERO_COPY) {
            return pipe.flip(rb.zeroCopyFb, width, height, 0) ? new Presented(m, rb, null, null, 0) : null;
        }
        // The same three steps as a frame filled ahead, here all on the caller's thread.
        Ahead a = reserve(m, rb, damageSince);
        if (a == null) return null;
        copyAhead(a);
        return flipFilled(a, frame, pipe);
    }

    /** Copies rows of the damaged rectangles (or everything) from the render buffer into the slot, bracketed. */
    private long copy(RenderBuffer rb, Swapchain.Slot slot, int[] rects) {
        CpuMapping src = rb.mapping;
        CpuMapping dst = slot.mapping();
        int srcStride = rb.buffer.stride(0), dstStride = slot.buffer().stride(0);
        MemorySegment s = src.view(), d = dst.view();
        long bytes = 0;
        src.beginCpuAccess(CpuMapping.READ);
        dst.beginCpuAccess(CpuMapping.WRITE);
        try {
            if (rects == null) {
                for (int y = 0; y < height; y++) {
                    MemorySegment.copy(s, (long) y * srcStride, d, (long) y * dstStride, 4L * width);
                }
                bytes = 4L * width * height;
            } else {
                for (int i = 0; i + 3 < rects.length; i += 4) {
                    int x0 = Math.max(0, rects[i]), y0 = Math.max(0, rects[i + 1]);
                    int x1 = Math.min(width, rects[i] + rects[i + 2]), y1 = Math.min(height, rects[i + 1] + rects[i + 3]);
                    for (int y = y0; y < y1; y++) {
                        MemorySegment.copy(s, (long) y * srcStride + 4L * x0, d, (long) y * dstStride + 4L * x0, 4L * (x1 - x0));
                    }
                    bytes += 4L * Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
                }
            }
        } finally {
            if (rects == null) dst.endCpuAccess(CpuMapping.WRITE);
            else dst.endCpuWrite(rects, 4);
            src.endCpuAccess(CpuMapping.READ);
        }
        return bytes;
    }

    @Override
    public void close() {
        for (Swapchain c : chains.values()) c.close();
        chains.clear();
        for (RenderBuffer rb : renderBuffers) {
            if (rb == null) continue;
            if (rb.zeroCopyFb != 0) display.removeFramebuffer(rb.zeroCopyFb);
            rb.mapping.close();
            rb.buffer.close();
        }
    }
}
