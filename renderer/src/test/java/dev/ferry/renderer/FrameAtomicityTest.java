package dev.ferry.renderer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.renderer.cpu.CpuRenderer;
import dev.ferry.renderer.testing.GlesFixture;
import dev.ferry.renderer.testing.TestPixels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A frame that fails leaves the target exactly as it was; the reason reaches the caller. */
class FrameAtomicityTest {
    private static final int W = 64, H = 48;

    @Test
    void closedTextureFailsTheFrameBeforeAnyPixelIsWritten() throws Exception {
        try (Arena arena = Arena.ofShared(); CpuRenderer cpu = new CpuRenderer(); var gles = GlesFixture.start()) {
            for (Renderer r : List.of(cpu, gles)) {
                Texture good = r.importMemory(TestPixels.packed(arena, Fourcc.XRGB8888, W, H, TestPixels.gradient(W, H, 255))).get().textureOrThrow();
                Texture closed = r.importMemory(TestPixels.packed(arena, Fourcc.XRGB8888, 8, 8, TestPixels.solid(0xffffffff))).get().textureOrThrow();
                closed.close();
                MemorySegment out = filledTarget(arena);
                MemorySegment before = snapshot(arena, out);
                FrameResult result = r.compose(List.of(SceneSurface.at(good, 0, 0), SceneSurface.at(closed, 4, 4)),
                        RenderTarget.full(out, W, H, W * 4, Fourcc.XRGB8888)).get(10, TimeUnit.SECONDS);
                assertEquals(FrameFailure.TEXTURE_INVALID, assertInstanceOf(FrameResult.Failed.class, result).reason(), r.name());
                assertEquals(-1, before.mismatch(out), r.name() + ": target changed by a failed frame");
                good.close();
            }
        }
    }

    @Test
    void textureFromAnotherRendererIsRefused() throws Exception {
        try (Arena arena = Arena.ofShared(); CpuRenderer cpu = new CpuRenderer(); var gles = GlesFixture.start()) {
            Texture cpuTexture = cpu.importMemory(TestPixels.packed(arena, Fourcc.XRGB8888, 8, 8, TestPixels.solid(0xffffffff))).get().textureOrThrow();
            MemorySegment out = filledTarget(arena);
            FrameResult result = gles.compose(List.of(SceneSurface.at(cpuTexture, 0, 0)), RenderTarget.full(out, W, H, W * 4, Fourcc.XRGB8888)).get();
            assertEquals(FrameFailure.TEXTURE_INVALID, assertInstanceOf(FrameResult.Failed.class, result).reason());
        }
    }

    @Test
    void contextLossAfterDrawingNeverReachesTheTarget() throws Exception {
        try (Arena arena = Arena.ofShared(); var gles = GlesFixture.start()) {
            Texture tex = gles.importMemory(TestPixels.packed(arena, Fourcc.XRGB8888, W, H, TestPixels.gradient(W, H, 255))).get().textureOrThrow();
            MemorySegment out = filledTarget(arena);
            MemorySegment before = snapshot(arena, out);
            GlesFaults.failNextFrame(gles, FrameFailure.GPU_ERROR);
            FrameResult result = gles.compose(List.of(SceneSurface.at(tex, 0, 0)), RenderTarget.full(out, W, H, W * 4, Fourcc.XRGB8888)).get();
            assertEquals(FrameFailure.GPU_ERROR, assertInstanceOf(FrameResult.Failed.class, result).reason());
            assertEquals(-1, before.mismatch(out), "a GPU error left pixels in the target");
            // The next frame is fine again.
            assertTrue(gles.compose(List.of(SceneSurface.at(tex, 0, 0)), RenderTarget.full(out, W, H, W * 4, Fourcc.XRGB8888)).get().isComposed());

            out.copyFrom(before);
            GlesFaults.failNextFrame(gles, FrameFailure.CONTEXT_LOST);
            result = gles.compose(List.of(SceneSurface.at(tex, 0, 0)), RenderTarget.full(out, W, H, W * 4, Fourcc.XRGB8888)).get();
            assertEquals(FrameFailure.CONTEXT_LOST, assertInstanceOf(FrameResult.Failed.class, result).reason());
            assertEquals(-1, before.mismatch(out), "a lost context left pixels in the target");
            // A lost context stays lost: frames and imports say so.
            result = gles.compose(List.of(SceneSurface.at(tex, 0, 0)), RenderTarget.full(out, W, H, W * 4, Fourcc.XRGB8888)).get();
            assertEquals(FrameFailure.CONTEXT_LOST, assertInstanceOf(FrameResult.Failed.class, result).reason());
            ImportResult imported = gles.importMemory(TestPixels.packed(arena, Fourcc.XRGB8888, 8, 8, TestPixels.solid(-1))).get();
            assertEquals(ImportRejection.CONTEXT_LOST, assertInstanceOf(ImportResult.Rejected.class, imported).reason());
            assertEquals(-1, before.mismatch(out));
        }
    }

    @Test
    void badTargetIsRefused() throws Exception {
        try (Arena arena = Arena.ofShared(); CpuRenderer cpu = new CpuRenderer(); var gles = GlesFixture.start()) {
            MemorySegment small = arena.allocate(W * 4L * (H - 1));
            for (Renderer r : List.of(cpu, gles)) {
                FrameResult result = r.compose(List.of(), RenderTarget.full(small, W, H, W * 4, Fourcc.XRGB8888)).get();
                assertEquals(FrameFailure.TARGET_INVALID, assertInstanceOf(FrameResult.Failed.class, result).reason(), r.name());
                result = r.compose(List.of(), RenderTarget.full(small, W, H / 2, W * 4, Fourcc.NV12)).get();
                assertEquals(FrameFailure.TARGET_INVALID, assertInstanceOf(FrameResult.Failed.class, result).reason(), r.name());
            }
        }
    }

    private static MemorySegment filledTarget(Arena arena) {
        MemorySegment out = TestPixels.target(arena, W, H);
        for (long i = 0; i < out.byteSize(); i += 4) out.set(TestPixels.INT_LE, i, 0x12345678);
        return out;
    }

    private static MemorySegment snapshot(Arena arena, MemorySegment m) {
        return arena.allocate(m.byteSize()).copyFrom(m);
    }
}
