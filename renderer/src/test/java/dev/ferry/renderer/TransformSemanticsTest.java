package dev.ferry.renderer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.renderer.testing.TestPixels;
import dev.ferry.renderer.testing.TestRenderers;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Where buffer texels land for each wl_output.transform, worked out from the protocol text
 * (the client applied the transform; the compositor shows the inverse; rotations are
 * counter-clockwise, flips horizontal and applied before the rotation), independently of the
 * renderers' shared mapping code. Parity alone cannot catch a wrong mapping, since both use it.
 */
class TransformSemanticsTest {
    @RegisterExtension
    static final TestRenderers renderers = new TestRenderers();
    private static final int RED = 0xffff0000, GREEN = 0xff00ff00, BLUE = 0xff0000ff;
    private static final int BW = 6, BH = 4;

    /** Buffer texel (0,0) is red, (1,0) green, the rest blue; expected surface positions use sw/sh = surface size. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // transform, red x, red y, green x, green y  (expressions of sw, sh resolved below)
        "NORMAL,      0,    0,    1,    0",
        "ROTATE_90,   sw-1, 0,    sw-1, 1",
        "ROTATE_180,  sw-1, sh-1, sw-2, sh-1",
        "ROTATE_270,  0,    sh-1, 0,    sh-2",
        "FLIPPED,     sw-1, 0,    sw-2, 0",
        "FLIPPED_90,  0,    0,    0,    1",
        "FLIPPED_180, 0,    sh-1, 1,    sh-1",
        "FLIPPED_270, sw-1, sh-1, sw-1, sh-2",
    })
    void texelsLandWhereTheProtocolSays(String name, String redX, String redY, String greenX, String greenY) throws Exception {
        BufferTransform t = BufferTransform.valueOf(name);
        int sw = t.swapsAxes() ? BH : BW, sh = t.swapsAxes() ? BW : BH;
        PixelSource src = TestPixels.packed(renderers.arena(), Fourcc.XRGB8888, BW, BH, (x, y) -> x == 0 && y == 0 ? RED : x == 1 && y == 0 ? GREEN : BLUE);
        for (Renderer r : List.of(renderers.cpu(), renderers.gles())) {
            Texture tex = r.importMemory(src).get(10, TimeUnit.SECONDS).textureOrThrow();
            MemorySegment out = TestPixels.target(renderers.arena(), sw, sh);
            RenderTarget target = RenderTarget.full(out, sw, sh, sw * 4, Fourcc.XRGB8888);
            SceneSurface s = SceneSurface.at(tex, 0, 0).withTransform(t).withDestination(new Rect(0, 0, sw, sh)).withFilter(Filter.NEAREST);
            assertEquals(true, r.compose(List.of(s), target).get(10, TimeUnit.SECONDS).isComposed());
            assertEquals(RED, pixel(out, sw, eval(redX, sw, sh), eval(redY, sw, sh)), r.name() + " " + t + " red");
            assertEquals(GREEN, pixel(out, sw, eval(greenX, sw, sh), eval(greenY, sw, sh)), r.name() + " " + t + " green");
            tex.close();
        }
    }

    private static int pixel(MemorySegment m, int w, int x, int y) {
        return m.get(TestPixels.INT_LE, 4L * (y * w + x)) | 0xff000000;
    }

    private static int eval(String expr, int sw, int sh) {
        String e = expr.trim().replace("sw", Integer.toString(sw)).replace("sh", Integer.toString(sh));
        int minus = e.indexOf('-');
        return minus < 0 ? Integer.parseInt(e) : Integer.parseInt(e.substring(0, minus)) - Integer.parseInt(e.substring(minus + 1));
    }
}
