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
import dev.ferry.renderer.Rect;
import dev.ferry.renderer.Region;
import dev.ferry.renderer.RenderTarget;
import dev.ferry.renderer.Renderer;
import dev.ferry.renderer.RendererUnavailableException;
import dev.ferry.renderer.SceneSurface;
import dev.ferry.renderer.core.BufferMapping;
import dev.ferry.renderer.core.LinearPlanes;
import dev.ferry.renderer.core.Occlusion;
import dev.ferry.renderer.core.RenderThread;
import dev.ferry.renderer.core.SourceCheck;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
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
    public static final int DEFAULT_QUEUE_CAPACITY = 64;
    /** How long one frame may run on the device before it is counted lost. */
    public static final long FRAME_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int MAX_SIZE = 16384;
    private static final int TARGET_CACHE = 8;
    private static final long PAGE_SIZE = 4096;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

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
    /** Test hook: the next frame is submitted and then treated as if the device were lost. */
    volatile boolean injectDeviceLost;

    // Counters, written on the render thread, read anywhere: in-place imports, then copies by reason.
    private static final int IN_PLACE = 0, TARGET_IN_PLACE = 1, TARGET_COPIED = 2, COPIED_BYTES = 3, FIRST_REASON = 4;
    private final AtomicLongArray counts = new AtomicLongArray(FIRST_REASON + CopyReason.values().length);

    // Render-thread state.
    private VulkanDevice vk;
    private GpuBuffer params;
    private GpuBuffer staging;
    private final Map<TargetKey, GpuBuffer> targets = new LinkedHashMap<>(16, 0.75f, true);
    private BufferMapping[] mappings = new BufferMapping[0];
    private ByteBuffer push;

    private record TargetKey(long address, long size, MemorySegment.Scope scope) {}

    /** What was imported in place and what was copied, and why. */
    public record Counters(long texturesInPlace, Map<CopyReason, Long> texturesCopied, long targetsInPlace, long targetsCopied, long bytesCopied) {
        public long copiedTotal() {
            long n = 0;
            for (long v : texturesCopied.values()) n += v;
            return n;
        }
    }

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
        r.thread.start();
        try {
            r.started.get(30, TimeUnit.SECONDS);
            return r;
        } catch (ExecutionException e) {
            r.closed = true;
            r.thread.stop(5_000);
            Throwable cause = e.getCause();
            if (cause instanceof RendererUnavailableException u) throw u;
            throw new RendererUnavailableException("Vulkan renderer failed to start: " + cause, cause);
        } catch (TimeoutException e) {
            r.closed = true;
            r.thread.stop(0);
            throw new RendererUnavailableException("Vulkan renderer did not start within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            r.closed = true;
            r.thread.stop(0);
            throw new RendererUnavailableException("interrupted while starting the Vulkan renderer");
        }
    }

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
        CompletableFuture<ImportResult> result = new CompletableFuture<>();
        if (!thread.offer(() -> result.complete(importOnThread(source)))) {
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
        CompletableFuture<FrameResult> result = new CompletableFuture<>();
        if (!thread.offer(() -> result.complete(composeOnThread(surfaces, target)))) {
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
                    + (validation ? "; validation on" : "") + "; formats " + formats.summary();
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
        if (vk == null) return;
        vkDeviceWaitIdle(vk.device);
        for (GpuBuffer b : targets.values()) b.destroy(vk);
        targets.clear();
        if (params != null) params.destroy(vk);
        if (staging != null) staging.destroy(vk);
        params = staging = null;
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
        int kind = kind(source.fourcc());
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

    /** The CPU renderer's TexelKind numbering, which the shader switches on. */
    private static int kind(int fourcc) {
        if (fourcc == Fourcc.ARGB8888) return 0;
        if (fourcc == Fourcc.XRGB8888) return 1;
        if (fourcc == Fourcc.ABGR8888) return 2;
        if (fourcc == Fourcc.XBGR8888) return 3;
        if (fourcc == Fourcc.ARGB2101010) return 4;
        if (fourcc == Fourcc.XRGB2101010) return 5;
        if (fourcc == Fourcc.NV12) return 6;
        throw new IllegalArgumentException("not sampled: " + Fourcc.name(fourcc));
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
        int rects = clippedRects(damage, target);
        if (rects == 0) return new FrameResult.Composed(0, 0);
        GpuBuffer out = targetBuffer(target);
        boolean copyOut = out == null;
        if (copyOut) {
            out = stagingFor((long) target.stride() * target.height());
            if (out == null) return new FrameResult.Failed(FrameFailure.GPU_ERROR, "out of device memory for a staging target");
        }
        long surfaceBytes = (long) n * ComposeShader.SURFACE_BYTES;
        GpuBuffer p = paramsFor(surfaceBytes + (long) rects * Math.max(1, n) * 4);
        if (p == null) return new FrameResult.Failed(FrameFailure.GPU_ERROR, "out of device memory for frame parameters");
        for (int i = 0; i < n; i++) {
            SceneSurface s = surfaces.get(i);
            VulkanTexture t = (VulkanTexture) s.texture();
            if (t.copied != null && !s.bufferDamage().isEmpty()) refreshCopy(t, s.bufferDamage());
        }
        MemorySegment mem = MemorySegment.ofAddress(p.base).reinterpret(p.size);
        prepareMappings(surfaces);
        for (int i = 0; i < n; i++) writeSurface(mem, (long) i * ComposeShader.SURFACE_BYTES, surfaces.get(i), mappings[i]);

        long targetAddress = copyOut ? out.deviceAddress : out.addressOf(target.memory().address());
        int draws = 0;
        beginClientReads(surfaces);
        try (MemoryStack stack = stackPush()) {
            vkResetCommandBuffer(vk.commands, 0);
            vkBeginCommandBuffer(vk.commands, VkCommandBufferBeginInfo.calloc(stack).sType$Default()
                    .flags(VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT));
            vkCmdBindPipeline(vk.commands, VK_PIPELINE_BIND_POINT_COMPUTE, vk.pipeline);
            int r = 0;
            for (int k = 0; k < damage.count(); k++) {
                int x0 = Math.max(0, damage.x(k)), y0 = Math.max(0, damage.y(k));
                int x1 = (int) Math.min(target.width(), (long) damage.x(k) + damage.width(k));
                int y1 = (int) Math.min(target.height(), (long) damage.y(k) + damage.height(k));
                if (x1 <= x0 || y1 <= y0) continue;
                int first = Occlusion.firstVisible(surfaces, x0, y0, x1 - x0, y1 - y0);
                boolean clearFirst = first < 0;
                if (clearFirst) first = 0;
                long flags = surfaceBytes + (long) r * n * 4;
                for (int i = 0; i < n; i++) {
                    SceneSurface s = surfaces.get(i);
                    boolean reaches = i >= first && reaches(s.destination(), x0, y0, x1, y1);
                    if (reaches) draws++;
                    mem.set(INT, flags + 4L * i, reaches && drawsOpaque(s, x0, y0, x1, y1) ? 1 : 0);
                }
                push.clear();
                push.putLong(ComposeShader.P_SURFACES, p.deviceAddress)
                        .putLong(ComposeShader.P_TARGET, targetAddress)
                        .putLong(ComposeShader.P_OPAQUE, p.deviceAddress + flags)
                        .putInt(ComposeShader.P_RX0, x0).putInt(ComposeShader.P_RY0, y0)
                        .putInt(ComposeShader.P_RX1, x1).putInt(ComposeShader.P_RY1, y1)
                        .putInt(ComposeShader.P_FIRST, first).putInt(ComposeShader.P_COUNT, n)
                        .putInt(ComposeShader.P_CLEAR, target.clearArgb())
                        .putInt(ComposeShader.P_TARGET_OFFSET, 0)
                        .putInt(ComposeShader.P_TARGET_STRIDE, target.stride())
                        .putInt(ComposeShader.P_CLEAR_FIRST, clearFirst ? 1 : 0);
                vkCmdPushConstants(vk.commands, vk.pipelineLayout, VK_SHADER_STAGE_COMPUTE_BIT, 0, push);
                int groups = ComposeShader.LOCAL_SIZE;
                vkCmdDispatch(vk.commands, (x1 - x0 + groups - 1) / groups, (y1 - y0 + groups - 1) / groups, 1);
                r++;
            }
            // The frame's writes must be visible to the CPU (KMS scans out what the mapping holds) once the fence signals.
            VkMemoryBarrier.Buffer toHost = VkMemoryBarrier.calloc(1, stack).sType$Default()
                    .srcAccessMask(VK_ACCESS_SHADER_WRITE_BIT).dstAccessMask(VK_ACCESS_HOST_READ_BIT);
            vkCmdPipelineBarrier(vk.commands, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, toHost, null, null);
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
            return new FrameResult.Composed(r, draws);
        } finally {
            endClientReads(surfaces);
        }
    }

    private static int clippedRects(Region damage, RenderTarget target) {
        int rects = 0;
        for (int k = 0; k < damage.count(); k++) {
            int x0 = Math.max(0, damage.x(k)), y0 = Math.max(0, damage.y(k));
            long x1 = Math.min(target.width(), (long) damage.x(k) + damage.width(k));
            long y1 = Math.min(target.height(), (long) damage.y(k) + damage.height(k));
            if (x1 > x0 && y1 > y0) rects++;
        }
        return rects;
    }

    private static boolean reaches(Rect d, int x0, int y0, int x1, int y1) {
        return Math.max(x0, d.x()) < Math.min(x1, (long) d.x() + d.width()) && Math.max(y0, d.y()) < Math.min(y1, (long) d.y() + d.height());
    }

    /** {@link Occlusion#drawsOpaque} over the surface's part of the rectangle, as the CPU renderer asks it. */
    private static boolean drawsOpaque(SceneSurface s, int x0, int y0, int x1, int y1) {
        Rect d = s.destination();
        int cx0 = Math.max(x0, d.x()), cy0 = Math.max(y0, d.y());
        int cx1 = (int) Math.min(x1, (long) d.x() + d.width()), cy1 = (int) Math.min(y1, (long) d.y() + d.height());
        return Occlusion.drawsOpaque(s, cx0, cy0, cx1 - cx0, cy1 - cy0);
    }

    private void prepareMappings(List<SceneSurface> surfaces) {
        if (mappings.length < surfaces.size()) {
            BufferMapping[] grown = new BufferMapping[surfaces.size()];
            for (int i = 0; i < grown.length; i++) grown[i] = i < mappings.length ? mappings[i] : new BufferMapping();
            mappings = grown;
        }
        for (int i = 0; i < surfaces.size(); i++) mappings[i].set(surfaces.get(i));
    }

    private static void writeSurface(MemorySegment mem, long at, SceneSurface s, BufferMapping m) {
        VulkanTexture t = (VulkanTexture) s.texture();
        mem.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, at + ComposeShader.S_A, m.a);
        mem.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, at + ComposeShader.S_B, m.b);
        mem.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, at + ComposeShader.S_C, m.c);
        mem.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, at + ComposeShader.S_D, m.d);
        mem.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, at + ComposeShader.S_E, m.e);
        mem.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, at + ComposeShader.S_F, m.f);
        mem.set(ValueLayout.JAVA_LONG_UNALIGNED, at + ComposeShader.S_PLANE0, t.buffers[0].deviceAddress);
        mem.set(ValueLayout.JAVA_LONG_UNALIGNED, at + ComposeShader.S_PLANE1, t.buffers[1] == null ? 0 : t.buffers[1].deviceAddress);
        mem.set(INT, at + ComposeShader.S_OFFSET0, t.offsets[0]);
        mem.set(INT, at + ComposeShader.S_STRIDE0, t.strides[0]);
        mem.set(INT, at + ComposeShader.S_OFFSET1, t.offsets[1]);
        mem.set(INT, at + ComposeShader.S_STRIDE1, t.strides[1]);
        Rect d = s.destination();
        mem.set(INT, at + ComposeShader.S_X0, d.x());
        mem.set(INT, at + ComposeShader.S_Y0, d.y());
        mem.set(INT, at + ComposeShader.S_X1, (int) Math.min(Integer.MAX_VALUE, (long) d.x() + d.width()));
        mem.set(INT, at + ComposeShader.S_Y1, (int) Math.min(Integer.MAX_VALUE, (long) d.y() + d.height()));
        mem.set(INT, at + ComposeShader.S_WIDTH, t.width());
        mem.set(INT, at + ComposeShader.S_HEIGHT, t.height());
        mem.set(INT, at + ComposeShader.S_KIND, t.kind);
        int flags = (s.filter() == Filter.BILINEAR ? ComposeShader.FLAG_BILINEAR : 0)
                | (!s.premultiplied() && Fourcc.hasAlpha(t.fourcc()) ? ComposeShader.FLAG_PREMULTIPLY : 0);
        mem.set(INT, at + ComposeShader.S_FLAGS, flags);
        mem.set(INT, at + ComposeShader.S_TILING, t.tiling);
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

    private GpuBuffer paramsFor(long bytes) {
        if (params != null && params.size >= bytes) return params;
        if (params != null) params.destroy(vk);
        params = vk.allocateMapped(Math.max(4096, Long.highestOneBit(bytes - 1) << 1));
        return params;
    }

    private void copyOut(GpuBuffer from, RenderTarget target) {
        MemorySegment src = MemorySegment.ofAddress(from.base).reinterpret(from.size);
        MemorySegment dst = target.memory();
        Region damage = target.damage();
        long bytes = 0;
        for (int k = 0; k < damage.count(); k++) {
            int x0 = Math.max(0, damage.x(k)), y0 = Math.max(0, damage.y(k));
            int x1 = (int) Math.min(target.width(), (long) damage.x(k) + damage.width(k));
            int y1 = (int) Math.min(target.height(), (long) damage.y(k) + damage.height(k));
            for (int y = y0; y < y1 && x1 > x0; y++) {
                long off = (long) y * target.stride() + 4L * x0;
                MemorySegment.copy(src, off, dst, off, 4L * (x1 - x0));
                bytes += 4L * (x1 - x0);
            }
        }
        counts.addAndGet(COPIED_BYTES, bytes);
    }
}
