package dev.ferry.renderer;

import dev.ferry.renderer.core.SourceCheck;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A renderer that checks what it is given and draws nothing, for tests of the compositor and
 * backends that must run without pixels: imports are validated exactly as a real renderer
 * validates them (so rejections still reach the caller), composes succeed without touching
 * the target, and the counters say how often each was asked for.
 */
public final class DummyRenderer implements Renderer {
    private final AtomicInteger imports = new AtomicInteger();
    private final AtomicInteger frames = new AtomicInteger();
    private volatile boolean closed;

    @Override public String name() { return "dummy"; }

    @Override public String description() { return "dummy renderer (draws nothing)"; }

    @Override
    public CompletableFuture<ImportResult> importMemory(PixelSource source) {
        if (closed) return CompletableFuture.completedFuture(ImportResult.rejected(ImportRejection.RENDERER_CLOSED, "dummy renderer closed"));
        ImportResult.Rejected problem = SourceCheck.problem(source, 16384);
        if (problem != null) return CompletableFuture.completedFuture(problem);
        imports.incrementAndGet();
        return CompletableFuture.completedFuture(new ImportResult.Imported(new DummyTexture(source)));
    }

    @Override
    public DmaBufFormats dmaBufFormats() {
        return DmaBufFormats.none("dummy renderer");
    }

    @Override
    public CompletableFuture<ImportResult> importDmaBuf(DmaBufSource source) {
        return CompletableFuture.completedFuture(ImportResult.rejected(ImportRejection.DMABUF_IMPORT_UNSUPPORTED, "dummy renderer"));
    }

    @Override
    public CompletableFuture<FrameResult> compose(List<SceneSurface> surfaces, RenderTarget target) {
        if (closed) return CompletableFuture.completedFuture(new FrameResult.Failed(FrameFailure.RENDERER_CLOSED, "dummy renderer closed"));
        String problem = target.problem();
        if (problem != null) return CompletableFuture.completedFuture(new FrameResult.Failed(FrameFailure.TARGET_INVALID, problem));
        for (SceneSurface s : surfaces) {
            if (!(s.texture() instanceof DummyTexture) || !s.texture().isOpen()) {
                return CompletableFuture.completedFuture(new FrameResult.Failed(FrameFailure.TEXTURE_INVALID, String.valueOf(s.texture())));
            }
        }
        frames.incrementAndGet();
        return CompletableFuture.completedFuture(new FrameResult.Composed(target.damage().count(), 0));
    }

    public int importCount() { return imports.get(); }

    public int frameCount() { return frames.get(); }

    @Override
    public void close() {
        closed = true;
    }

    private static final class DummyTexture implements Texture {
        private final PixelSource source;
        private volatile boolean open = true;

        DummyTexture(PixelSource source) { this.source = source; }

        @Override public int width() { return source.width(); }
        @Override public int height() { return source.height(); }
        @Override public int fourcc() { return source.fourcc(); }
        @Override public long modifier() { return source.modifier(); }
        @Override public boolean isOpen() { return open; }
        @Override public void close() { open = false; }
    }
}
