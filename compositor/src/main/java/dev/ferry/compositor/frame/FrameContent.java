package dev.ferry.compositor.frame;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.compositor.core.RectSet;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.core.SurfaceState;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.renderer.BufferTransform;
import dev.ferry.renderer.Filter;
import dev.ferry.renderer.ImportResult;
import dev.ferry.renderer.MemoryImporter;
import dev.ferry.renderer.PixelSource;
import dev.ferry.renderer.Rect;
import dev.ferry.renderer.SceneSurface;
import dev.ferry.renderer.SourceCrop;
import dev.ferry.renderer.Texture;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * What one output shows in one frame: the surfaces that intersect it, bottom to top, with
 * the buffers they show locked until the frame is done. Buffers new to the renderer are
 * imported first; a buffer the renderer rejects or the CPU cannot read is left out and
 * counted, never drawn half.
 */
public final class FrameContent {
    /** A surface in this frame and where it lands. */
    public record Entry(Surface surface, ClientBuffer buffer, Rect destination, SceneSurface scene) {}

    private final Output output;
    private final List<Entry> entries = new ArrayList<>();
    private final List<Surface> shown = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>(0);

    private FrameContent(Output output) {
        this.output = output;
    }

    public Output output() { return output; }
    public List<Entry> entries() { return entries; }
    /** Every surface (with subsurfaces) that intersects the output, including ones left out. */
    public List<Surface> shown() { return shown; }
    public List<String> skipped() { return skipped; }

    /**
     * Collects what the output shows, from {@link Scene#visibleOn} (bottom to top). Imports may
     * finish on the renderer's thread; the frame is assembled on {@code loop}, the thread that
     * owns surfaces.
     */
    public static CompletableFuture<FrameContent> collect(List<Scene.Placed> visible, Output output, MemoryImporter importer,
                                                          Executor loop) {
        FrameContent frame = new FrameContent(output);
        List<CompletableFuture<Void>> imports = new ArrayList<>();
        List<ClientBuffer> locked = new ArrayList<>(visible.size());
        for (Scene.Placed p : visible) {
            Surface s = p.surface();
            frame.shown.add(s);
            s.latchFrame();
            ClientBuffer buffer = s.buffer();
            buffer.lock();
            locked.add(buffer);
            if (buffer.texture(importer) != null) continue;
            PixelSource src = buffer.pixels();
            if (src == null) {
                frame.skipped.add(s + ": " + buffer.unreadableReason());
                continue;
            }
            // The result may arrive on the renderer's thread (GLES imports there); the buffer and
            // the frame belong to the loop, so the result is applied there. A CPU import is
            // complete already, on the loop: no hop.
            CompletableFuture<ImportResult> imported = importer.importMemory(src);
            java.util.function.Consumer<ImportResult> apply = result -> {
                switch (result) {
                    case ImportResult.Imported i -> {
                        // Another frame's import of the same buffer (an output beside this one)
                        // may have landed first: keep that texture, which a frame may be drawing
                        // from, and drop this one rather than close the other.
                        if (buffer.texture(importer) != null) i.texture().close();
                        else buffer.setTexture(importer, i.texture());
                    }
                    case ImportResult.Rejected r -> frame.skipped.add(s + ": " + r.reason() + " (" + r.detail() + ")");
                }
            };
            imports.add(imported.isDone() ? imported.thenAccept(apply) : imported.thenAcceptAsync(apply, loop));
        }
        CompletableFuture<Void> all = imports.isEmpty() ? CompletableFuture.completedFuture(null)
                : CompletableFuture.allOf(imports.toArray(CompletableFuture[]::new)).exceptionally(e -> null);
        java.util.function.Function<Void, FrameContent> assemble = v -> {
            for (int i = 0; i < visible.size(); i++) {
                Scene.Placed p = visible.get(i);
                Surface s = p.surface();
                // Locked above: the surface's buffer then, even if a commit replaced it since.
                ClientBuffer buffer = locked.get(i);
                Texture t = buffer.texture(importer);
                // The surface may have changed or gone while the import ran on another thread.
                if (t == null || s.destroyed() || s.buffer() != buffer) {
                    buffer.unlock();
                    continue;
                }
                Rect dest = new Rect(p.x(), p.y(), p.width(), p.height());
                frame.entries.add(new Entry(s, buffer, dest, sceneSurface(s, t, dest)));
            }
            return frame;
        };
        // Already on the loop with nothing to wait for (the CPU renderer's usual case): no hop.
        return all.isDone() ? all.thenApply(assemble) : all.thenApplyAsync(assemble, loop);
    }

    private static SceneSurface sceneSurface(Surface s, Texture texture, Rect dest) {
        return sceneSurface(s, texture, dest, s.takeTextureDamage());
    }

    /** How the renderer draws surface s through texture at dest, textureDamage being what the texture must refresh. */
    static SceneSurface sceneSurface(Surface s, Texture texture, Rect dest, RectSet textureDamage) {
        SurfaceState st = s.state();
        SourceCrop crop = st.hasSource() ? new SourceCrop(st.srcX(), st.srcY(), st.srcW(), st.srcH()) : null;
        boolean scaled = crop != null || st.dstW() > 0;
        RectSet opaque = st.opaque();
        if (!st.buffer().hasAlpha()) opaque = RectSet.of(0, 0, dest.width(), dest.height());
        return new SceneSurface(texture, dest, crop, st.scale(), BufferTransform.fromWire(st.transform()),
                opaque.toRegion(), true, scaled ? Filter.BILINEAR : Filter.NEAREST, textureDamage.toRegion());
    }

    public List<SceneSurface> sceneSurfaces() {
        List<SceneSurface> out = new ArrayList<>(entries.size());
        for (Entry e : entries) out.add(e.scene());
        return out;
    }

    /** Lets go of the buffers this frame held. */
    public void release() {
        for (Entry e : entries) e.buffer().unlock();
        entries.clear();
    }
}
