package dev.ferry.renderer.cpu;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.renderer.DmaBufFormats;
import dev.ferry.renderer.DmaBufSource;
import dev.ferry.renderer.Filter;
import dev.ferry.renderer.FrameFailure;
import dev.ferry.renderer.FrameResult;
import dev.ferry.renderer.ImportRejection;
import dev.ferry.renderer.ImportResult;
import dev.ferry.renderer.PixelSource;
import dev.ferry.renderer.Region;
import dev.ferry.renderer.RenderTarget;
import dev.ferry.renderer.Renderer;
import dev.ferry.renderer.SceneSurface;
import dev.ferry.renderer.core.DamageClip;
import dev.ferry.renderer.core.BufferMapping;
import dev.ferry.renderer.core.Occlusion;
import dev.ferry.renderer.core.RenderThread;
import dev.ferry.renderer.core.SourceCheck;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Composition on the CPU, in pure Java over memory segments: the path that always works.
 * Samples client memory in place at compose time (no import copy for linear buffers).
 *
 * <p>Made with {@code new}, it works on the calling thread and the returned futures are already
 * complete: what tests, benchmarks and reference compositions want. Made by {@link #onItsOwnThread}
 * (what the compositor uses), frames are composed on a thread of its own, as the GPU renderers'
 * are: a full frame of a large output is tens of milliseconds of memory traffic while the JIT is
 * still cold, and the event loop reads clients' requests and answers configures meanwhile (a
 * waylandsink that waited 100 ms for its first configure attached a buffer anyway, a protocol
 * error; BENCHMARKS.md, issue 15). Either way one frame at a time: compose is not reentrant
 * (per-frame scratch is reused, never reallocated unless a frame is wider or has more surfaces
 * than any before).
 */
public final class CpuRenderer implements Renderer {
    /** The render thread's clip of a surface to a damage rectangle, reused: no allocation per draw. */
    private final DamageClip clip = new DamageClip();
    /** Largest buffer side accepted; the same bound a GPU's GL_MAX_TEXTURE_SIZE typically sets. */
    public static final int MAX_SIZE = 16384;

    /**
     * Frames that redraw at most this many pixels are drawn on the caller's thread when the
     * composing thread is idle: 512x512, 1 MiB written per layer, about 0.3 ms compiled. What is
     * handed over is then what stalled the loop: full-output frames (in a soak, 10 frames of
     * about 900, all full-output ones; BENCHMARKS.md, issue 15).
     */
    static final long INLINE_MAX_PIXELS = 512 * 512;
    /** Queue bound of the composing thread: far more than outputs times frames in flight. */
    private static final int QUEUE_CAPACITY = 64;

    private BufferMapping[] mappings = new BufferMapping[0];
    private int[] row = new int[0];
    private volatile boolean closed;
    /** The thread frames are composed on, or null to compose on the caller's. */
    private final RenderThread thread;

    /** A renderer that composes on the calling thread. */
    public CpuRenderer() {
        this.thread = null;
    }

    private CpuRenderer(RenderThread thread) {
        this.thread = thread;
    }

    /** A renderer that composes on a thread of its own, started now; its futures complete there. */
    public static CpuRenderer onItsOwnThread() {
        CpuRenderer r = new CpuRenderer(new RenderThread("ferry-cpu-compose", QUEUE_CAPACITY, () -> {}, () -> {}));
        r.thread.start();
        return r;
    }

    @Override public String name() { return "cpu"; }

    @Override public String description() { return "CPU composition (pure Java)"; }

    @Override
    public CompletableFuture<ImportResult> importMemory(PixelSource source) {
        if (closed) return CompletableFuture.completedFuture(ImportResult.rejected(ImportRejection.RENDERER_CLOSED, "cpu renderer closed"));
        ImportResult.Rejected problem = SourceCheck.problem(source, MAX_SIZE);
        if (problem != null) return CompletableFuture.completedFuture(problem);
        if (thread != null && (problem = SourceCheck.unreadableBy(source, thread.thread())) != null) return CompletableFuture.completedFuture(problem);
        return CompletableFuture.completedFuture(new ImportResult.Imported(new CpuTexture(this, source)));
    }

