package dev.ferry.renderer.testing;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.renderer.FrameResult;
import dev.ferry.renderer.ImportResult;
import dev.ferry.renderer.PixelSource;
import dev.ferry.renderer.Region;
import dev.ferry.renderer.RenderTarget;
import dev.ferry.renderer.Renderer;
import dev.ferry.renderer.SceneSurface;
import dev.ferry.renderer.Texture;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A renderer-independent scene: sources, and how to lay out their textures. Rendering it on a
 * renderer imports the sources there, composes into fresh target memory, closes the textures
 * and returns the pixels.
 *
 * @param tolerance the largest per-channel difference allowed between two renderers' pictures
 */
public record Scene(String name, int width, int height, int targetFourcc, List<PixelSource> sources,
                    Function<List<Texture>, List<SceneSurface>> layout, int tolerance) {

    public MemorySegment render(Renderer renderer, Arena arena) {
        List<Texture> textures = new ArrayList<>();
        try {
            for (PixelSource s : sources) {
                ImportResult r = renderer.importMemory(s).get(30, TimeUnit.SECONDS);
                textures.add(r.textureOrThrow());
            }
            MemorySegment memory = TestPixels.target(arena, width, height);
            memory.fill((byte) 0x77);
            RenderTarget target = new RenderTarget(width, height, targetFourcc, memory, width * 4,
                    Region.full(width, height), targetFourcc == Fourcc.ARGB8888 ? 0 : RenderTarget.OPAQUE_BLACK);
            FrameResult result = renderer.compose(layout.apply(textures), target).get(30, TimeUnit.SECONDS);
            if (!result.isComposed()) throw new AssertionError(name + " on " + renderer.name() + ": " + result);
            return memory;
        } catch (Exception e) {
            throw new AssertionError(name + " on " + renderer.name() + ": " + e, e);
        } finally {
            textures.forEach(Texture::close);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
