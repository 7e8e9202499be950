package dev.ferry.renderer.vulkan;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.renderer.DmaBufFormats;
import dev.ferry.renderer.DmaBufSource;
import dev.ferry.renderer.Filter;
import dev.ferry.renderer.FrameFailure;
import dev.ferry.renderer.FrameResult;
import dev.ferry.renderer.ImportRejection;
import dev.ferry.renderer.ImportResult;
import dev.ferry.renderer.PixelPlane;
import dev.ferry.renderer.PixelSource;
import dev.ferry.renderer.Region;
import dev.ferry.renderer.RenderTarget;
import dev.ferry.renderer.Renderer;
import dev.ferry.renderer.RendererUnavailableException;
import dev.ferry.renderer.SceneSurface;
import dev.ferry.renderer.core.DamageClip;
import dev.ferry.renderer.core.BufferMapping;
import dev.ferry.renderer.core.LinearPlanes;
import dev.ferry.renderer.core.Occlusion;
import dev.ferry.renderer.core.RenderThread;
import dev.ferry.renderer.core.SourceCheck;
import dev.ferry.renderer.cpu.TexelKind;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.vulkan.KHRPushDescriptor;
import org.lwjgl.vulkan.VkBufferCopy;
import org.lwjgl.vulkan.VkWriteDescriptorSet;
import org.lwjgl.vulkan.VkCommandBufferBeginInfo;
import org.lwjgl.vulkan.VkMemoryBarrier;
import org.lwjgl.vulkan.VkSubmitInfo;

/**
 * Composition with Vulkan compute (LWJGL; Mesa lavapipe here, a GPU's driver elsewhere) that
 * reads client memory and writes the scanout buffer in place: the target's CPU mapping and
 * every client plane are imported with VK_EXT_external_memory_host, so on a machine whose
 * "GPU" memory is system RAM a frame costs one pass over the damaged pixels and nothing else:
 * no upload, no read-back. Memory that cannot be imported (see {@link CopyReason}) is copied,
 * and each copy is counted in {@link #counters()}.
 *
 * <p>One {@link RenderThread} owns the device and its queue; every public method only queues
 * work and returns a future completed there. A frame is one command buffer (one dispatch per
 * damage rectangle) and one fence, waited on with a timeout: a frame that does not finish in
 * {@link #FRAME_TIMEOUT_NS}, or VK_ERROR_DEVICE_LOST, fails with
 * {@link FrameFailure#CONTEXT_LOST} and so does every later one, so the caller falls back.
 *
 * <p>Unlike the GLES renderer this one draws straight into the target, so a frame that fails
 * on the GPU (device lost mid-frame) may leave damaged pixels half drawn; every failure that
 * can be detected before submission (closed textures, unmapped memory, a bad target) leaves
 * the target untouched, and callers redraw all of a target after any failed frame.
 */
public final class VulkanRenderer implements Renderer {
    /** The render thread's clip of a surface to a damage rectangle, reused: no allocation per draw. */
    private final DamageClip clip = new DamageClip();
    public static final int DEFAULT_QUEUE_CAPACITY = 64;
    /** How long one frame may run on the device before it is counted lost. */
    public static final long FRAME_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int MAX_SIZE = 16384;
    private static final int TARGET_CACHE = 8;
    private static final long PAGE_SIZE = 4096;

    private final RenderThread thread;
    private final boolean validation;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final AtomicInteger validationErrors = new AtomicInteger();
    private final List<String> firstValidationErrors = new ArrayList<>();
    private volatile boolean closed;
    private volatile boolean lost;
    private volatile String description = "vulkan (starting)";
    private volatile DmaBufFormats dmaBufFormats = DmaBufFormats.none("not started");
    private volatile VulkanFormats formats;
    private volatile boolean injectDeviceLost;
    /** vk.software, readable on a caller's thread (compose's {@link #copiedByCaller} test). */
    private volatile boolean softwareDevice;
    /**
     * The most damaged pixels a straight-copy frame may have to be run on the caller's thread
     * (a 1080p frame, 8 MB, about 0.35 ms here): there the hand-off to the render thread and
     * back cost about as much as the copy; a larger one is queued so the caller is not held.
     */
    static final long CALLER_COPY_PIXELS = 1920L * 1088;

    // Counters, written on the render thread, read anywhere: in-place imports, then copies by reason.
    private static final int IN_PLACE = 0, TARGET_IN_PLACE = 1, TARGET_COPIED = 2, COPIED_BYTES = 3, FIRST_REASON = 4;
    private final AtomicLongArray counts = new AtomicLongArray(FIRST_REASON + CopyReason.values().length);

    // Render-thread state.
    private VulkanDevice vk;
    private GpuBuffer staging;
    private final Map<TargetKey, GpuBuffer> targets = new LinkedHashMap<>(16, 0.75f, true);
    private BufferMapping[] mappings = new BufferMapping[0];
    private ByteBuffer push;
    private VkBufferCopy.Buffer regions;

    private final TileBins bins = new TileBins();
    private GpuBuffer binsBuffer;
    /** Words of binsBuffer the frame being recorded uses so far (each damage rectangle appends its own). */
    private int binsUsed;
    private final List<GpuBuffer> retiredBins = new ArrayList<>();
    /** Frames a CPU device's renderer copied on its own thread ({@link #copiesOnly}). */
    private final java.util.concurrent.atomic.AtomicLong threadCopies = new java.util.concurrent.atomic.AtomicLong();
    /** Tile-binned dispatches recorded so far, and the surfaces they drew (per damage rectangle): what tests check the path by. */
    private final java.util.concurrent.atomic.AtomicLong binnedDispatches = new java.util.concurrent.atomic.AtomicLong(),
            binnedSurfaces = new java.util.concurrent.atomic.AtomicLong();

    private record TargetKey(long address, long size, MemorySegment.Scope scope) {}

    /** What was imported in place and what was copied, and why. */
    public record Counters(long texturesInPlace, Map<CopyReason, Long> texturesCopied, long targetsInPlace, long targetsCopied, long bytesCopied) {
        public long copiedTotal() {
            long n = 0;
            for (long v : texturesCopied.values()) n += v;
            return n;
        }

        /** As ferry ctl stats shows it: reasons in their lower-case, dashed form. */
        public Map<String, Object> toMap() {
            Map<String, Object> byReason = new LinkedHashMap<>();
            for (var e : texturesCopied.entrySet()) {
                if (e.getValue() > 0) byReason.put(e.getKey().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), e.getValue());
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("textures_in_place", texturesInPlace);
            m.put("textures_copied", copiedTotal());
            m.put("textures_copied_by_reason", byReason);
            m.put("targets_in_place", targetsInPlace);
            m.put("targets_copied", targetsCopied);
            m.put("bytes_copied", bytesCopied);
            return m;
        }
    }

    @Override
    public Map<String, Object> memoryStatistics() {
        return counters().toMap();
    }