    @Override
    public DmaBufFormats dmaBufFormats() {
        return DmaBufFormats.none("the CPU renderer reads memory: map the dma-buf and use importMemory");
    }

    @Override
    public CompletableFuture<ImportResult> importDmaBuf(DmaBufSource source) {
        return CompletableFuture.completedFuture(ImportResult.rejected(ImportRejection.DMABUF_IMPORT_UNSUPPORTED,
                "the CPU renderer reads memory: map the dma-buf and use importMemory"));
    }

    @Override
    public CompletableFuture<FrameResult> compose(List<SceneSurface> surfaces, RenderTarget target) {
        if (thread == null) return CompletableFuture.completedFuture(composeNow(surfaces, target));
        if (closed) return CompletableFuture.completedFuture(new FrameResult.Failed(FrameFailure.RENDERER_CLOSED, "cpu renderer closed"));
        if (damageArea(target.damage()) <= INLINE_MAX_PIXELS) {
            // A small frame (a few windows' changes) costs well under a millisecond; handing it over
            // costs two wake-ups, each a wait for a CPU on a busy machine, and the repaint margin
            // grows by both. Drawn here, in the thread's place, when nothing is queued before it.
            FrameResult[] inline = new FrameResult[1];
            if (thread.runIfIdle(() -> inline[0] = composeGuarded(surfaces, target))) return CompletableFuture.completedFuture(inline[0]);
        }
        CompletableFuture<FrameResult> result = new CompletableFuture<>();
        if (!thread.offer(() -> result.complete(composeGuarded(surfaces, target)))) {
            return CompletableFuture.completedFuture(new FrameResult.Failed(FrameFailure.QUEUE_FULL, "cpu compose queue full"));
        }
        return result;
    }

    /**
     * On the composing thread: {@link #composeNow}, with a read of memory closed meanwhile (the
     * target of an output that went away) a failed frame, not a lost future.
     */
    private FrameResult composeGuarded(List<SceneSurface> surfaces, RenderTarget target) {
        try {
            return composeNow(surfaces, target);
        } catch (IllegalStateException e) {
            return new FrameResult.Failed(FrameFailure.SOURCE_UNREADABLE, "memory closed while composing: " + e.getMessage());
        }
    }

    /** Frames are written into the target's memory itself; on a composing thread this waits for those queued before. */
    @Override
    public CompletableFuture<Void> readBack(RenderTarget target) {
        if (thread == null || closed) return CompletableFuture.completedFuture(null);
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable mark = () -> done.complete(null);
        if (!thread.runIfIdle(mark) && !thread.offer(mark)) done.completeExceptionally(new IllegalStateException("cpu compose queue full"));
        return done;
    }

    /** The damage's area in pixels: what the frame redraws. */
    private static long damageArea(Region damage) {
        long sum = 0;
        for (int r = 0; r < damage.count(); r++) sum += (long) damage.width(r) * damage.height(r);
        return sum;
    }

    /** Runs a texture's release where frames read it: after any frame queued before. */
    void release(Runnable r) {
        if (thread == null || !thread.release(r)) r.run();
    }

    /** The synchronous form of {@link #compose}, for callers already off the event loop (and benchmarks). */
    public FrameResult composeNow(List<SceneSurface> surfaces, RenderTarget target) {
        if (closed) return new FrameResult.Failed(FrameFailure.RENDERER_CLOSED, "cpu renderer closed");
        String targetProblem = target.problem();
        if (targetProblem != null) return new FrameResult.Failed(FrameFailure.TARGET_INVALID, targetProblem);
        // Every check that can fail happens before the first write, so a failed frame leaves the target untouched.
        for (int i = 0; i < surfaces.size(); i++) {
            SceneSurface s = surfaces.get(i);
            if (!(s.texture() instanceof CpuTexture t) || t.owner != this || !t.isOpen()) {
                return new FrameResult.Failed(FrameFailure.TEXTURE_INVALID, "surface " + i + ": " + s.texture() + " is closed or not from this renderer");
            }
            if (!t.planes.isReadable()) {
                return new FrameResult.Failed(FrameFailure.SOURCE_UNREADABLE, "surface " + i + ": " + t + " memory is no longer mapped");
            }
        }
        prepare(surfaces, target.width());
        for (int i = 0; i < surfaces.size(); i++) {
            SceneSurface s = surfaces.get(i);
            ((CpuTexture) s.texture()).planes.refresh(s.bufferDamage());
        }
        beginClientReads(surfaces);
        try {
            return drawDamage(surfaces, target);
        } finally {
            endClientReads(surfaces);
        }
    }

