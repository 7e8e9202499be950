package dev.ferry.renderer.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.renderer.BufferTransform;
import dev.ferry.renderer.Filter;
import dev.ferry.renderer.FrameResult;
import dev.ferry.renderer.Rect;
import dev.ferry.renderer.Region;
import dev.ferry.renderer.RenderTarget;
import dev.ferry.renderer.SceneSurface;
import dev.ferry.renderer.SourceCrop;
import dev.ferry.renderer.Texture;
import dev.ferry.renderer.core.BufferMapping;
import dev.ferry.renderer.core.Occlusion;
import dev.ferry.renderer.testing.TestPixels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The CPU renderer's fast paths (a 1x1 buffer stretched to a fill, an ARGB8888 layer whose runs
 * are copied when opaque and skipped when clear) give exactly, bit for bit, what the generic
 * per-pixel path gives: the reference below samples every pixel with {@link TexelSampler#sampleRow}
 * and stores or blends it with {@link RowWriter}, as the renderer did before the fast paths.
 */
class FastPathTest {
    private static final int W = 211, H = 97;
    private final Arena arena = Arena.ofConfined();
    private final CpuRenderer cpu = new CpuRenderer();
    private final List<Texture> textures = new ArrayList<>();

    @AfterEach
    void close() {
        textures.forEach(Texture::close);
        cpu.close();
        arena.close();
    }

    private Texture texture(int fourcc, int w, int h, TestPixels.Pattern p) throws Exception {
        Texture t = cpu.importMemory(TestPixels.packed(arena, fourcc, w, h, p)).get().textureOrThrow();
        textures.add(t);
        return t;
    }

    /** Alpha in runs: opaque, clear (transparent black), translucent, and runs that straddle the renderer's 64-pixel chunks. */
    private static TestPixels.Pattern mixedAlpha() {
        return (x, y) -> {
            int band = ((x + 3 * y) / 23) % 4;
            int a = switch (band) { case 0, 1 -> 255; case 2 -> 0; default -> 30 + (x * 7 + y) % 200; };
            if ((y % 5) == 0) a = 255;              // whole rows opaque
            if ((y % 7) == 0 && a != 255) a = 0;    // long clear stretches
            return a == 0 ? 0 : TestPixels.premultiply(a, (x * 11) & 0xff, (y * 9) & 0xff, (x + y) & 0xff);
        };
    }

    private void check(String what, int targetFourcc, Region damage, Function<Texture, SceneSurface> top, Texture texture) throws Exception {
        Texture bg = texture(Fourcc.XRGB8888, W, H, TestPixels.gradient(W, H, 255));
        List<SceneSurface> scene = List.of(SceneSurface.at(bg, 0, 0), top.apply(texture));
        MemorySegment fast = TestPixels.target(arena, W, H), slow = TestPixels.target(arena, W, H);
        fast.fill((byte) 0x77);
        slow.fill((byte) 0x77);
        int clear = targetFourcc == Fourcc.ARGB8888 ? 0 : RenderTarget.OPAQUE_BLACK;
        FrameResult r = cpu.composeNow(scene, new RenderTarget(W, H, targetFourcc, fast, W * 4, damage, clear));
        assertTrue(r.isComposed(), what + ": " + r);
        reference(scene, new RenderTarget(W, H, targetFourcc, slow, W * 4, damage, clear));
        // The X byte of an XRGB8888 target is don't-care (an opaque XRGB layer is copied with its X byte).
        int mask = targetFourcc == Fourcc.XRGB8888 ? 0x00ffffff : -1;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                long at = (long) y * W * 4 + 4L * x;
                int a = fast.get(TexelSampler.INT_LE, at) & mask, b = slow.get(TexelSampler.INT_LE, at) & mask;
                if (a != b) {
                    assertEquals(Integer.toHexString(b), Integer.toHexString(a), what + " at (" + x + ", " + y + ")");
                }
            }
        }
    }

    /** The generic path only: every surface sampled pixel by pixel, premultiplied if straight, stored or blended. */
    private static void reference(List<SceneSurface> surfaces, RenderTarget target) {
        int[] px = new int[target.width()];
        Region damage = target.damage();
        for (int r = 0; r < damage.count(); r++) {
            int x0 = damage.x(r), y0 = damage.y(r), x1 = damage.right(r), y1 = damage.bottom(r);
            int first = Occlusion.firstVisible(surfaces, x0, y0, x1 - x0, y1 - y0);
            if (first < 0) {
                for (int y = y0; y < y1; y++) RowWriter.fill(target.memory(), (long) y * target.stride() + 4L * x0, target.clearArgb(), x1 - x0);
                first = 0;
            }
            for (int i = first; i < surfaces.size(); i++) {
                SceneSurface s = surfaces.get(i);
                CpuTexture t = (CpuTexture) s.texture();
                BufferMapping m = new BufferMapping().set(s);
                Rect d = s.destination();
                int cx0 = Math.max(x0, d.x()), cy0 = Math.max(y0, d.y());
                int cx1 = Math.min(x1, d.x() + d.width()), cy1 = Math.min(y1, d.y() + d.height());
                if (cx1 <= cx0 || cy1 <= cy0) continue;
                int n = cx1 - cx0;
                boolean opaque = Occlusion.drawsOpaque(s, cx0, cy0, n, cy1 - cy0);
                boolean premultiply = !s.premultiplied() && Fourcc.hasAlpha(t.fourcc());
                for (int y = cy0; y < cy1; y++) {
                    TexelSampler.sampleRow(t, m, s.filter() == Filter.BILINEAR, y, cx0, n, px);
                    if (premultiply) RowWriter.premultiply(px, n);
                    long off = (long) y * target.stride() + 4L * cx0;
                    if (opaque) RowWriter.store(target.memory(), off, px, n);
                    else RowWriter.over(target.memory(), off, px, n);
                }
            }
        }
    }

    private static final Region FULL = Region.full(W, H);
    private static final Region PARTS = Region.of(new Rect(3, 2, 70, 40), new Rect(100, 30, 111, 67), new Rect(-5, 80, 300, 9));

    @Test
    void onePixelBlackStretchedLikeWaylandsink() throws Exception {
        for (Filter f : Filter.values()) {
            for (Region damage : List.of(FULL, PARTS)) {
                check("1x1 xrgb " + f, Fourcc.XRGB8888, damage,
                        t -> SceneSurface.at(t, 0, 0).withDestination(new Rect(0, 0, W, H)).opaqueEverywhere().withFilter(f),
                        texture(Fourcc.XRGB8888, 1, 1, TestPixels.solid(0xff000000)));
            }
        }
    }

    @Test
    void onePixelTranslucentStretchedCroppedAndRotated() throws Exception {
        int c = TestPixels.premultiply(140, 200, 30, 90);
        for (BufferTransform tr : BufferTransform.values()) {
            for (int targetFourcc : new int[] {Fourcc.XRGB8888, Fourcc.ARGB8888}) {
                check("1x1 argb " + tr, targetFourcc, PARTS,
                        t -> SceneSurface.at(t, 0, 0).withTransform(tr).withCrop(new SourceCrop(0.25, 0.5, 0.5, 0.25))
                                .withDestination(new Rect(-7, 11, 150, 300)).withFilter(Filter.BILINEAR),
                        texture(Fourcc.ARGB8888, 1, 1, TestPixels.solid(c)));
            }
        }
    }

    @Test
    void onePixelStraightAlphaClearAndOpaqueRegion() throws Exception {
        int straight = 0x80ff4020;
        check("1x1 straight alpha", Fourcc.XRGB8888, FULL,
                t -> SceneSurface.at(t, 0, 0).withDestination(new Rect(5, 6, 100, 50)).withPremultiplied(false),
                texture(Fourcc.ARGB8888, 1, 1, TestPixels.solid(straight)));
        check("1x1 clear", Fourcc.XRGB8888, FULL,
                t -> SceneSurface.at(t, 0, 0).withDestination(new Rect(5, 6, 100, 50)),
                texture(Fourcc.ARGB8888, 1, 1, TestPixels.solid(0)));
        check("1x1 translucent under an opaque region (stored as is)", Fourcc.ARGB8888, FULL,
                t -> SceneSurface.at(t, 0, 0).withDestination(new Rect(5, 6, 100, 50)).opaqueEverywhere(),
                texture(Fourcc.ARGB8888, 1, 1, TestPixels.solid(TestPixels.premultiply(100, 50, 60, 70))));
        check("1x1 abgr nearest", Fourcc.XRGB8888, FULL,
                t -> SceneSurface.at(t, 0, 0).withDestination(new Rect(0, 0, W, H)).withFilter(Filter.NEAREST),
                texture(Fourcc.ABGR8888, 1, 1, TestPixels.solid(TestPixels.premultiply(200, 10, 250, 100))));
    }

    @Test
    void argbLayerWithOpaqueClearAndTranslucentRuns() throws Exception {
        for (int targetFourcc : new int[] {Fourcc.XRGB8888, Fourcc.ARGB8888}) {
            for (Region damage : List.of(FULL, PARTS)) {
                // waylandsink's video: viewport destination equal to the buffer size, bilinear asked for.
                check("argb 1:1 video", targetFourcc, damage,
                        t -> SceneSurface.at(t, 0, 0).withDestination(new Rect(9, 4, 190, 90)).withFilter(Filter.BILINEAR),
                        texture(Fourcc.ARGB8888, 190, 90, mixedAlpha()));
                // Hanging off the target's edges and cropped by an integer offset.
                check("argb cropped, off the edges", targetFourcc, damage,
                        t -> SceneSurface.at(t, 0, 0).withCrop(new SourceCrop(13, 7, 230, 100)).withDestination(new Rect(-20, -3, 230, 100)),
                        texture(Fourcc.ARGB8888, 260, 110, mixedAlpha()));
                check("argb all opaque, no opaque region", targetFourcc, damage,
                        t -> SceneSurface.at(t, 0, 0).withDestination(new Rect(0, 0, W, H)),
                        texture(Fourcc.ARGB8888, W, H, TestPixels.gradient(W, H, 255)));
            }
        }
    }
}
