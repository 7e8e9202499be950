package dev.ferry.renderer.gles;

import static org.lwjgl.opengles.GLES30.*;

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
import dev.ferry.renderer.core.DamageClip;
import dev.ferry.renderer.core.BufferMapping;
import dev.ferry.renderer.core.LinearPlanes;
import dev.ferry.renderer.core.Occlusion;
import dev.ferry.renderer.core.RenderThread;
import dev.ferry.renderer.core.SourceCheck;
import java.lang.foreign.MemorySegment;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.lwjgl.egl.EGL10;
import org.lwjgl.egl.EXTImageDMABufImport;
import org.lwjgl.egl.EXTImageDMABufImportModifiers;
import org.lwjgl.opengles.GLES;
import org.lwjgl.opengles.GLES32;
import org.lwjgl.opengles.GLESCapabilities;
import org.lwjgl.opengles.OESEGLImage;
import org.lwjgl.system.MemoryUtil;

/**
 * Composition with GLES 3 on EGL (surfaceless: Mesa llvmpipe here, a render node's driver on
 * a GPU). One {@link RenderThread} owns the context; every public method only queues work and
 * returns a future, completed on the render thread (so callers chain with *Async onto their
 * own executor, and never block in a callback).
 *
 * <p>A frame is drawn whole into an offscreen {@link Framebuffer}, checked (GL errors, context
 * reset), and only then read back into the target's damaged rectangles with glReadPixels, so
 * a failure never leaves a half-drawn frame in the target.
 */
public final class GlesRenderer implements Renderer {
    /** The render thread's clip of a surface to a damage rectangle, reused: no allocation per draw. */
    private final DamageClip clip = new DamageClip();
    public static final int DEFAULT_QUEUE_CAPACITY = 64;

    private final RenderThread thread;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private volatile boolean closed;
    private volatile boolean lost;
    private volatile String description = "gles (starting)";
    private volatile boolean softwareRasterizer;
    private volatile DmaBufFormats dmaBufFormats = DmaBufFormats.none("not started");
    private volatile int maxTextureSize = 0;
    /** Test hook: the next frame draws and then fails with this reason instead of reading back. */
    volatile FrameFailure injectedFailure;

    // Render-thread state.
    private EglContext egl;
    private GLESCapabilities gl;
    private SurfaceProgram program;
    private final Framebuffer framebuffer = new Framebuffer();
    /** Targets read back on demand, by memory address: each keeps its frame in a framebuffer of its own. */
    private final java.util.Map<Long, OnDemand> onDemand = new java.util.HashMap<>();
    private final java.util.concurrent.atomic.AtomicLong readBackBytes = new java.util.concurrent.atomic.AtomicLong();
    private final BufferMapping mapping = new BufferMapping();
    private int vao, vbo;
    private FloatBuffer quad;
    private boolean dmaBufImport;

    private GlesRenderer(int queueCapacity) {
        thread = new RenderThread("ferry-gles", queueCapacity, this::startOnThread, this::stopOnThread);
    }

    /** Starts the render thread and its context; blocks until the context exists or has failed. */
    public static GlesRenderer start() throws RendererUnavailableException {
        return start(DEFAULT_QUEUE_CAPACITY);
    }

    public static GlesRenderer start(int queueCapacity) throws RendererUnavailableException {
        GlesRenderer r = new GlesRenderer(queueCapacity);
        r.thread.startAndAwait(r.started, "GLES renderer");
        return r;
    }

    @Override public String name() { return "gles"; }

    @Override public boolean composesOnGpu() { return true; }

    @Override public String description() { return description; }

    /**
     * Whether GL is a CPU rasterizer (Mesa's llvmpipe, softpipe, swrast): then every "GPU"
     * composition is CPU work plus a read-back, dearer than composing on the CPU directly.
     */
    public boolean softwareRasterizer() { return softwareRasterizer; }

    @Override public DmaBufFormats dmaBufFormats() { return dmaBufFormats; }

