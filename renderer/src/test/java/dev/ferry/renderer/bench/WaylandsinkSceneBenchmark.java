package dev.ferry.renderer.bench;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.renderer.Filter;
import dev.ferry.renderer.FrameResult;
import dev.ferry.renderer.Rect;
import dev.ferry.renderer.SceneSurface;
import dev.ferry.renderer.Texture;
import dev.ferry.renderer.testing.TestPixels;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

/**
 * The CPU renderer on GStreamer waylandsink's scene (as seen with WAYLAND_DEBUG=1, GStreamer
 * 1.22): a toplevel whose buffer is a 1x1 XRGB8888 black wl_shm buffer stretched by wp_viewport
 * to the window (opaque region set), and a desync video subsurface at (0, 0) with an ARGB8888
 * (BGRA) buffer, alpha 255 everywhere but no opaque region, and its own wp_viewport destination.
 * Both viewports make the compositor ask for bilinear filtering (FrameContent). Full damage, ms
 * per frame. {@code video}: "output" = a video buffer the size of the output (bench/weston-compare's
 * case, viewport 1:1), "1920x1080" = a 1080p video stretched to the output.
 *
 * <p>Run: {@code bench/jmh renderer WaylandsinkSceneBenchmark -f 1 -wi 3 -i 5}
 */
public class WaylandsinkSceneBenchmark extends FullFrameBenchmark {
    @Param({"output", "1920x1080"})
    public String video;

    private Texture black, frame;
    private List<SceneSurface> scene;

    @Override
    protected void prepare() throws Exception {
        int vw = video.equals("output") ? width : 1920, vh = video.equals("output") ? height : 1080;
        black = cpu.importMemory(TestPixels.packed(arena, Fourcc.XRGB8888, 1, 1, TestPixels.solid(0xff000000))).get().textureOrThrow();
        frame = cpu.importMemory(TestPixels.packed(arena, Fourcc.ARGB8888, vw, vh, TestPixels.gradient(vw, vh, 255))).get().textureOrThrow();
        Rect full = new Rect(0, 0, width, height);
        scene = List.of(
                SceneSurface.at(black, 0, 0).withDestination(full).opaqueEverywhere().withFilter(Filter.BILINEAR),
                SceneSurface.at(frame, 0, 0).withDestination(full).withFilter(Filter.BILINEAR));
    }

    @Override
    protected void release() {
        black.close();
        frame.close();
    }

    @Benchmark
    public FrameResult cpu() {
        return cpu.composeNow(scene, target);
    }
}
