package dev.ferry.renderer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.renderer.cpu.CpuRenderer;
import dev.ferry.renderer.testing.TestPixels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The CPU renderer as the compositor makes it ({@link CpuRenderer#onItsOwnThread}) composes on a
 * thread of its own: the caller (the event loop) is back at once and a large frame completes there,
 * with the same pixels as on the caller's thread; a read-back waits for the frames queued before
 * it; a texture closed while a frame that reads it is being drawn keeps its memory until that
 * frame is done. Each frame here is held inside its composition by the source's CPU-access
 * bracket, which the renderer enters on the thread that reads the pixels, so nothing depends on
 * how fast the machine draws.
 */
@Timeout(30)
class CpuComposeThreadTest {
    /** Larger than what is drawn in the caller's place (CpuRenderer.INLINE_MAX_PIXELS, 512x512): 307 200 pixels. */
    private static final int W = 640, H = 480;

    /** A CPU-access bracket that, once armed, says when a frame has entered it and holds it there until let go. */
    private static final class HeldAccess implements CpuAccess {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch letGo = new CountDownLatch(1);
        volatile boolean armed = true;
        volatile String thread;

        @Override
        public void begin() {
            if (!armed) return;
            thread = Thread.currentThread().getName();
            entered.countDown();
            try {
                letGo.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void end() {}
    }

    @AfterEach
    void forgetTheTestLayout() {
        TileLayouts.unregister(TiledLayoutTest.TEST_TILED_8X8);
    }

    @Test
    void aFrameIsComposedOnTheRenderersThreadWhileTheCallerGoesOn() throws Exception {
        try (Arena arena = Arena.ofShared(); CpuRenderer threaded = CpuRenderer.onItsOwnThread(); CpuRenderer inline = new CpuRenderer()) {
            HeldAccess held = new HeldAccess();
            PixelSource src = TestPixels.packed(arena, Fourcc.ARGB8888, W, H, TestPixels.gradient(W, H, 200)).withAccess(held);
            Texture t = threaded.importMemory(src).get().textureOrThrow();
            MemorySegment out = TestPixels.target(arena, W, H);
            CompletableFuture<FrameResult> frame = threaded.compose(List.of(SceneSurface.at(t, 0, 0)), RenderTarget.full(out, W, H, W * 4, Fourcc.XRGB8888));
            assertTrue(held.entered.await(10, TimeUnit.SECONDS), "the frame reached the source's pixels");
            // The caller has its future back while the frame is still being drawn.
            assertFalse(frame.isDone(), "compose returned before the frame was drawn");
            assertEquals("ferry-cpu-compose", held.thread, "the pixels are read on the renderer's thread");
            held.letGo.countDown();
            assertTrue(frame.get(10, TimeUnit.SECONDS).isComposed());

            MemorySegment expected = TestPixels.target(arena, W, H);
            Texture same = inline.importMemory(src.withAccess(CpuAccess.NONE)).get().textureOrThrow();
            assertTrue(inline.compose(List.of(SceneSurface.at(same, 0, 0)), RenderTarget.full(expected, W, H, W * 4, Fourcc.XRGB8888)).get().isComposed());
            assertArrayEquals(expected.toArray(ValueLayout.JAVA_INT), out.toArray(ValueLayout.JAVA_INT), "the same pixels as composed on the caller's thread");
            t.close();
            same.close();
        }
    }

    /** A 64x64 change is cheaper to draw than to hand over: with nothing queued it is drawn on the caller's thread. */
    @Test
    void aSmallFrameIsDrawnInTheThreadsPlaceWhenItIsIdle() throws Exception {
        try (Arena arena = Arena.ofShared(); CpuRenderer threaded = CpuRenderer.onItsOwnThread()) {
            HeldAccess seen = new HeldAccess();
            seen.letGo.countDown();
            PixelSource src = TestPixels.packed(arena, Fourcc.XRGB8888, 64, 64, TestPixels.solid(0xff102030)).withAccess(seen);
            Texture t = threaded.importMemory(src).get().textureOrThrow();
            MemorySegment out = TestPixels.target(arena, W, H);
            RenderTarget target = RenderTarget.full(out, W, H, W * 4, Fourcc.XRGB8888).withDamage(Region.of(10, 10, 64, 64));
            CompletableFuture<FrameResult> frame = threaded.compose(List.of(SceneSurface.at(t, 10, 10)), target);
            assertTrue(frame.isDone() && frame.get().isComposed(), "drawn before compose returned");
            assertEquals(Thread.currentThread().getName(), seen.thread);
            assertEquals(0x102030, out.get(TestPixels.INT_LE, 4L * (20 * W + 20)) & 0xffffff);
            t.close();
        }
    }

    @Test
    void aReadBackWaitsForTheFramesQueuedBeforeIt() throws Exception {
        try (Arena arena = Arena.ofShared(); CpuRenderer threaded = CpuRenderer.onItsOwnThread()) {
            HeldAccess held = new HeldAccess();
            PixelSource src = TestPixels.packed(arena, Fourcc.XRGB8888, W, H, TestPixels.solid(0xff336699)).withAccess(held);
            Texture t = threaded.importMemory(src).get().textureOrThrow();
            MemorySegment out = TestPixels.target(arena, W, H);
            RenderTarget target = RenderTarget.full(out, W, H, W * 4, Fourcc.XRGB8888).readingBackOnDemand();
            CompletableFuture<FrameResult> frame = threaded.compose(List.of(SceneSurface.at(t, 0, 0)), target);
            assertTrue(held.entered.await(10, TimeUnit.SECONDS));
            CompletableFuture<Void> readBack = threaded.readBack(target);
            assertFalse(readBack.isDone(), "a screenshot would read a half-drawn frame");
            held.letGo.countDown();
            readBack.get(10, TimeUnit.SECONDS);
            assertTrue(frame.isDone(), "the read-back completed after the frame before it");
            assertEquals(0x336699, out.get(TestPixels.INT_LE, 4L * (W * H - 1)) & 0xffffff);
            t.close();
        }
    }

    /** A tiled buffer is read through a shadow copy the texture owns: closing it mid-frame must not free what the frame reads. */
    @Test
    void aTextureClosedWhileItsFrameIsDrawnKeepsItsMemoryUntilTheFrameIsDone() throws Exception {
        TileLayouts.register(new TiledLayoutTest.Tiled8x8());
        try (Arena arena = Arena.ofShared(); CpuRenderer threaded = CpuRenderer.onItsOwnThread()) {
            HeldAccess held = new HeldAccess();
            held.armed = false;  // the import's first detiling is the caller's
            MemorySegment tiledMem = arena.allocate(4L * W * H);
            for (long i = 0; i < tiledMem.byteSize(); i += 4) tiledMem.set(TestPixels.INT_LE, i, 0xff0080ff);
            PixelSource tiled = new PixelSource(W, H, Fourcc.XRGB8888, TiledLayoutTest.TEST_TILED_8X8,
                    List.of(new PixelPlane(tiledMem, W * 4)), held);
            Texture t = threaded.importMemory(tiled).get().textureOrThrow();
            held.armed = true;
            MemorySegment out = TestPixels.target(arena, W, H);
            // Damaged: the frame brings the shadow copy up to date, inside the bracket, then draws from it.
            SceneSurface damaged = SceneSurface.at(t, 0, 0).withBufferDamage(Region.full(W, H));
            CompletableFuture<FrameResult> frame = threaded.compose(List.of(damaged), RenderTarget.full(out, W, H, W * 4, Fourcc.XRGB8888));
            assertTrue(held.entered.await(10, TimeUnit.SECONDS));
            t.close();
            assertFalse(t.isOpen(), "closed at once for the caller");
            held.letGo.countDown();
            FrameResult r = frame.get(10, TimeUnit.SECONDS);
            assertTrue(r.isComposed(), "the frame that had it read it whole: " + r);
            for (long i = 0; i < out.byteSize(); i += 4) assertEquals(0x0080ff, out.get(TestPixels.INT_LE, i) & 0xffffff, "pixel " + i / 4);
            // A frame after the close is refused by name, not drawn from freed memory.
            FrameResult after = threaded.compose(List.of(SceneSurface.at(t, 0, 0)), RenderTarget.full(out, W, H, W * 4, Fourcc.XRGB8888)).get(10, TimeUnit.SECONDS);
            assertTrue(after instanceof FrameResult.Failed f && f.reason() == FrameFailure.TEXTURE_INVALID, "after the close: " + after);
        }
    }
}