    private static void beginClientReads(List<SceneSurface> surfaces) {
        for (int i = 0; i < surfaces.size(); i++) {
            CpuTexture t = (CpuTexture) surfaces.get(i).texture();
            if (t.planes.readsClientMemory()) t.source.access().begin();
        }
    }

    private static void endClientReads(List<SceneSurface> surfaces) {
        for (int i = 0; i < surfaces.size(); i++) {
            CpuTexture t = (CpuTexture) surfaces.get(i).texture();
            if (t.planes.readsClientMemory()) t.source.access().end();
        }
    }

    private FrameResult drawDamage(List<SceneSurface> surfaces, RenderTarget target) {
        int rects = 0, draws = 0;
        Region damage = target.damage();
        for (int r = 0; r < damage.count(); r++) {
            int x0 = damage.x(r), y0 = damage.y(r), x1 = damage.right(r), y1 = damage.bottom(r);
            rects++;
            int first = Occlusion.firstVisible(surfaces, x0, y0, x1 - x0, y1 - y0);
            if (first < 0) {
                RowWriter.fillRect(target.memory(), (long) y0 * target.stride() + 4L * x0, target.stride(), target.clearArgb(), x1 - x0, y1 - y0);
                first = 0;
            }
            for (int i = first; i < surfaces.size(); i++) {
                if (drawSurface(surfaces.get(i), mappings[i], target, x0, y0, x1, y1)) draws++;
            }
        }
        return new FrameResult.Composed(rects, draws);
    }

    private void prepare(List<SceneSurface> surfaces, int targetWidth) {
        if (mappings.length < surfaces.size()) {
            BufferMapping[] grown = new BufferMapping[surfaces.size()];
            for (int i = 0; i < grown.length; i++) grown[i] = i < mappings.length ? mappings[i] : new BufferMapping();
            mappings = grown;
        }
        if (row.length < targetWidth) row = new int[targetWidth];
        for (int i = 0; i < surfaces.size(); i++) mappings[i].set(surfaces.get(i));
    }