    /**
     * Whether stacks of 1:1 windows go through the tile-binned dispatch; {@code
     * -Dferry.vulkan.binning=false} (read at start) draws every surface on its own, so a
     * benchmark can set the two side by side in one run.
     */
    private final boolean binning = !"false".equals(System.getProperty("ferry.vulkan.binning"));

    private VulkanRenderer(int queueCapacity, boolean validation) {
        this.validation = validation;
        thread = new RenderThread("ferry-vulkan", queueCapacity, this::startOnThread, this::stopOnThread);
    }

    /** Starts the render thread and the device; validation follows {@code FERRY_VULKAN_VALIDATION=1} or {@code -Dferry.vulkan.validation=true}. */
    public static VulkanRenderer start() throws RendererUnavailableException {
        boolean validation = "1".equals(System.getenv("FERRY_VULKAN_VALIDATION")) || Boolean.getBoolean("ferry.vulkan.validation");
        return start(DEFAULT_QUEUE_CAPACITY, validation);
    }

    /** Blocks until the device exists or has failed. */
    public static VulkanRenderer start(int queueCapacity, boolean validation) throws RendererUnavailableException {
        VulkanRenderer r = new VulkanRenderer(queueCapacity, validation);
        r.thread.startAndAwait(r.started, "Vulkan renderer");
        return r;
    }

    /**
     * The device {@link #start} would use, found without starting it; empty without a usable
     * Vulkan device. {@code software} is true for a CPU implementation (lavapipe).
     */
    public static java.util.Optional<Device> probe() {
        VulkanDevice.Probe p = VulkanDevice.probe();
        return p == null ? java.util.Optional.empty() : java.util.Optional.of(new Device(p.deviceName(), p.software()));
    }

    public record Device(String name, boolean software) {}

    @Override public String name() { return "vulkan"; }

    @Override public boolean composesOnGpu() { return true; }

    @Override public String description() { return description; }

    @Override public DmaBufFormats dmaBufFormats() { return dmaBufFormats; }

    /** The driver's format/modifier table for the sampled formats. */
    public Map<Integer, long[]> formatTable() {
        VulkanFormats f = formats;
        return f == null ? Map.of() : f.modifiersByFourcc();
    }

    /** Error messages the validation layer reported so far (0 when validation is off). */
    public int validationErrors() {
        return validationErrors.get();
    }

    /** The first few validation error messages. */
    public List<String> firstValidationErrors() {
        synchronized (firstValidationErrors) {
            return List.copyOf(firstValidationErrors);
        }
    }

    /**
     * Fault injection, as fake-drm injects its faults: the next frame is submitted and then
     * answered as VK_ERROR_DEVICE_LOST (what a GPU reset gives), with everything that follows.
     */
    public void injectDeviceLost() {
        injectDeviceLost = true;
    }

    public Counters counters() {
        Map<CopyReason, Long> copied = new java.util.EnumMap<>(CopyReason.class);
        for (CopyReason r : CopyReason.values()) copied.put(r, counts.get(FIRST_REASON + r.ordinal()));
        return new Counters(counts.get(IN_PLACE), copied, counts.get(TARGET_IN_PLACE), counts.get(TARGET_COPIED), counts.get(COPIED_BYTES));
    }

    // ---- import ------------------------------------------------------------------------------

    @Override
    public CompletableFuture<ImportResult> importMemory(PixelSource source) {
        if (closed) return done(ImportResult.rejected(ImportRejection.RENDERER_CLOSED, "vulkan renderer closed"));
        if (lost) return done(ImportResult.rejected(ImportRejection.CONTEXT_LOST, "Vulkan device lost"));
        ImportResult.Rejected problem = SourceCheck.problem(source, MAX_SIZE);
        if (problem != null) return done(problem);
        // The render thread reads some pixels itself (classifying rows, refreshing copies).
        problem = SourceCheck.unreadableBy(source, thread.thread());
        if (problem != null) return done(problem);
        CompletableFuture<ImportResult> result = new CompletableFuture<>();
        if (!thread.offer(() -> result.complete(guarded(() -> importOnThread(source),
                e -> ImportResult.rejected(ImportRejection.SOURCE_UNREADABLE, "import failed: " + e))))) {
            return done(ImportResult.rejected(ImportRejection.QUEUE_FULL, "render queue full"));
        }
        return result;
    }

    @Override
    public CompletableFuture<ImportResult> importDmaBuf(DmaBufSource source) {
        if (closed) return done(ImportResult.rejected(ImportRejection.RENDERER_CLOSED, "vulkan renderer closed"));
        return done(ImportResult.rejected(ImportRejection.DMABUF_IMPORT_UNSUPPORTED, dmaBufFormats.why()));
    }

    // ---- compose -----------------------------------------------------------------------------

    @Override
    public CompletableFuture<FrameResult> compose(List<SceneSurface> surfaces, RenderTarget target) {
        if (closed) return done(new FrameResult.Failed(FrameFailure.RENDERER_CLOSED, "vulkan renderer closed"));
        String problem = target.problem();
        if (problem != null) return done(new FrameResult.Failed(FrameFailure.TARGET_INVALID, problem));
        if (copiedByCaller(surfaces, target)) {
            FrameResult[] inline = new FrameResult[1];
            if (thread.runIfIdle(() -> inline[0] = guarded(() -> composeOnThread(surfaces, target),
                    e -> new FrameResult.Failed(FrameFailure.SOURCE_UNREADABLE, "compose failed: " + e)))) {
                return done(inline[0]);
            }
        }
        CompletableFuture<FrameResult> result = new CompletableFuture<>();
        if (!thread.offer(() -> result.complete(guarded(() -> composeOnThread(surfaces, target),
                e -> new FrameResult.Failed(FrameFailure.SOURCE_UNREADABLE, "compose failed: " + e))))) {
            return done(new FrameResult.Failed(FrameFailure.QUEUE_FULL, "render queue full"));
        }
        return result;
    }

    void releaseTexture(VulkanTexture t) {
        boolean queued = thread.release(() -> {
            for (int i = 0; i < t.buffers.length; i++) {
                if (t.buffers[i] != null) t.buffers[i].destroy(vk);
                t.buffers[i] = null;
            }
            if (t.planes != null) t.planes.close();
        });
        if (!queued && t.planes != null) t.planes.close();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        thread.stop(10_000);
    }

