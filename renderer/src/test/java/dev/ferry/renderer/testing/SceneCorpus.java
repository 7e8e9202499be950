package dev.ferry.renderer.testing;

import static dev.ferry.renderer.testing.TestPixels.gradient;
import static dev.ferry.renderer.testing.TestPixels.packed;
import static dev.ferry.renderer.testing.TestPixels.translucent;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.renderer.BufferTransform;
import dev.ferry.renderer.Filter;
import dev.ferry.renderer.Rect;
import dev.ferry.renderer.Region;
import dev.ferry.renderer.SceneSurface;
import dev.ferry.renderer.SourceCrop;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * The scenes both renderers must draw alike. Tolerances: 1 per channel wherever the two may
 * round differently (blending, premultiplying, YUV conversion, 10-to-8-bit);
 * {@link #BILINEAR_TOLERANCE} where bilinear filtering is involved.
 *
 * <p>Nearest-sampled scales are chosen so no sample lands within 0.05 texel of a texel
 * boundary: exactly on a boundary the two renderers may legitimately pick different texels
 * (float32 texture coordinates on the GPU, doubles on the CPU).
 */
public final class SceneCorpus {
    private SceneCorpus() {}

    /**
     * Bilinear bound: both renderers quantise filter weights to 8 bits, but the GPU derives
     * them from float32 texture coordinates interpolated across the quad (about 2^-24
     * relative, so up to ~1e-4 texel at these sizes), which can move a weight by one step of
     * 1/256 when the exact weight sits at a step boundary; one step changes a channel by at
     * most 255/256 (before rounding), in each of the two lerp directions: with the final
     * rounding that is at most 2. NV12 adds the colour conversion's rounding on top: 3.
     */
    public static final int BILINEAR_TOLERANCE = 2;
    public static final int BILINEAR_NV12_TOLERANCE = 3;

    public static List<Scene> all(Arena arena) {
        List<Scene> scenes = new ArrayList<>();
        scenes.add(fullscreenOpaque(arena));
        scenes.add(overlappingTranslucent(arena));
        scenes.add(cropScaleNearest(arena));
        scenes.add(cropScaleBilinear(arena));
        for (BufferTransform t : BufferTransform.values()) scenes.add(transformed(arena, t));
        scenes.add(transformedScaledBilinear(arena));
        scenes.add(bufferScale2(arena));
        scenes.add(nv12Unscaled(arena));
        scenes.add(nv12ScaledBilinear(arena));
        scenes.add(formats(arena));
        scenes.add(argbTargetTransparent(arena));
        scenes.add(straightAlpha(arena));
        scenes.add(waylandsink(arena));
        scenes.add(argbRows(arena));
        return scenes;
    }

    public static Scene fullscreenOpaque(Arena arena) {
        return new Scene("fullscreen-opaque", 160, 100, Fourcc.XRGB8888,
                List.of(packed(arena, Fourcc.XRGB8888, 160, 100, gradient(160, 100, 255))),
                t -> List.of(SceneSurface.at(t.get(0), 0, 0)), 0);
    }

    public static Scene overlappingTranslucent(Arena arena) {
        return new Scene("overlapping-translucent", 200, 150, Fourcc.XRGB8888,
                List.of(packed(arena, Fourcc.XRGB8888, 200, 150, gradient(200, 150, 255)),
                        packed(arena, Fourcc.ARGB8888, 90, 70, translucent(90, 70)),
                        packed(arena, Fourcc.ARGB8888, 80, 60, TestPixels.solid(TestPixels.premultiply(128, 255, 40, 10))),
                        packed(arena, Fourcc.ARGB8888, 60, 60, translucent(60, 60))),
                t -> List.of(
                        SceneSurface.at(t.get(0), 0, 0).opaqueEverywhere(),
                        SceneSurface.at(t.get(1), 20, 15),
                        SceneSurface.at(t.get(2), 70, 50),
                        // Hangs off the right and bottom edges.
                        SceneSurface.at(t.get(3), 160, 110)),
                1);
    }

    /**
     * GStreamer waylandsink's scene: a 1x1 black XRGB buffer stretched by a viewport over the
     * window (bilinear, opaque region), an ARGB video subsurface at 1:1 through its own viewport
     * (bilinear asked for) whose alpha is opaque, clear and translucent in runs, and a 1x1
     * translucent ARGB buffer stretched and rotated on top. Exercises the CPU renderer's fill and
     * run-copy fast paths against the GPU.
     */
    public static Scene waylandsink(Arena arena) {
        return new Scene("waylandsink", 200, 120, Fourcc.XRGB8888,
                List.of(packed(arena, Fourcc.XRGB8888, 1, 1, TestPixels.solid(0xff000000)),
                        packed(arena, Fourcc.ARGB8888, 170, 100, (x, y) -> {
                            int band = (x / 37 + y / 20) % 3;
                            int a = band == 0 ? 255 : band == 1 ? 0 : 60 + x % 150;
                            return a == 0 ? 0 : TestPixels.premultiply(a, (x * 3) & 0xff, (y * 5) & 0xff, 200);
                        }),
                        packed(arena, Fourcc.ARGB8888, 1, 1, TestPixels.solid(TestPixels.premultiply(120, 20, 200, 90)))),
                t -> List.of(
                        SceneSurface.at(t.get(0), 0, 0).withDestination(new Rect(0, 0, 200, 120)).opaqueEverywhere(),
                        SceneSurface.at(t.get(1), 0, 0).withDestination(new Rect(15, 10, 170, 100)),
                        SceneSurface.at(t.get(2), 0, 0).withTransform(BufferTransform.ROTATE_90).withDestination(new Rect(120, 70, 60, 40))),
                1);
    }

    /**
     * An ARGB window at 1:1 with no opaque region whose rows are, in bands, all opaque, all
     * clear and translucent: the Vulkan renderer copies, skips and blends such rows differently.
     */
    public static Scene argbRows(Arena arena) {
        return new Scene("argb-rows", 160, 100, Fourcc.XRGB8888,
                List.of(packed(arena, Fourcc.XRGB8888, 160, 100, gradient(160, 100, 255)),
                        packed(arena, Fourcc.ARGB8888, 120, 90, (x, y) -> switch (y / 10 % 3) {
                            case 0 -> 0xff000000 | (x * 2) << 16 | (y * 2) << 8 | 0x40;
                            case 1 -> 0;
                            default -> TestPixels.premultiply(40 + x, (x * 3) & 0xff, 90, (y * 7) & 0xff);
                        })),
                t -> List.of(SceneSurface.at(t.get(0), 0, 0), SceneSurface.at(t.get(1), 25, 7)),
                1);
    }

    public static Scene cropScaleNearest(Arena arena) {
        return new Scene("crop-scale-nearest", 160, 120, Fourcc.XRGB8888,
                List.of(packed(arena, Fourcc.ARGB8888, 64, 48, gradient(64, 48, 255))),
                t -> List.of(SceneSurface.at(t.get(0), 0, 0)
                        .withCrop(new SourceCrop(8.5, 4.25, 40, 30))
                        .withDestination(new Rect(10, 7, 100, 75))
                        .withFilter(Filter.NEAREST)),
                0);
    }

    public static Scene cropScaleBilinear(Arena arena) {
        return new Scene("crop-scale-bilinear", 160, 120, Fourcc.XRGB8888,
                List.of(packed(arena, Fourcc.ARGB8888, 64, 48, gradient(64, 48, 255)),
                        packed(arena, Fourcc.ARGB8888, 200, 150, translucent(200, 150))),
                t -> List.of(
                        SceneSurface.at(t.get(0), 0, 0).withCrop(new SourceCrop(8.5, 4.25, 40, 30))
                                .withDestination(new Rect(5, 5, 100, 75)),
                        // Downscaled and blended.
                        SceneSurface.at(t.get(1), 0, 0).withDestination(new Rect(40, 30, 113, 81))),
                BILINEAR_TOLERANCE);
    }

    public static Scene transformed(Arena arena, BufferTransform transform) {
        int bw = 48, bh = 32;
        int sw = transform.swapsAxes() ? bh : bw, sh = transform.swapsAxes() ? bw : bh;
        return new Scene("transform-" + transform.name().toLowerCase(java.util.Locale.ROOT), 80, 64, Fourcc.XRGB8888,
                List.of(packed(arena, Fourcc.ARGB8888, bw, bh, gradient(bw, bh, 255))),
                t -> List.of(SceneSurface.at(t.get(0), 0, 0).withTransform(transform)
                        .withDestination(new Rect(7, 5, sw, sh)).withFilter(Filter.NEAREST)),
                0);
    }

    public static Scene transformedScaledBilinear(Arena arena) {
        return new Scene("transform-90-crop-scale-bilinear", 120, 120, Fourcc.XRGB8888,
                List.of(packed(arena, Fourcc.ARGB8888, 48, 32, gradient(48, 32, 255))),
                t -> List.of(SceneSurface.at(t.get(0), 0, 0).withTransform(BufferTransform.FLIPPED_270)
                        .withCrop(new SourceCrop(2.5, 3, 25, 40))
                        .withDestination(new Rect(3, 4, 97, 110))),
                BILINEAR_TOLERANCE);
    }

    public static Scene bufferScale2(Arena arena) {
        return new Scene("buffer-scale-2-rotate-90", 80, 64, Fourcc.XRGB8888,
                List.of(packed(arena, Fourcc.XRGB8888, 64, 40, gradient(64, 40, 255))),
                // Surface is 20x32 after rotation and scale 2; shown at 1:1 surface units, so downsampled.
                t -> List.of(SceneSurface.at(t.get(0), 0, 0).withTransform(BufferTransform.ROTATE_90).withBufferScale(2)
                        .withDestination(new Rect(10, 10, 20, 32)).withFilter(Filter.BILINEAR)),
                BILINEAR_TOLERANCE);
    }

    public static Scene nv12Unscaled(Arena arena) {
        return new Scene("nv12", 96, 64, Fourcc.XRGB8888,
                List.of(TestPixels.nv12(arena, 64, 48)),
                t -> List.of(SceneSurface.at(t.get(0), 16, 8).withFilter(Filter.NEAREST)),
                1);
    }

    public static Scene nv12ScaledBilinear(Arena arena) {
        return new Scene("nv12-scaled-bilinear", 128, 96, Fourcc.XRGB8888,
                List.of(TestPixels.nv12(arena, 62, 46)),
                t -> List.of(SceneSurface.at(t.get(0), 0, 0).withDestination(new Rect(3, 2, 121, 90))),
                BILINEAR_NV12_TOLERANCE);
    }

    public static Scene formats(Arena arena) {
        return new Scene("formats", 160, 40, Fourcc.XRGB8888,
                List.of(packed(arena, Fourcc.ABGR8888, 30, 30, translucent(30, 30)),
                        packed(arena, Fourcc.XBGR8888, 30, 30, gradient(30, 30, 255)),
                        packed(arena, Fourcc.ARGB2101010, 30, 30, gradient(30, 30, 170)),
                        packed(arena, Fourcc.XRGB2101010, 30, 30, gradient(30, 30, 255)),
                        packed(arena, Fourcc.ARGB8888, 30, 30, translucent(30, 30))),
                t -> List.of(SceneSurface.at(t.get(0), 2, 5), SceneSurface.at(t.get(1), 34, 5),
                        SceneSurface.at(t.get(2), 66, 5), SceneSurface.at(t.get(3), 98, 5), SceneSurface.at(t.get(4), 128, 5)),
                1);
    }

    public static Scene argbTargetTransparent(Arena arena) {
        return new Scene("argb-target", 64, 48, Fourcc.ARGB8888,
                List.of(packed(arena, Fourcc.ARGB8888, 40, 30, translucent(40, 30)),
                        packed(arena, Fourcc.ARGB8888, 30, 30, TestPixels.solid(TestPixels.premultiply(100, 20, 200, 90)))),
                t -> List.of(SceneSurface.at(t.get(0), 4, 4), SceneSurface.at(t.get(1), 25, 12)),
                1);
    }

    public static Scene straightAlpha(Arena arena) {
        return new Scene("straight-alpha", 64, 48, Fourcc.XRGB8888,
                List.of(packed(arena, Fourcc.XRGB8888, 64, 48, gradient(64, 48, 255)),
                        // Not premultiplied: colour channels are full intensity while alpha varies.
                        packed(arena, Fourcc.ARGB8888, 40, 30, (x, y) -> (40 + x * 5) << 24 | 0xff << 16 | (y * 8) << 8 | 0x80)),
                t -> List.of(SceneSurface.at(t.get(0), 0, 0), SceneSurface.at(t.get(1), 10, 9).withPremultiplied(false)),
                1);
    }

    /** Damage in output pixels used by the damage tests: two overlapping rectangles. */
    public static Region partialDamage() {
        return Region.of(new Rect(10, 10, 50, 40), new Rect(40, 30, 60, 20));
    }
}
