package dev.ferry.compositor.frame;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.compositor.core.RectSet;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.renderer.FrameResult;
import dev.ferry.renderer.ImportResult;
import dev.ferry.renderer.PixelSource;
import dev.ferry.renderer.Rect;
import dev.ferry.renderer.RenderTarget;
import dev.ferry.renderer.SceneSurface;
import dev.ferry.renderer.Texture;
import dev.ferry.renderer.cpu.CpuRenderer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * What an output should show now, composed from scratch: every visible surface drawn by a
 * fresh CPU renderer into a fresh buffer, the whole output damaged, no history, no planes.
 * What a backend scanned out after any sequence of frames must equal this (the test of
 * damage bookkeeping: buffer age, direct-scanout stretches, chain switches). Runs on the loop
 * thread and leaves no state behind on surfaces or buffers (no texture kept, no damage taken).
 */
public final class ReferenceComposition {
    private ReferenceComposition() {}

    /** The output's picture as XRGB pixels with alpha forced opaque, row-major, width x height. */
    public static int[] compose(Scene scene, Output output) {
        int w = output.width(), h = output.height();
        List<Texture> textures = new ArrayList<>();
        try (CpuRenderer renderer = new CpuRenderer(); Arena arena = Arena.ofConfined()) {
            List<SceneSurface> surfaces = new ArrayList<>();
            for (Scene.Placed p : scene.visibleOn(output)) {
                ClientBuffer b = p.surface().buffer();
                PixelSource src = b == null ? null : b.pixels();
                if (src == null) continue;
                if (!(renderer.importMemory(src).join() instanceof ImportResult.Imported imported)) continue;
                textures.add(imported.texture());
                Rect dest = new Rect(p.x(), p.y(), p.width(), p.height());
                surfaces.add(FrameContent.sceneSurface(p.surface(), imported.texture(), dest, RectSet.of(0, 0, b.width(), b.height())));
            }
            MemorySegment memory = arena.allocate(4L * w * h, 64);
            FrameResult result = renderer.composeNow(surfaces, RenderTarget.full(memory, w, h, 4 * w, Fourcc.XRGB8888));
            if (!(result instanceof FrameResult.Composed)) throw new IllegalStateException("reference composition failed: " + result);
            int[] px = new int[w * h];
            MemorySegment.copy(memory, JAVA_INT, 0, px, 0, px.length);
            for (int i = 0; i < px.length; i++) px[i] |= 0xff000000;
            return px;
        } finally {
            for (Texture t : textures) t.close();
        }
    }
}