    /** GL_MAX_TEXTURE_SIZE: the largest buffer side this renderer imports. */
    public int maxTextureSize() { return maxTextureSize; }

    // ---- import ------------------------------------------------------------------------------

    @Override
    public CompletableFuture<ImportResult> importMemory(PixelSource source) {
        if (closed) return done(ImportResult.rejected(ImportRejection.RENDERER_CLOSED, "gles renderer closed"));
        if (lost) return done(ImportResult.rejected(ImportRejection.CONTEXT_LOST, "GL context lost"));
        ImportResult.Rejected problem = SourceCheck.problem(source, maxTextureSize);
        if (problem != null) return done(problem);
        for (PixelPlane p : source.planes()) {
            if (!p.memory().isNative()) return done(ImportResult.rejected(ImportRejection.NOT_NATIVE_MEMORY, "heap segment; GL uploads read native memory"));
            if (!p.memory().isAccessibleBy(thread.thread())) {
                return done(ImportResult.rejected(ImportRejection.SOURCE_UNREADABLE, "memory is confined to another thread or closed; the render thread reads it"));
            }
        }
        CompletableFuture<ImportResult> result = new CompletableFuture<>();
        if (!thread.offer(() -> result.complete(importOnThread(source)))) {
            return done(ImportResult.rejected(ImportRejection.QUEUE_FULL, "render queue full"));
        }
        return result;
    }

    @Override
    public CompletableFuture<ImportResult> importDmaBuf(DmaBufSource source) {
        if (closed) return done(ImportResult.rejected(ImportRejection.RENDERER_CLOSED, "gles renderer closed"));
        if (!dmaBufFormats.importable()) return done(ImportResult.rejected(ImportRejection.DMABUF_IMPORT_UNSUPPORTED, dmaBufFormats.why()));
        CompletableFuture<ImportResult> result = new CompletableFuture<>();
        if (!thread.offer(() -> result.complete(importDmaBufOnThread(source)))) {
            return done(ImportResult.rejected(ImportRejection.QUEUE_FULL, "render queue full"));
        }
        return result;
    }

    // ---- compose -----------------------------------------------------------------------------

    @Override
    public CompletableFuture<FrameResult> compose(List<SceneSurface> surfaces, RenderTarget target) {
        if (closed) return done(new FrameResult.Failed(FrameFailure.RENDERER_CLOSED, "gles renderer closed"));
        String problem = target.problem();
        if (problem == null && !target.memory().isNative()) problem = "target is a heap segment; glReadPixels writes native memory";
        if (problem != null) return done(new FrameResult.Failed(FrameFailure.TARGET_INVALID, problem));
        CompletableFuture<FrameResult> result = new CompletableFuture<>();
        if (!thread.offer(() -> result.complete(composeOnThread(surfaces, target)))) {
            return done(new FrameResult.Failed(FrameFailure.QUEUE_FULL, "render queue full"));
        }
        return result;
    }

    @Override
    public CompletableFuture<Void> readBack(RenderTarget target) {
        if (!target.readBackOnDemand() || closed) return CompletableFuture.completedFuture(null);
        CompletableFuture<Void> result = new CompletableFuture<>();
        if (!thread.offer(() -> {
            readBackOnDemand(target);
            result.complete(null);
        })) {
            result.completeExceptionally(new IllegalStateException("render queue full"));
        }
        return result;
    }

    /** Bytes glReadPixels has written into targets since start (damaged rectangles only, 4 per pixel). */
    public long readBackBytes() { return readBackBytes.get(); }

    @Override
    public java.util.Map<String, Object> memoryStatistics() {
        return java.util.Map.of("read_back_bytes", readBackBytes.get());
    }