    /**
     * Runs render-thread work so that its future always completes: an exception (a client's
     * memory unmapped under a read, say) becomes a failure result instead of a future nobody
     * ever completes.
     */
    private static <T> T guarded(java.util.function.Supplier<T> work, java.util.function.Function<RuntimeException, T> failure) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            return failure.apply(e);
        }
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    // ---- render thread -----------------------------------------------------------------------

    private void startOnThread() {
        try {
            vk = new VulkanDevice(validation, validationErrors, firstValidationErrors);
            push = MemoryUtil.memAlloc(ComposeShader.PUSH_BYTES);
            formats = VulkanFormats.query(vk);
            dmaBufFormats = DmaBufFormats.none(vk.dmaBufExtensions
                    ? "dma-buf import through Vulkan is not implemented; buffers are mapped and imported as host memory"
                    : vk.deviceName + " has no VK_EXT_external_memory_dma_buf + VK_EXT_image_drm_format_modifier; "
                            + "buffers are mapped and imported as host memory");
            description = "Vulkan " + VK_API_VERSION_MAJOR(vk.apiVersion) + "." + VK_API_VERSION_MINOR(vk.apiVersion) + "."
                    + VK_API_VERSION_PATCH(vk.apiVersion) + " on " + vk.deviceName + " (" + vk.driverInfo + "), compute; "
                    + String.join(", ", vk.describeExtensions()) + "; " + (vk.float64 ? "float64" : "float32") + " sample positions"
                    + "; tile-binned stacks" + (vk.software ? "; straight-copy frames copied without a submission, up to 1080p on the caller's thread when the render thread is idle (CPU device)" : "")
                    + (validation ? "; validation on" : "") + "; formats " + formats.summary();
            softwareDevice = vk.software;
            started.complete(null);
        } catch (Throwable t) {
            stopOnThread();
            started.completeExceptionally(t);
        }
    }

    private void stopOnThread() {
        lost = true;
        if (push != null) MemoryUtil.memFree(push);
        push = null;
        if (regions != null) regions.free();
        regions = null;
        if (vk == null) return;
        vkDeviceWaitIdle(vk.device);
        for (GpuBuffer b : targets.values()) b.destroy(vk);
        targets.clear();
        for (GpuBuffer b : retiredBins) b.destroy(vk);
        retiredBins.clear();
        if (binsBuffer != null) binsBuffer.destroy(vk);
        binsBuffer = null;
        if (staging != null) staging.destroy(vk);
        staging = null;
        vk.close();
        vk = null;
    }

    private ImportResult importOnThread(PixelSource source) {
        if (lost) return ImportResult.rejected(ImportRejection.CONTEXT_LOST, "Vulkan device lost");
        int tiling = shaderTiling(source.modifier());
        CopyReason reason = tiling < 0 ? CopyReason.TILING_NOT_IN_SHADER : null;
        GpuBuffer[] imported = new GpuBuffer[source.planes().size()];
        for (int i = 0; i < imported.length && reason == null; i++) {
            PixelPlane p = source.plane(i);
            MemorySegment m = p.memory();
            if (!m.isNative()) {
                reason = CopyReason.NOT_NATIVE_MEMORY;
            } else if (SourceCheck.planeBytesPerPixel(source.fourcc(), i) == 4 && (m.address() & 3) != 0) {
                reason = CopyReason.MISALIGNED_START;
            } else {
                HostRange range = HostRange.widen(m.address(), planeBytes(source, i, tiling), vk.hostPointerAlignment, PAGE_SIZE);
                if (range == null) {
                    reason = vk.hostImport ? CopyReason.HOST_ALIGNMENT : CopyReason.HOST_IMPORT_REFUSED;
                } else if ((imported[i] = vk.importHost(range)) == null) {
                    reason = CopyReason.HOST_IMPORT_REFUSED;
                }
            }
        }
        int kind = TexelKind.of(source.fourcc());
        if (reason == null) {
            VulkanTexture t = new VulkanTexture(this, source, kind, tiling, null, null);
            for (int i = 0; i < imported.length; i++) {
                t.buffers[i] = imported[i];
                t.offsets[i] = (int) (source.plane(i).memory().address() - imported[i].base);
                t.strides[i] = source.plane(i).stride();
            }
            counts.incrementAndGet(IN_PLACE);
            return new ImportResult.Imported(t);
        }
        for (GpuBuffer b : imported) if (b != null) b.destroy(vk);
        return importCopy(source, kind, reason);
    }

    /** The copy path: linear planes (de-tiled on the CPU where the shader cannot) in renderer memory. */
    private ImportResult importCopy(PixelSource source, int kind, CopyReason reason) {
        LinearPlanes planes;
        try {
            planes = new LinearPlanes(source);
        } catch (RuntimeException e) {
            return ImportResult.rejected(ImportRejection.SOURCE_UNREADABLE, "could not read the buffer: " + e.getMessage());
        }
        VulkanTexture t = new VulkanTexture(this, source, kind, 0, reason, planes);
        for (int i = 0; i < source.planes().size(); i++) {
            int stride = i == 0 ? planes.stride0 : planes.stride1;
            long bytes = (long) stride * SourceCheck.planeHeight(source.fourcc(), i, source.height());
            GpuBuffer b = vk.allocateMapped((bytes + 3) & ~3L);
            if (b == null) {
                t.close();
                return ImportResult.rejected(ImportRejection.UPLOAD_FAILED, "out of device memory for a " + bytes + "-byte copy of " + source);
            }
            t.buffers[i] = b;
            t.strides[i] = stride;
        }
        try {
            refreshCopy(t, Region.full(source.width(), source.height()));
        } catch (RuntimeException e) {
            t.close();
            return ImportResult.rejected(ImportRejection.SOURCE_UNREADABLE, "could not read the buffer: " + e.getMessage());
        }
        counts.incrementAndGet(FIRST_REASON + reason.ordinal());
        return new ImportResult.Imported(t);
    }

    /** Copies the damaged rows of a copied texture's linear planes into its buffers. */
    private void refreshCopy(VulkanTexture t, Region damage) {
        LinearPlanes p = t.planes;
        if (damage.isEmpty()) return;
        p.refresh(damage);
        int h = t.height();
        int y0 = Integer.MAX_VALUE, y1 = Integer.MIN_VALUE;
        for (int i = 0; i < damage.count(); i++) {
            y0 = Math.min(y0, Math.max(0, damage.y(i)));
            y1 = (int) Math.max(y1, Math.min(h, (long) damage.y(i) + damage.height(i)));
        }
        if (y1 <= y0) return;
        boolean bracket = p.readsClientMemory();
        if (bracket) p.source().access().begin();
        try {
            long copied = copyRows(p.plane0, p.stride0, t.buffers[0], y0, y1, h);
            if (p.plane1 != null) copied += copyRows(p.plane1, p.stride1, t.buffers[1], y0 / 2, (y1 + 1) / 2, (h + 1) / 2);
            counts.addAndGet(COPIED_BYTES, copied);
        } finally {
            if (bracket) p.source().access().end();
        }
    }

    private static long copyRows(MemorySegment plane, int stride, GpuBuffer to, int y0, int y1, int rows) {
        long from = (long) y0 * stride;
        long end = Math.min((long) y1 * stride, plane.byteSize());
        end = Math.min(end, (long) rows * stride);
        if (end <= from) return 0;
        MemorySegment.copy(plane, from, MemorySegment.ofAddress(to.base).reinterpret(to.size), from, end - from);
        return end - from;
    }

    private static long planeBytes(PixelSource s, int plane, int tiling) {
        int bpp = SourceCheck.planeBytesPerPixel(s.fourcc(), plane);
        long w = SourceCheck.planeWidth(s.fourcc(), plane, s.width());
        long h = SourceCheck.planeHeight(s.fourcc(), plane, s.height());
        int stride = s.plane(plane).stride();
        if (tiling == 0) return (long) stride * (h - 1) + w * bpp;
        int tile = tiling == 1 ? 4 : 16;
        return (long) stride * ((h + tile - 1) / tile * tile);
    }

    /** The shader's code for a modifier's layout, or -1 when only a CPU TileLayout knows it. */
    private static int shaderTiling(long modifier) {
        if (modifier == Modifiers.LINEAR) return 0;
        if (modifier == Modifiers.FAKE_TILED_4X4) return 1;
        if (modifier == Modifiers.FAKE_TILED_16X16_COLUMN) return 2;
        return -1;
    }

    private FrameResult composeOnThread(List<SceneSurface> surfaces, RenderTarget target) {
        if (lost) return new FrameResult.Failed(FrameFailure.CONTEXT_LOST, "Vulkan device lost");
        int n = surfaces.size();
        for (int i = 0; i < n; i++) {
            SceneSurface s = surfaces.get(i);
            if (!(s.texture() instanceof VulkanTexture t) || t.owner != this || !t.isOpen()) {
                return new FrameResult.Failed(FrameFailure.TEXTURE_INVALID, "surface " + i + ": " + s.texture() + " is closed or not from this renderer");
            }
            if (!t.isReadable()) {
                return new FrameResult.Failed(FrameFailure.SOURCE_UNREADABLE, "surface " + i + ": " + t + " memory is no longer mapped");
            }
        }
        Region damage = target.damage();
        if (damage.isEmpty()) return new FrameResult.Composed(0, 0);
        GpuBuffer out = targetBuffer(target);
        boolean copyOut = out == null;
        if (copyOut) {
            out = stagingFor((long) target.stride() * target.height());
            if (out == null) return new FrameResult.Failed(FrameFailure.GPU_ERROR, "out of device memory for a staging target");
            // No copy in: inside the damage every pixel is cleared or stored by an opaque surface before anything blends over it.
        }
        for (int i = 0; i < n; i++) {
            SceneSurface s = surfaces.get(i);
            VulkanTexture t = (VulkanTexture) s.texture();
            if (t.copied != null && !s.bufferDamage().isEmpty()) refreshCopy(t, s.bufferDamage());
        }
        prepareMappings(surfaces);
        // The previous frame is complete (its fence was waited on): bins buffers outgrown during it can go.
        for (GpuBuffer b : retiredBins) b.destroy(vk);
        retiredBins.clear();
        binsUsed = 0;
        // (A fault injected for the next frame needs a submission to answer, and a target composed aside is
        // counted as copied out: those frames take the device.)
        if (!copyOut && !injectDeviceLost && copiesOnly(surfaces, target, damage)) return copyOnThread(surfaces, target, damage);
        long targetOffset = copyOut ? 0 : target.memory().address() - out.base;
        // The target's first pixel as a word index into its buffer view (targets are 4-aligned: targetBuffer).
        int targetWord = (int) (targetOffset >> 2);
        int rects = 0, draws = 0;
        beginClientReads(surfaces);
        try (MemoryStack stack = stackPush()) {
            vkResetCommandBuffer(vk.commands, 0);
            vkBeginCommandBuffer(vk.commands, VkCommandBufferBeginInfo.calloc(stack).sType$Default()
                    .flags(VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT));
            VkMemoryBarrier.Buffer between = VkMemoryBarrier.calloc(1, stack).sType$Default()
                    .srcAccessMask(VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT)
                    .dstAccessMask(VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT);
            boolean any = false;
            for (int k = 0; k < damage.count(); k++) {
                int x0 = damage.x(k), y0 = damage.y(k), x1 = damage.right(k), y1 = damage.bottom(k);
                rects++;
                int first = Occlusion.firstVisible(surfaces, x0, y0, x1 - x0, y1 - y0);
                // The top of the stack in one tile-binned dispatch where it can (binnedFrom), the rest surface by surface.
                int binned = binnedFrom(surfaces, first, x0, y0, x1, y1);
                if (first < 0) {
                    barrier(any, between);
                    fill(out, targetOffset, target, target.clearArgb(), x0, y0, x1, y1);
                    any = true;
                    first = 0;
                }
                for (int i = first; i < binned; i++) {
                    SceneSurface s = surfaces.get(i);
                    if (!clip.of(s.destination(), x0, y0, x1, y1)) continue;
                    int cx0 = clip.x0, cy0 = clip.y0, cx1 = clip.x1, cy1 = clip.y1;
                    draws++;
                    int mode = Occlusion.drawsOpaque(s, cx0, cy0, cx1 - cx0, cy1 - cy0) ? ComposeShader.MODE_STORE : ComposeShader.MODE_OVER;
                    int solid = solidColour(s);
                    if (solid != NOT_SOLID && (mode == ComposeShader.MODE_STORE || solid >>> 24 == 255 || solid == 0)) {
                        // RowWriter.over stores an opaque colour and skips transparent black: a fill or nothing.
                        if (mode == ComposeShader.MODE_STORE || solid != 0) {
                            barrier(any, between);
                            fill(out, targetOffset, target, solid, cx0, cy0, cx1, cy1);
                            any = true;
                        }
                        continue;
                    }
                    if (mode == ComposeShader.MODE_STORE && isStraightCopy(s, mappings[i], target, cx0, cy0, cx1, cy1)) {
                        barrier(any, between);
                        copyRows((VulkanTexture) s.texture(), mappings[i], out, targetOffset, target, cx0, cy0, cx1, cy1);
                        any = true;
                        continue;
                    }
                    if (mode == ComposeShader.MODE_OVER && isArgbRunnable(s, mappings[i], cx0, cy0, cx1, cy1)) {
                        // Rows classified on the CPU: opaque ones copied, clear ones skipped, only mixed ones blended by the shader.
                        if (!overArgbRows(s, mappings[i], out, targetOffset, targetWord, target, between, any, cx0, cy0, cx1, cy1)) return noPipeline(surfaces);
                        any = true;
                        continue;
                    }
                    ByteBuffer constants = draw(s, mappings[i], targetWord, target, cx0, cy0, cx1, cy1);
                    if (!dispatch(any, between, variant(s, mappings[i], mode), (VulkanTexture) s.texture(), out, constants, cx1 - cx0, cy1 - cy0)) {
                        return noPipeline(surfaces);
                    }
                    any = true;
                }
                if (binned < n) {
                    drawBinned(surfaces, binned, out, targetWord, target, between, any, x0, y0, x1, y1);
                    any = true;
                }
            }
            // The frame's writes must be visible to the CPU (KMS scans out what the mapping holds) once the fence signals.
            VkMemoryBarrier.Buffer toHost = VkMemoryBarrier.calloc(1, stack).sType$Default()
                    .srcAccessMask(VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT).dstAccessMask(VK_ACCESS_HOST_READ_BIT);
            vkCmdPipelineBarrier(vk.commands, COMPUTE_OR_TRANSFER, VK_PIPELINE_STAGE_HOST_BIT, 0, toHost, null, null);
            int result = vkEndCommandBuffer(vk.commands);
            if (result != VK_SUCCESS) return new FrameResult.Failed(FrameFailure.GPU_ERROR, "vkEndCommandBuffer: VkResult " + result);
            vkResetFences(vk.device, vk.fence);
            result = vkQueueSubmit(vk.queue, VkSubmitInfo.calloc(stack).sType$Default().pCommandBuffers(stack.pointers(vk.commands)), vk.fence);
            if (result == VK_SUCCESS) result = vkWaitForFences(vk.device, vk.fence, true, FRAME_TIMEOUT_NS);
            if (injectDeviceLost) {
                injectDeviceLost = false;
                result = VK_ERROR_DEVICE_LOST;
            }
            if (result == VK_ERROR_DEVICE_LOST || result == VK_TIMEOUT) {
                lost = true;
                return new FrameResult.Failed(FrameFailure.CONTEXT_LOST, result == VK_TIMEOUT
                        ? "frame did not finish within " + TimeUnit.NANOSECONDS.toMillis(FRAME_TIMEOUT_NS) + " ms; device treated as lost"
                        : "VK_ERROR_DEVICE_LOST");
            }
            if (result != VK_SUCCESS) return new FrameResult.Failed(FrameFailure.GPU_ERROR, "vkQueueSubmit/vkWaitForFences: VkResult " + result);
            if (copyOut) copyOut(out, target);
            return new FrameResult.Composed(rects, draws);
        } finally {
            endClientReads(surfaces);
        }
    }

    /**
     * Whether this frame is nothing but straight copies ({@link #isStraightCopy}: every damage
     * rectangle lies under one opaque, unscaled, linear surface at the top of the stack whose
     * bytes are the target's) on a CPU Vulkan device. There a vkCmdCopyBuffer is a memcpy run
     * by lavapipe per region (one per row of a padded buffer) after a submit, with a fence
     * wait: this thread copying the rows itself does the same memcpy without either
     * (BENCHMARKS.md, #17: a fullscreen 4K frame 5.6 -> about memcpy's cost). A hardware
     * device keeps the GPU copy, which costs this thread nothing.
     */
    private boolean copiesOnly(List<SceneSurface> surfaces, RenderTarget target, Region damage) {
        int n = surfaces.size();
        if (!vk.software || n == 0) return false;
        for (int k = 0; k < damage.count(); k++) {
            int x0 = damage.x(k), y0 = damage.y(k), x1 = damage.right(k), y1 = damage.bottom(k);
            if (Occlusion.firstVisible(surfaces, x0, y0, x1 - x0, y1 - y0) != n - 1) return false;
            SceneSurface top = surfaces.get(n - 1);
            if (solidColour(top) != NOT_SOLID || !isStraightCopy(top, mappings[n - 1], target, x0, y0, x1, y1)) return false;
        }
        return true;
    }

    /**
     * Whether a frame should be composed on the caller's thread (when the render thread is idle,
     * {@link RenderThread#runIfIdle}): on a CPU device, a small damage that one opaque surface at
     * the top of the stack covers, i.e. what is most likely a {@link #copiesOnly} frame. Only a
     * first test from the scene alone: composeOnThread decides, and a frame that is not a copy
     * after all runs its submission there as on the render thread.
     */
    private boolean copiedByCaller(List<SceneSurface> surfaces, RenderTarget target) {
        int n = surfaces.size();
        if (!softwareDevice || n == 0 || injectDeviceLost) return false;
        Region damage = target.damage();
        long pixels = 0;
        for (int k = 0; k < damage.count(); k++) {
            int x0 = damage.x(k), y0 = damage.y(k), x1 = damage.right(k), y1 = damage.bottom(k);
            pixels += (long) (x1 - x0) * (y1 - y0);
            if (pixels > CALLER_COPY_PIXELS || Occlusion.firstVisible(surfaces, x0, y0, x1 - x0, y1 - y0) != n - 1) return false;
        }
        return pixels > 0;
    }

    /** A {@link #copiesOnly} frame: the top surface's rows copied into the target by this thread. */
    private FrameResult copyOnThread(List<SceneSurface> surfaces, RenderTarget target, Region damage) {
        SceneSurface top = surfaces.get(surfaces.size() - 1);
        VulkanTexture t = (VulkanTexture) top.texture();
        BufferMapping m = mappings[surfaces.size() - 1];
        MemorySegment plane = t.planes != null ? t.planes.plane0 : t.source.plane(0).memory();
        int stride = t.strides[0];
        MemorySegment to = target.memory();
        int rects = 0;
        beginClientReads(surfaces);
        try {
            for (int k = 0; k < damage.count(); k++) {
                int x0 = damage.x(k), y0 = damage.y(k), x1 = damage.right(k), y1 = damage.bottom(k);
                rects++;
                long rowBytes = 4L * (x1 - x0);
                long src = (long) (y0 + m.offsetY()) * stride + 4L * (x0 + m.offsetX());
                long dst = (long) y0 * target.stride() + 4L * x0;
                if (stride == target.stride() && rowBytes == stride) {
                    MemorySegment.copy(plane, src, to, dst, rowBytes * (y1 - y0));
                } else {
                    memcpyRows(plane, src, stride, to, dst, target.stride(), rowBytes, y1 - y0);
                }
            }
        } finally {
            endClientReads(surfaces);
        }
        threadCopies.incrementAndGet();
        return new FrameResult.Composed(rects, rects);
    }

    /**
     * A padded buffer's rows copied by LWJGL's memCopy (libc memcpy for rows this long) once
     * both whole spans are bounds-checked. A MemorySegment.copy per row (the rows are not
     * 64-byte aligned) cost about a fifth more per 1080p frame in alternating rounds
     * (BENCHMARKS.md, #17). Raw addresses are as safe here as the device path, which writes the
     * same imported memory by address: the caller holds the client buffer's access for the copy.
     */
    private static void memcpyRows(MemorySegment from, long src, long fromStride, MemorySegment to, long dst, long toStride, long rowBytes, int rows) {
        long fromSpan = fromStride * (rows - 1) + rowBytes, toSpan = toStride * (rows - 1) + rowBytes;
        long a = from.asSlice(src, fromSpan).address(), b = to.asSlice(dst, toSpan).address();
        for (int y = 0; y < rows; y++, a += fromStride, b += toStride) MemoryUtil.memCopy(a, b, rowBytes);
    }

    long threadCopies() {
        return threadCopies.get();
    }

    /**
     * Where the tile-binned dispatch takes over the stack over a damage rectangle: the lowest
     * index of the run of binnable surfaces ({@link TileBins#binnable}) at its top, above the
     * bottom opaque surface (which keeps its copy or fill: a memcpy on lavapipe); {@code n}
     * (no binning) unless at least two surfaces of the run touch the rectangle, where one
     * dispatch per surface costs the same.
     */
    private int binnedFrom(List<SceneSurface> surfaces, int first, int x0, int y0, int x1, int y1) {
        int n = surfaces.size();
        long tiles = (long) ((x1 - x0 + BinnedShader.TILE_WIDTH - 1) / BinnedShader.TILE_WIDTH)
                * ((y1 - y0 + BinnedShader.TILE_HEIGHT - 1) / BinnedShader.TILE_HEIGHT);
        if (!binning || tiles > MAX_GROUPS) return n;
        int from = n, drawn = 0;
        for (int i = n - 1; i > first; i--) {
            SceneSurface s = surfaces.get(i);
            if (!clip.of(s.destination(), x0, y0, x1, y1)) {
                from = i;
                continue;
            }
            int cx0 = clip.x0, cy0 = clip.y0, cx1 = clip.x1, cy1 = clip.y1;
            VulkanTexture t = (VulkanTexture) s.texture();
            if (!TileBins.binnable(s, mappings[i], cx0, cy0, cx1, cy1)) break;
            // An ARGB surface declared opaque over its clip is stored as it is by the per-surface path, not blended.
            if (t.kind == TexelKind.ARGB8888 && Occlusion.drawsOpaque(s, cx0, cy0, cx1 - cx0, cy1 - cy0)) break;
            from = i;
            drawn++;
        }
        return drawn >= 2 ? from : n;
    }

    /** The workgroup count one dispatch may have in x (Vulkan's guaranteed minimum of maxComputeWorkGroupCount). */
    private static final int MAX_GROUPS = 65535;

    /** Records the tile-binned dispatch that draws surfaces [from, n) over a damage rectangle (see {@link BinnedShader}). */
    private void drawBinned(List<SceneSurface> surfaces, int from, GpuBuffer out, int targetWord, RenderTarget target,
                            VkMemoryBarrier.Buffer between, boolean any, int x0, int y0, int x1, int y1) {
        bins.begin(x0, y0, x1, y1);
        for (int i = from; i < surfaces.size(); i++) {
            SceneSurface s = surfaces.get(i);
            if (!clip.of(s.destination(), x0, y0, x1, y1)) continue;
            int cx0 = clip.x0, cy0 = clip.y0, cx1 = clip.x1, cy1 = clip.y1;
            VulkanTexture t = (VulkanTexture) s.texture();
            BufferMapping m = mappings[i];
            // Where texel (0 + offsetX, 0 + offsetY) would lie: target pixel (x, y) reads origin + y * stride + 4 * x.
            long origin = t.buffers[0].deviceAddress + t.offsets[0] + (long) m.offsetY() * t.strides[0] + 4L * m.offsetX();
            boolean x = t.kind == TexelKind.XRGB8888;
            bins.add(cx0, cy0, cx1, cy1, origin, t.strides[0], x ? 0xff000000 : 0, x);
        }
        MemorySegment words = binsRoom(binsUsed + bins.maxWords());
        int tiles = bins.write(words, binsUsed);
        int tileBase = bins.tileBase(binsUsed);
        binsUsed += (int) bins.maxWords();
        if (tiles == 0) return;
        barrier(any, between);
        vkCmdBindPipeline(vk.commands, VK_PIPELINE_BIND_POINT_COMPUTE, vk.binnedPipeline);
        try (MemoryStack stack = stackPush()) {
            VkWriteDescriptorSet.Buffer writes = VkWriteDescriptorSet.calloc(2, stack);
            writes.get(0).sType$Default().dstBinding(0).descriptorCount(1).descriptorType(VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER)
                    .pTexelBufferView(stack.longs(binsBuffer.view));
            writes.get(1).sType$Default().dstBinding(1).descriptorCount(1).descriptorType(VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER)
                    .pTexelBufferView(stack.longs(out.view));
            KHRPushDescriptor.vkCmdPushDescriptorSetKHR(vk.commands, VK_PIPELINE_BIND_POINT_COMPUTE, vk.binnedPipelineLayout, 0, writes);
            ByteBuffer constants = stack.malloc(BinnedShader.PUSH_BYTES);
            constants.putInt(BinnedShader.P_TILE_BASE, tileBase).putInt(BinnedShader.P_TARGET_WORD, targetWord)
                    .putInt(BinnedShader.P_TARGET_STRIDE, target.stride() >> 2).putInt(12, 0);
            vkCmdPushConstants(vk.commands, vk.binnedPipelineLayout, VK_SHADER_STAGE_COMPUTE_BIT, 0, constants);
        }
        vkCmdDispatch(vk.commands, tiles, 1, 1);
        binnedDispatches.incrementAndGet();
        binnedSurfaces.addAndGet(bins.surfaces());
    }

    long binnedDispatches() {
        return binnedDispatches.get();
    }

    long binnedSurfaces() {
        return binnedSurfaces.get();
    }

    /**
     * The bins buffer's words, with room for {@code words}: a buffer outgrown mid-frame stays
     * alive (earlier dispatches of the frame read it) until the next frame starts.
     */
    private MemorySegment binsRoom(long words) {
        long bytes = 4 * words;
        if (binsBuffer == null || binsBuffer.size < bytes) {
            if (binsBuffer != null) retiredBins.add(binsBuffer);
            binsBuffer = vk.allocateMapped(Math.max(bytes * 2, 1 << 16));
            if (binsBuffer == null) throw new IllegalStateException("out of memory for " + bytes + " bytes of tile bins");
        }
        return MemorySegment.ofAddress(binsBuffer.base).reinterpret(binsBuffer.size);
    }

    private FrameResult noPipeline(List<SceneSurface> surfaces) {
        vkEndCommandBuffer(vk.commands);
        return new FrameResult.Failed(FrameFailure.GPU_ERROR, "the driver could not make a compose pipeline");
    }

    /**
     * Records one dispatch of a variant over a w x h clip; every dispatch after the first waits
     * for the one before (they may touch the same pixels). False when the pipeline cannot be made.
     */
    private boolean dispatch(boolean any, VkMemoryBarrier.Buffer between, int variant, VulkanTexture t, GpuBuffer out, ByteBuffer constants, int w, int h) {
        long pipeline = vk.pipeline(variant);
        if (pipeline == VK_NULL_HANDLE) return false;
        vkCmdBindPipeline(vk.commands, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
        barrier(any, between);
        try (MemoryStack stack = stackPush()) {
            VkWriteDescriptorSet.Buffer writes = VkWriteDescriptorSet.calloc(3, stack);
            long plane1 = t.buffers[1] != null ? t.buffers[1].view : t.buffers[0].view;
            long[] views = {t.buffers[0].view, plane1, out.view};
            for (int b = 0; b < 3; b++) {
                writes.get(b).sType$Default().dstBinding(b).descriptorCount(1)
                        .descriptorType(b == 2 ? VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER : VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER)
                        .pTexelBufferView(stack.longs(views[b]));
            }
            KHRPushDescriptor.vkCmdPushDescriptorSetKHR(vk.commands, VK_PIPELINE_BIND_POINT_COMPUTE, vk.pipelineLayout, 0, writes);
        }
        vkCmdPushConstants(vk.commands, vk.pipelineLayout, VK_SHADER_STAGE_COMPUTE_BIT, 0, constants);
        int perGroupX = ComposeShader.LOCAL_SIZE_X * ComposeShader.PIXELS_PER_INVOCATION;
        vkCmdDispatch(vk.commands, (w + perGroupX - 1) / perGroupX,
                (h + ComposeShader.LOCAL_SIZE_Y - 1) / ComposeShader.LOCAL_SIZE_Y, 1);
        return true;
    }

    private static final int COMPUTE_OR_TRANSFER = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;

    /** Each operation after the first waits for the one before: they may touch the same pixels. */
    private void barrier(boolean any, VkMemoryBarrier.Buffer between) {
        if (any) vkCmdPipelineBarrier(vk.commands, COMPUTE_OR_TRANSFER, COMPUTE_OR_TRANSFER, 0, between, null, null);
    }

    /**
     * The CPU renderer's straight copy: an opaque, unconverted, untransformed, unscaled linear
     * buffer wholly inside its clip is the target's bytes already, so the driver copies it
     * (vkCmdCopyBuffer, a memcpy on lavapipe) instead of a shader reading it texel by texel.
     */
    private static boolean isStraightCopy(SceneSurface s, BufferMapping m, RenderTarget target, int cx0, int cy0, int cx1, int cy1) {
        VulkanTexture t = (VulkanTexture) s.texture();
        if (t.tiling != 0 || !m.isIntegerTranslation()) return false;
        boolean bytesMatch = t.kind == 0 || (t.kind == 1 && target.fourcc() == Fourcc.XRGB8888);
        if (!bytesMatch || (!s.premultiplied() && Fourcc.hasAlpha(t.fourcc()))) return false;
        return cx0 + m.offsetX() >= 0 && cy0 + m.offsetY() >= 0 && cx1 + m.offsetX() <= t.width() && cy1 + m.offsetY() <= t.height();
    }

    /**
     * A premultiplied ARGB8888 buffer blended 1:1 and wholly inside its clip (video players'
     * ARGB frames that are opaque but declare no opaque region): {@link #overArgbRows} applies.
     */
    private static boolean isArgbRunnable(SceneSurface s, BufferMapping m, int cx0, int cy0, int cx1, int cy1) {
        VulkanTexture t = (VulkanTexture) s.texture();
        if (t.kind != TexelKind.ARGB8888 || t.tiling != 0 || !s.premultiplied() || !m.isIntegerTranslation()) return false;
        return cx0 + m.offsetX() >= 0 && cy0 + m.offsetY() >= 0 && cx1 + m.offsetX() <= t.width() && cy1 + m.offsetY() <= t.height();
    }

    /**
     * The CPU renderer's run classification (RowWriter.overArgbRow), by rows: rows whose alpha
     * is all 255 are what "over" stores, so they are copied (vkCmdCopyBuffer); rows all zero are
     * what it skips; the rest go to the shader. Reading the alpha on the CPU costs about a read
     * of the clip; on lavapipe a shader touching every pixel costs 30-40 times that.
     */
    private boolean overArgbRows(SceneSurface s, BufferMapping m, GpuBuffer out, long targetOffset, int targetWord, RenderTarget target,
                                 VkMemoryBarrier.Buffer between, boolean any, int cx0, int cy0, int cx1, int cy1) {
        VulkanTexture t = (VulkanTexture) s.texture();
        MemorySegment plane = t.planes != null ? t.planes.plane0 : t.source.plane(0).memory();
        int stride = t.strides[0];
        long x0 = 4L * (cx0 + m.offsetX());
        int n = cx1 - cx0;
        int runStart = cy0, runKind = -1;
        for (int y = cy0; y <= cy1; y++) {
            int kind = y == cy1 ? -2 : rowKind(plane, (long) (y + m.offsetY()) * stride + x0, n);
            if (kind == runKind) continue;
            if (runKind == ROW_OPAQUE) {
                barrier(any, between);
                copyRows(t, m, out, targetOffset, target, cx0, runStart, cx1, y);
                any = true;
            } else if (runKind == ROW_MIXED) {
                ByteBuffer constants = draw(s, m, targetWord, target, cx0, runStart, cx1, y);
                if (!dispatch(any, between, variant(s, m, ComposeShader.MODE_OVER), t, out, constants, n, y - runStart)) return false;
                any = true;
            }
            runStart = y;
            runKind = kind;
        }
        return true;
    }

    private static final int ROW_CLEAR = 0, ROW_OPAQUE = 1, ROW_MIXED = 2;

    private static int rowKind(MemorySegment plane, long off, int n) {
        int and = -1, or = 0;
        for (int i = 0; i < n; i++) {
            int v = plane.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, off + 4L * i);
            and &= v;
            or |= v;
            // Mixed as soon as one texel is not opaque and one is not clear: the rest cannot change that,
            // and a translucent window's rows are mixed from their first pixels.
            if ((and >>> 24) != 255 && or != 0) return ROW_MIXED;
        }
        return (and >>> 24) == 255 ? ROW_OPAQUE : or == 0 ? ROW_CLEAR : ROW_MIXED;
    }

    private void copyRows(VulkanTexture t, BufferMapping m, GpuBuffer out, long targetOffset, RenderTarget target, int cx0, int cy0, int cx1, int cy1) {
        int rows = cy1 - cy0;
        long rowBytes = 4L * (cx1 - cx0);
        boolean contiguous = t.strides[0] == target.stride() && rowBytes == target.stride();
        VkBufferCopy.Buffer regions = copyRegions(contiguous ? 1 : rows);
        long src = t.offsets[0] + (long) (cy0 + m.offsetY()) * t.strides[0] + 4L * (cx0 + m.offsetX());
        long dst = targetOffset + (long) cy0 * target.stride() + 4L * cx0;
        if (contiguous) {
            regions.get(0).srcOffset(src).dstOffset(dst).size(rowBytes * rows);
        } else {
            for (int r = 0; r < rows; r++) {
                regions.get(r).srcOffset(src + (long) r * t.strides[0]).dstOffset(dst + (long) r * target.stride()).size(rowBytes);
            }
        }
        vkCmdCopyBuffer(vk.commands, t.buffers[0].buffer, out.buffer, regions);
    }

    /** Not a valid premultiplied colour (colour above alpha), so no honest client's texel. */
    private static final int NOT_SOLID = 0x00ff00ff;

    /**
     * The one colour a 1x1 packed buffer puts everywhere it is drawn (waylandsink's stretched
     * black background), premultiplied as drawn, as the CPU renderer's fill path takes it; or
     * {@link #NOT_SOLID} for anything else, or a straight-alpha colour that would need rounding.
     */
    private static int solidColour(SceneSurface s) {
        VulkanTexture t = (VulkanTexture) s.texture();
        if (t.kind == TexelKind.NV12 || t.width() != 1 || t.height() != 1) return NOT_SOLID;
        MemorySegment texel = t.planes != null ? t.planes.plane0 : t.source.plane(0).memory();
        int c = TexelKind.toArgb(t.kind, texel.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0));
        boolean premultiply = !s.premultiplied() && Fourcc.hasAlpha(t.fourcc());
        if (premultiply && c >>> 24 != 255) return NOT_SOLID;
        return c; // a texel equal to NOT_SOLID itself just takes the shader's path
    }

    /** A colour over a rectangle: vkCmdFillBuffer per row (one fill when the rows are contiguous). */
    private void fill(GpuBuffer out, long targetOffset, RenderTarget target, int colour, int x0, int y0, int x1, int y1) {
        long rowBytes = 4L * (x1 - x0);
        long first = targetOffset + (long) y0 * target.stride() + 4L * x0;
        if (rowBytes == target.stride()) {
            vkCmdFillBuffer(vk.commands, out.buffer, first, rowBytes * (y1 - y0), colour);
            return;
        }
        for (int y = y0; y < y1; y++) vkCmdFillBuffer(vk.commands, out.buffer, first + (long) (y - y0) * target.stride(), rowBytes, colour);
    }

    private VkBufferCopy.Buffer copyRegions(int n) {
        if (regions == null || regions.capacity() < n) {
            if (regions != null) regions.free();
            regions = VkBufferCopy.malloc(Math.max(n, 64));
        }
        return regions.limit(n).position(0);
    }

    /** The pipeline variant that draws this surface: only the flags that change the path it takes. */
    private static int variant(SceneSurface s, BufferMapping m, int mode) {
        VulkanTexture t = (VulkanTexture) s.texture();
        boolean integer = t.kind != TexelKind.NV12 && m.isIntegerTranslation();
        int flags = (!integer && s.filter() == Filter.BILINEAR ? ComposeShader.FLAG_BILINEAR : 0)
                | (!s.premultiplied() && Fourcc.hasAlpha(t.fourcc()) ? ComposeShader.FLAG_PREMULTIPLY : 0)
                | (integer ? ComposeShader.FLAG_INTEGER : 0);
        return ComposeShader.variant(t.kind, flags, t.tiling, mode);
    }

    private ByteBuffer draw(SceneSurface s, BufferMapping m, int targetWord, RenderTarget target, int cx0, int cy0, int cx1, int cy1) {
        VulkanTexture t = (VulkanTexture) s.texture();
        boolean integer = m.isIntegerTranslation();
        push.putDouble(ComposeShader.P_A, m.a).putDouble(ComposeShader.P_B, m.b).putDouble(ComposeShader.P_C, m.c)
                .putDouble(ComposeShader.P_D, m.d).putDouble(ComposeShader.P_E, m.e).putDouble(ComposeShader.P_F, m.f)
                .putInt(ComposeShader.P_TARGET_WORD, targetWord)
                .putInt(ComposeShader.P_OFFSET0, t.offsets[0]).putInt(ComposeShader.P_STRIDE0, t.strides[0])
                .putInt(ComposeShader.P_OFFSET1, t.offsets[1]).putInt(ComposeShader.P_STRIDE1, t.strides[1])
                .putInt(ComposeShader.P_CX0, cx0).putInt(ComposeShader.P_CY0, cy0).putInt(ComposeShader.P_CX1, cx1).putInt(ComposeShader.P_CY1, cy1)
                .putInt(ComposeShader.P_WIDTH, t.width()).putInt(ComposeShader.P_HEIGHT, t.height())
                .putInt(ComposeShader.P_OFFSET_X, integer ? m.offsetX() : 0).putInt(ComposeShader.P_OFFSET_Y, integer ? m.offsetY() : 0)
                .putInt(ComposeShader.P_TARGET_STRIDE, target.stride());
        return push;
    }

    private void prepareMappings(List<SceneSurface> surfaces) {
        if (mappings.length < surfaces.size()) {
            BufferMapping[] grown = new BufferMapping[surfaces.size()];
            for (int i = 0; i < grown.length; i++) grown[i] = i < mappings.length ? mappings[i] : new BufferMapping();
            mappings = grown;
        }
        for (int i = 0; i < surfaces.size(); i++) mappings[i].set(surfaces.get(i));
    }

    private static void beginClientReads(List<SceneSurface> surfaces) {
        for (int i = 0; i < surfaces.size(); i++) {
            VulkanTexture t = (VulkanTexture) surfaces.get(i).texture();
            if (t.inPlace()) t.source.access().begin();
        }
    }

    private static void endClientReads(List<SceneSurface> surfaces) {
        for (int i = 0; i < surfaces.size(); i++) {
            VulkanTexture t = (VulkanTexture) surfaces.get(i).texture();
            if (t.inPlace()) t.source.access().end();
        }
    }

    /**
     * The target's memory imported in place, from a small cache: a swapchain has two or three
     * buffers, drawn in turn, so each is imported once. Null when it cannot be imported (then
     * the frame is composed into staging memory and copied out, counted).
     */
    private GpuBuffer targetBuffer(RenderTarget target) {
        MemorySegment m = target.memory();
        if (!m.isNative() || (m.address() & 3) != 0) {
            countTargetCopy();
            return null;
        }
        long bytes = (long) target.stride() * (target.height() - 1) + 4L * target.width();
        TargetKey key = new TargetKey(m.address(), bytes, m.scope());
        GpuBuffer b = targets.get(key);
        if (b != null) {
            counts.incrementAndGet(TARGET_IN_PLACE);
            return b;
        }
        // Drop imports of targets whose memory is gone (the driver must not keep pinning it), then the least recently used.
        for (Iterator<Map.Entry<TargetKey, GpuBuffer>> it = targets.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<TargetKey, GpuBuffer> e = it.next();
            if (!e.getKey().scope().isAlive() || targets.size() >= TARGET_CACHE) {
                e.getValue().destroy(vk);
                it.remove();
            }
        }
        HostRange range = HostRange.widen(m.address(), bytes, vk.hostPointerAlignment, PAGE_SIZE);
        b = range == null ? null : vk.importHost(range);
        if (b == null) {
            countTargetCopy();
            return null;
        }
        targets.put(key, b);
        counts.incrementAndGet(TARGET_IN_PLACE);
        return b;
    }

    private void countTargetCopy() {
        counts.incrementAndGet(TARGET_COPIED);
    }

    private GpuBuffer stagingFor(long bytes) {
        if (staging != null && staging.size >= bytes) return staging;
        if (staging != null) staging.destroy(vk);
        staging = vk.allocateMapped(bytes);
        return staging;
    }

    private void copyOut(GpuBuffer from, RenderTarget target) {
        counts.addAndGet(COPIED_BYTES, copyDamage(MemorySegment.ofAddress(from.base).reinterpret(from.size), target.memory(), target));
    }

    private static long copyDamage(MemorySegment src, MemorySegment dst, RenderTarget target) {
        Region damage = target.damage();
        long bytes = 0;
        for (int k = 0; k < damage.count(); k++) {
            int x0 = damage.x(k), y0 = damage.y(k), x1 = damage.right(k), y1 = damage.bottom(k);
            for (int y = y0; y < y1; y++) {
                long off = (long) y * target.stride() + 4L * x0;
                MemorySegment.copy(src, off, dst, off, 4L * (x1 - x0));
                bytes += 4L * (x1 - x0);
            }
        }
        return bytes;
    }
}