    /** Draws one surface clipped to the damage rectangle [x0,x1) x [y0,y1); false when it does not reach it. */
    private boolean drawSurface(SceneSurface s, BufferMapping m, RenderTarget target, int x0, int y0, int x1, int y1) {
        if (!clip.of(s.destination(), x0, y0, x1, y1)) return false;
        int cx0 = clip.x0, cy0 = clip.y0, cx1 = clip.x1, cy1 = clip.y1;
        CpuTexture t = (CpuTexture) s.texture();
        int n = cx1 - cx0;
        boolean opaque = Occlusion.drawsOpaque(s, cx0, cy0, n, cy1 - cy0);
        boolean premultiply = !s.premultiplied() && Fourcc.hasAlpha(t.fourcc());
        MemorySegment dst = target.memory();
        int[] px = row;
        if (t.kind != TexelKind.NV12 && t.width() == 1 && t.height() == 1) {
            // One texel stretched over the destination (waylandsink's 1x1 black background scaled
            // by wp_viewport): every sample, nearest or bilinear (all four taps are that texel and
            // the weights sum to one exactly), under any transform, is that texel. A fill.
            int c = TexelKind.toArgb(t.kind, t.plane0.get(TexelSampler.INT_LE, 0));
            if (premultiply) c = PixelMath.premultiply(c);
            fillRect(c, opaque, dst, target.stride(), cx0, cy0, n, cy1 - cy0);
            return true;
        }
        if (t.kind != TexelKind.NV12 && m.isIntegerTranslation() && insideBuffer(t, m, cx0, cy0, cx1, cy1)) {
            int bx = cx0 + m.offsetX();
            boolean straightCopy = opaque && !premultiply && bytesMatch(t.kind, target.fourcc());
            // A premultiplied ARGB8888 source blended over the target: runs whose alpha is all 255
            // are copied, all-zero runs skipped (video players send ARGB frames that are opaque
            // but declare no opaque region), the rest blended as before.
            boolean argbOver = !opaque && !premultiply && t.kind == TexelKind.ARGB8888;
            if (straightCopy && t.stride0 == target.stride() && (t.stride0 == 4L * n || cx0 == 0 && cx1 == target.width())) {
                // The same stride on both sides, and rows either unpadded or the target's whole
                // rows (so the bytes between them are the target's row padding, which nobody
                // sees): one block from the first row's start to the last row's end, a memcpy,
                // instead of a call per row. A padded 1080p frame: 0.24-0.31 ms as one block
                // against 0.38-0.45 row by row, compiled. Rows of unequal strides stay one
                // MemorySegment.copy each: libc memcpy per row through a critical downcall was no
                // faster here (0.43-0.71 ms), unlike the Vulkan renderer's raw-address copy.
                MemorySegment.copy(t.plane0, (long) (cy0 + m.offsetY()) * t.stride0 + 4L * bx, dst, (long) cy0 * target.stride() + 4L * cx0,
                        (long) target.stride() * (cy1 - cy0 - 1) + 4L * n);
                return true;
            }
            for (int y = cy0; y < cy1; y++) {
                long dstOff = (long) y * target.stride() + 4L * cx0;
                int by = y + m.offsetY();
                if (straightCopy) {
                    MemorySegment.copy(t.plane0, (long) by * t.stride0 + 4L * bx, dst, dstOff, 4L * n);
                    continue;
                }
                if (argbOver) {
                    RowWriter.overArgbRow(t.plane0, (long) by * t.stride0 + 4L * bx, dst, dstOff, n, px);
                    continue;
                }
                TexelSampler.convertRow(t, bx, by, n, px);
                finishRow(px, n, premultiply, opaque, dst, dstOff);
            }
            return true;
        }
        boolean bilinear = s.filter() == Filter.BILINEAR;
        for (int y = cy0; y < cy1; y++) {
            TexelSampler.sampleRow(t, m, bilinear, y, cx0, n, px);
            finishRow(px, n, premultiply, opaque, dst, (long) y * target.stride() + 4L * cx0);
        }
        return true;
    }

    /**
     * Writes one premultiplied colour over [x, x+w) x [y, y+h): stored when the surface draws
     * opaque (as {@link RowWriter#store} would store it), nothing for transparent black, else
     * blended row by row exactly as {@link RowWriter#over} blends it.
     */
    private void fillRect(int c, boolean opaque, MemorySegment dst, int stride, int x, int y, int w, int h) {
        long first = (long) y * stride + 4L * x;
        if (opaque || c >>> 24 == 255) {
            RowWriter.fillRect(dst, first, stride, c, w, h);
            return;
        }
        if (c == 0) return;
        int[] px = row;
        java.util.Arrays.fill(px, 0, w, c);
        for (int j = 0; j < h; j++) RowWriter.over(dst, first + (long) j * stride, px, w);
    }

    private static void finishRow(int[] px, int n, boolean premultiply, boolean opaque, MemorySegment dst, long dstOff) {
        if (premultiply) RowWriter.premultiply(px, n);
        if (opaque) RowWriter.store(dst, dstOff, px, n);
        else RowWriter.over(dst, dstOff, px, n);
    }

    private static boolean insideBuffer(CpuTexture t, BufferMapping m, int cx0, int cy0, int cx1, int cy1) {
        return cx0 + m.offsetX() >= 0 && cy0 + m.offsetY() >= 0
                && cx1 + m.offsetX() <= t.width() && cy1 + m.offsetY() <= t.height();
    }

    /** True when the texel bytes are already the target's bytes (the X byte of an XRGB target is don't-care). */
    private static boolean bytesMatch(int kind, int targetFourcc) {
        if (kind == TexelKind.ARGB8888) return true;
        return kind == TexelKind.XRGB8888 && targetFourcc == Fourcc.XRGB8888;
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) thread.stop(5_000);
    }
}