    void releaseTexture(GlesTexture t) {
        boolean queued = thread.release(() -> {
            if (t.plane0Texture != 0) glDeleteTextures(t.plane0Texture);
            if (t.plane1Texture != 0) glDeleteTextures(t.plane1Texture);
            if (t.eglImage != 0) egl.destroyImage(t.eglImage);
            t.plane0Texture = t.plane1Texture = 0;
            t.eglImage = 0;
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
            egl = EglContext.createSurfaceless();
            gl = GLES.createCapabilities();
            if (!gl.GLES30) throw new RendererUnavailableException("context is not GLES 3.0 (" + glGetString(GL_VERSION) + ")");
            program = new SurfaceProgram();
            vao = glGenVertexArrays();
            glBindVertexArray(vao);
            vbo = glGenBuffers();
            glBindBuffer(GL_ARRAY_BUFFER, vbo);
            glBufferData(GL_ARRAY_BUFFER, 16 * Float.BYTES, GL_STREAM_DRAW);
            glEnableVertexAttribArray(0);
            glVertexAttribPointer(0, 2, GL_FLOAT, false, 4 * Float.BYTES, 0);
            glEnableVertexAttribArray(1);
            glVertexAttribPointer(1, 2, GL_FLOAT, false, 4 * Float.BYTES, 2 * Float.BYTES);
            quad = MemoryUtil.memAllocFloat(16);
            maxTextureSize = glGetInteger(GL_MAX_TEXTURE_SIZE);
            dmaBufImport = egl.caps.EGL_EXT_image_dma_buf_import && gl.GL_OES_EGL_image;
            String renderer = glGetString(GL_RENDERER);
            softwareRasterizer = isSoftwareRasterizer(renderer);
            if (dmaBufImport) {
                dmaBufFormats = new DmaBufFormats(true, egl.queryDmaBufModifiers(),
                        egl.caps.EGL_EXT_image_dma_buf_import_modifiers ? "queried with eglQueryDmaBufModifiersEXT"
                                : "EGL_EXT_image_dma_buf_import without _modifiers: implicit modifiers only");
            } else {
                dmaBufFormats = DmaBufFormats.none("EGL_EXT_image_dma_buf_import not offered by " + egl.vendor + " / " + renderer);
            }
            description = glGetString(GL_VERSION) + " on " + renderer + " (EGL " + egl.vendor + ", surfaceless); dma-buf import: "
                    + (dmaBufImport ? dmaBufFormats.modifiersByFourcc().size() + " formats" : "none");
            if (glGetError() != GL_NO_ERROR) throw new RendererUnavailableException("GL error while setting up the renderer");
            started.complete(null);
        } catch (Throwable t) {
            stopOnThread();
            started.completeExceptionally(t);
        }
    }

    public static boolean isSoftwareRasterizer(String glRenderer) {
        if (glRenderer == null) return false;
        String r = glRenderer.toLowerCase(java.util.Locale.ROOT);
        return r.contains("llvmpipe") || r.contains("softpipe") || r.contains("swrast");
    }

    private void stopOnThread() {
        lost = true;
        if (egl == null) return;
        if (gl != null) {
            framebuffer.close();
            for (OnDemand d : onDemand.values()) d.framebuffer.close();
            onDemand.clear();
            if (program != null) program.close();
            if (vbo != 0) glDeleteBuffers(vbo);
            if (vao != 0) glDeleteVertexArrays(vao);
        }
        if (quad != null) MemoryUtil.memFree(quad);
        quad = null;
        GLES.setCapabilities(null);
        egl.close();
        egl = null;
    }

    private ImportResult importOnThread(PixelSource source) {
        if (lost) return ImportResult.rejected(ImportRejection.CONTEXT_LOST, "GL context lost");
        LinearPlanes planes;
        try {
            planes = new LinearPlanes(source);
        } catch (RuntimeException e) {
            return ImportResult.rejected(ImportRejection.SOURCE_UNREADABLE, "could not read the buffer: " + e.getMessage());
        }
        GlesTexture t = new GlesTexture(this, source.width(), source.height(), source.fourcc(), source.modifier(), planes);
        t.plane0Texture = newTexture(t.format, t.width, t.height);
        if (source.fourcc() == Fourcc.NV12) {
            t.plane1Texture = newTexture(GlFormat.NV12_CHROMA, SourceCheck.planeWidth(Fourcc.NV12, 1, t.width), SourceCheck.planeHeight(Fourcc.NV12, 1, t.height));
        }
        upload(t, Region.full(t.width, t.height));
        int error = glGetError();
        if (error != GL_NO_ERROR) {
            t.close();
            return ImportResult.rejected(ImportRejection.UPLOAD_FAILED, "GL error 0x" + Integer.toHexString(error) + " uploading " + source);
        }
        return new ImportResult.Imported(t);
    }

    private ImportResult importDmaBufOnThread(DmaBufSource s) {
        if (lost) return ImportResult.rejected(ImportRejection.CONTEXT_LOST, "GL context lost");
        if (s.fourcc() == Fourcc.NV12 || s.planes().size() != 1) {
            return ImportResult.rejected(ImportRejection.DMABUF_IMPORT_FAILED, "multi-planar dma-bufs need samplerExternalOES, not implemented");
        }
        GlFormat format;
        try {
            format = GlFormat.of(s.fourcc());
        } catch (IllegalArgumentException e) {
            return ImportResult.rejected(ImportRejection.UNSUPPORTED_FORMAT, e.getMessage());
        }
        DmaBufSource.Plane p = s.planes().get(0);
        int[] attribs = s.modifier() == Modifiers.INVALID || !egl.caps.EGL_EXT_image_dma_buf_import_modifiers
                ? new int[] {
                    EGL10.EGL_WIDTH, s.width(), EGL10.EGL_HEIGHT, s.height(),
                    EXTImageDMABufImport.EGL_LINUX_DRM_FOURCC_EXT, s.fourcc(),
                    EXTImageDMABufImport.EGL_DMA_BUF_PLANE0_FD_EXT, p.fd(),
                    EXTImageDMABufImport.EGL_DMA_BUF_PLANE0_OFFSET_EXT, p.offset(),
                    EXTImageDMABufImport.EGL_DMA_BUF_PLANE0_PITCH_EXT, p.stride(),
                    EGL10.EGL_NONE}
                : new int[] {
                    EGL10.EGL_WIDTH, s.width(), EGL10.EGL_HEIGHT, s.height(),
                    EXTImageDMABufImport.EGL_LINUX_DRM_FOURCC_EXT, s.fourcc(),
                    EXTImageDMABufImport.EGL_DMA_BUF_PLANE0_FD_EXT, p.fd(),
                    EXTImageDMABufImport.EGL_DMA_BUF_PLANE0_OFFSET_EXT, p.offset(),
                    EXTImageDMABufImport.EGL_DMA_BUF_PLANE0_PITCH_EXT, p.stride(),
                    EXTImageDMABufImportModifiers.EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT, (int) s.modifier(),
                    EXTImageDMABufImportModifiers.EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT, (int) (s.modifier() >>> 32),
                    EGL10.EGL_NONE};
        long image = egl.createImage(EXTImageDMABufImport.EGL_LINUX_DMA_BUF_EXT, attribs);
        if (image == 0) {
            return ImportResult.rejected(ImportRejection.DMABUF_IMPORT_FAILED, "eglCreateImageKHR: EGL error 0x" + Integer.toHexString(EGL10.eglGetError()));
        }
        GlesTexture t = new GlesTexture(this, s.width(), s.height(), s.fourcc(), s.modifier(), null);
        t.eglImage = image;
        t.plane0Texture = glGenTextures();
        glBindTexture(GL_TEXTURE_2D, t.plane0Texture);
        OESEGLImage.glEGLImageTargetTexture2DOES(GL_TEXTURE_2D, image);
        // The driver maps the DRM format's channels itself; only X formats need alpha forced to one.
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_SWIZZLE_A, Fourcc.hasAlpha(s.fourcc()) ? GL_ALPHA : GL_ONE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        int error = glGetError();
        if (error != GL_NO_ERROR) {
            t.close();
            return ImportResult.rejected(ImportRejection.DMABUF_IMPORT_FAILED, "glEGLImageTargetTexture2DOES: GL error 0x" + Integer.toHexString(error));
        }
        return new ImportResult.Imported(t);
    }

    private static int newTexture(GlFormat f, int w, int h) {
        int id = glGenTextures();
        glBindTexture(GL_TEXTURE_2D, id);
        glTexStorage2D(GL_TEXTURE_2D, 1, f.internalFormat(), w, h);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_SWIZZLE_R, f.swizzleR());
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_SWIZZLE_G, f.swizzleG());
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_SWIZZLE_B, f.swizzleB());
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_SWIZZLE_A, f.swizzleA());
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        return id;
    }

    /** Uploads the damaged part of the buffer (clipped to it) from its linear planes, with CPU access bracketed. */
    private static void upload(GlesTexture t, Region damage) {
        LinearPlanes p = t.planes;
        if (p == null || damage.isEmpty()) return;
        p.refresh(damage);
        boolean bracket = p.readsClientMemory();
        if (bracket) p.source().access().begin();
        try {
            glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
            uploadPlane(t.plane0Texture, t.format, p.plane0, p.stride0, t.width, t.height, damage, 1);
            if (t.plane1Texture != 0) {
                uploadPlane(t.plane1Texture, GlFormat.NV12_CHROMA, p.plane1, p.stride1,
                        SourceCheck.planeWidth(Fourcc.NV12, 1, t.width), SourceCheck.planeHeight(Fourcc.NV12, 1, t.height), damage, 2);
            }
            glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
        } finally {
            if (bracket) p.source().access().end();
        }
    }

    /** {@code subsample} maps buffer pixels to this plane's pixels (NV12 chroma: 2), rounding outward. */
    private static void uploadPlane(int texture, GlFormat f, MemorySegment memory, int stride, int w, int h, Region damage, int subsample) {
        glBindTexture(GL_TEXTURE_2D, texture);
        glPixelStorei(GL_UNPACK_ROW_LENGTH, stride / f.bytesPerPixel());
        long base = memory.address();
        for (int i = 0; i < damage.count(); i++) {
            int x0 = Math.max(0, Math.floorDiv(damage.x(i), subsample));
            int y0 = Math.max(0, Math.floorDiv(damage.y(i), subsample));
            int x1 = (int) Math.min(w, ceilDiv((long) damage.x(i) + damage.width(i), subsample));
            int y1 = (int) Math.min(h, ceilDiv((long) damage.y(i) + damage.height(i), subsample));
            if (x1 <= x0 || y1 <= y0) continue;
            nglTexSubImage2D(GL_TEXTURE_2D, 0, x0, y0, x1 - x0, y1 - y0, f.format(), f.type(),
                    base + (long) y0 * stride + (long) x0 * f.bytesPerPixel());
        }
    }

    private static long ceilDiv(long a, int b) {
        return Math.floorDiv(a + b - 1, b);
    }

    private FrameResult composeOnThread(List<SceneSurface> surfaces, RenderTarget target) {
        if (lost) return new FrameResult.Failed(FrameFailure.CONTEXT_LOST, "GL context lost");
        for (int i = 0; i < surfaces.size(); i++) {
            SceneSurface s = surfaces.get(i);
            if (!(s.texture() instanceof GlesTexture t) || t.owner != this || !t.isOpen()) {
                return new FrameResult.Failed(FrameFailure.TEXTURE_INVALID, "surface " + i + ": " + s.texture() + " is closed or not from this renderer");
            }
            if (t.planes != null && !s.bufferDamage().isEmpty() && !t.planes.isReadable()) {
                return new FrameResult.Failed(FrameFailure.SOURCE_UNREADABLE, "surface " + i + ": " + t + " memory is no longer mapped");
            }
        }
        for (int i = 0; i < surfaces.size(); i++) {
            SceneSurface s = surfaces.get(i);
            upload((GlesTexture) s.texture(), s.bufferDamage());
        }
        OnDemand kept = target.readBackOnDemand()
                ? onDemand.computeIfAbsent(target.memory().address(), a -> new OnDemand()) : null;
        Framebuffer fb = kept != null ? kept.framebuffer : framebuffer;
        if (!fb.bind(target.width(), target.height())) {
            return new FrameResult.Failed(FrameFailure.GPU_ERROR, "framebuffer " + target.width() + "x" + target.height() + " incomplete");
        }
        glUseProgram(program.program);
        glBindVertexArray(vao);
        glBindBuffer(GL_ARRAY_BUFFER, vbo);
        glBlendFunc(GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
        glEnable(GL_SCISSOR_TEST);
        int clear = target.clearArgb();
        // The framebuffer holds the target's bytes (B, G, R, A) in its R, G, B, A channels.
        glClearColor((clear & 0xff) / 255f, (clear >>> 8 & 0xff) / 255f, (clear >>> 16 & 0xff) / 255f, (clear >>> 24) / 255f);
        int rects = 0, draws = 0;
        Region damage = target.damage();
        for (int r = 0; r < damage.count(); r++) {
            int x0 = damage.x(r), y0 = damage.y(r), x1 = damage.right(r), y1 = damage.bottom(r);
            rects++;
            // Output row y is framebuffer row y: with no flip, glReadPixels returns rows top-down as the target wants.
            glScissor(x0, y0, x1 - x0, y1 - y0);
            int first = Occlusion.firstVisible(surfaces, x0, y0, x1 - x0, y1 - y0);
            if (first < 0) {
                glClear(GL_COLOR_BUFFER_BIT);
                first = 0;
            }
            for (int i = first; i < surfaces.size(); i++) {
                if (drawSurface(surfaces.get(i), target, x0, y0, x1, y1)) draws++;
            }
        }
        glDisable(GL_SCISSOR_TEST);
        FrameResult failure = checkBeforeReadBack();
        if (failure != null) return failure;
        // Nothing reads an on-demand target until it asks: the frame stays in its framebuffer,
        // and what it redrew is remembered for the next read-back.
        if (kept != null) kept.redrew(target);
        else readBack(target, target.damage());
        int error = glGetError();
        if (error != GL_NO_ERROR) return new FrameResult.Failed(FrameFailure.GPU_ERROR, "GL error 0x" + Integer.toHexString(error) + " reading back");
        return new FrameResult.Composed(rects, draws);
    }

    private FrameResult checkBeforeReadBack() {
        FrameFailure injected = injectedFailure;
        if (injected != null) {
            injectedFailure = null;
            if (injected == FrameFailure.CONTEXT_LOST) lost = true;
            return new FrameResult.Failed(injected, "injected by a test");
        }
        int error = glGetError();
        if (error != GL_NO_ERROR) return new FrameResult.Failed(FrameFailure.GPU_ERROR, "GL error 0x" + Integer.toHexString(error) + " while drawing");
        if (gl.GLES32 && GLES32.glGetGraphicsResetStatus() != GL_NO_ERROR) {
            lost = true;
            return new FrameResult.Failed(FrameFailure.CONTEXT_LOST, "GL context reset");
        }
        return null;
    }

    private boolean drawSurface(SceneSurface s, RenderTarget target, int x0, int y0, int x1, int y1) {
        Rect d = s.destination();
        if (!clip.of(d, x0, y0, x1, y1)) return false;
        int cx0 = clip.x0, cy0 = clip.y0, cx1 = clip.x1, cy1 = clip.y1;
        GlesTexture t = (GlesTexture) s.texture();
        mapping.set(s);
        float sx = 2f / target.width(), sy = 2f / target.height();
        double dx0 = d.x(), dy0 = d.y(), dx1 = (double) d.x() + d.width(), dy1 = (double) d.y() + d.height();
        quad.clear();
        corner(dx0, dy0, sx, sy, t);
        corner(dx1, dy0, sx, sy, t);
        corner(dx0, dy1, sx, sy, t);
        corner(dx1, dy1, sx, sy, t);
        quad.flip();
        glBufferSubData(GL_ARRAY_BUFFER, 0, quad);
        int filter = s.filter() == Filter.BILINEAR ? GL_LINEAR : GL_NEAREST;
        glActiveTexture(GL_TEXTURE0);
        glBindTexture(GL_TEXTURE_2D, t.plane0Texture);
        if (t.glFilter != filter) setFilter(filter);
        if (t.plane1Texture != 0) {
            glActiveTexture(GL_TEXTURE1);
            glBindTexture(GL_TEXTURE_2D, t.plane1Texture);
            if (t.glFilter != filter) setFilter(filter);
            glActiveTexture(GL_TEXTURE0);
        }
        t.glFilter = filter;
        glUniform1i(program.nv12Location, t.fourcc == Fourcc.NV12 ? 1 : 0);
        glUniform1i(program.premultiplyLocation, !s.premultiplied() && Fourcc.hasAlpha(t.fourcc) ? 1 : 0);
        if (Occlusion.drawsOpaque(s, cx0, cy0, cx1 - cx0, cy1 - cy0)) glDisable(GL_BLEND);
        else glEnable(GL_BLEND);
        glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
        return true;
    }

    private static void setFilter(int filter) {
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
    }

    /** One quad corner: output position in clip space, buffer position from the shared mapping, normalised. */
    private void corner(double ox, double oy, float sx, float sy, GlesTexture t) {
        quad.put((float) (ox * sx - 1.0)).put((float) (oy * sy - 1.0));
        quad.put((float) (mapping.bufferX(ox, oy) / t.width)).put((float) (mapping.bufferY(ox, oy) / t.height));
    }

    /** Reads the damaged rectangles of the bound framebuffer into the target's memory. */
    private void readBack(RenderTarget target, Region damage) {
        glPixelStorei(GL_PACK_ALIGNMENT, 4);
        glPixelStorei(GL_PACK_ROW_LENGTH, target.stride() / 4);
        long base = target.memory().address();
        long bytes = 0;
        for (int r = 0; r < damage.count(); r++) {
            int x0 = damage.x(r), y0 = damage.y(r), x1 = damage.right(r), y1 = damage.bottom(r);
            nglReadPixels(x0, y0, x1 - x0, y1 - y0, GL_RGBA, GL_UNSIGNED_BYTE, base + (long) y0 * target.stride() + 4L * x0);
            bytes += 4L * (x1 - x0) * (y1 - y0);
        }
        glPixelStorei(GL_PACK_ROW_LENGTH, 0);
        readBackBytes.addAndGet(bytes);
    }

    private void readBackOnDemand(RenderTarget target) {
        OnDemand kept = onDemand.get(target.memory().address());
        if (kept == null || kept.pending.isEmpty() || lost) return;
        if (!kept.framebuffer.bind(target.width(), target.height())) return;
        readBack(target, kept.takePending());
    }

    /**
     * An on-demand target's own framebuffer, and the rectangles redrawn in it since its memory
     * was last read back (a rectangle inside one already pending is not added again: a video
     * redrawing the same area every frame costs one read-back of that area).
     */
    private static final class OnDemand {
        final Framebuffer framebuffer = new Framebuffer();
        final java.util.List<Rect> pending = new java.util.ArrayList<>();

        void redrew(RenderTarget target) {
            Region damage = target.damage();
            for (int r = 0; r < damage.count(); r++) {
                Rect d = damage.rect(r);
                boolean covered = false;
                for (Rect p : pending) covered |= p.x() <= d.x() && p.y() <= d.y()
                        && (long) p.x() + p.width() >= (long) d.x() + d.width() && (long) p.y() + p.height() >= (long) d.y() + d.height();
                if (covered) continue;
                pending.removeIf(p -> d.x() <= p.x() && d.y() <= p.y()
                        && (long) d.x() + d.width() >= (long) p.x() + p.width() && (long) d.y() + d.height() >= (long) p.y() + p.height());
                pending.add(d);
            }
        }

        Region takePending() {
            Region r = Region.of(pending.toArray(new Rect[0]));
            pending.clear();
            return r;
        }
    }
}
