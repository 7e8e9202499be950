package dev.ferry.renderer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.drm.CpuMapping;
import dev.ferry.drm.DmaBuf;
import dev.ferry.drm.FakeDevice;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.Usage;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.drm.uapi.Tiling;
import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import dev.ferry.renderer.cpu.CpuRenderer;
import dev.ferry.renderer.testing.PixelCompare;
import dev.ferry.renderer.testing.TestPixels;
import dev.ferry.renderer.testing.VulkanFixture;
import dev.ferry.renderer.vulkan.CopyReason;
import dev.ferry.renderer.vulkan.VulkanRenderer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where the Vulkan renderer reads and writes: client memory and scanout memory imported in
 * place (the GPU sees the client's later writes without any upload, the frame lands in the
 * scanout mapping itself), and every buffer that cannot be imported in place copied, counted
 * under its reason, and shown exactly as the CPU renderer shows it. Validation is on throughout.
 */
class VulkanImportTest {
    private static final int W = 64, H = 48;
    private static VulkanRenderer vulkan;
    private static CpuRenderer cpu;
    private static Arena arena;

    /** fake-drm's tiling as the compositor registers it (FakeTileLayouts lives in the compositor module). */
    private record FakeTiling(long modifier) implements TileLayout {
        @Override public long planeBytes(int width, int height, int stride, int bpp) {
            return Tiling.strideFitsLayout(modifier, stride, bpp) ? Tiling.planeBytes(modifier, stride, height) : -1;
        }

        @Override
        public void copyToLinear(MemorySegment tiled, int tiledStride, int bpp, int x, int y, int w, int h, MemorySegment linear, int linearStride) {
            for (int row = y; row < y + h; row++) {
                for (int col = x; col < x + w; col++) {
                    linear.set(ValueLayout.JAVA_INT_UNALIGNED, (long) row * linearStride + (long) col * bpp,
                            tiled.get(ValueLayout.JAVA_INT_UNALIGNED, Tiling.byteOffset(modifier, col, row, tiledStride, bpp)));
                }
            }
        }
    }

    @BeforeAll
    static void start() {
        vulkan = VulkanFixture.start();
        cpu = new CpuRenderer();
        arena = Arena.ofShared();
        assertTrue(vulkan.description().contains("validation on"), vulkan.description());
    }

    @AfterAll
    static void stop() {
        vulkan.close();
        arena.close();
    }

    @AfterEach
    void noValidationErrors() {
        TileLayouts.unregister(TiledLayoutTest.TEST_TILED_8X8);
        VulkanFixture.assertNoValidationErrors(vulkan);
    }

    @Test
    void sealedShmPoolIsSampledInPlace() throws Exception {
        int stride = W * 4;
        try (OwnedFd fd = Memfd.create("vk-shm", (long) stride * H)) {
            Memfd.addSeals(fd, Memfd.F_SEAL_SHRINK);
            MemorySegment pool = Memfd.map(fd, 0, (long) stride * H, Memfd.PROT_READ | Memfd.PROT_WRITE);
            try {
                write(pool, stride, TestPixels.gradient(W, H, 255), Fourcc.XRGB8888);
                PixelSource src = PixelSource.packed(pool, W, H, stride, Fourcc.XRGB8888);
                long before = vulkan.counters().texturesInPlace();
                Texture t = vulkan.importMemory(src).get(30, TimeUnit.SECONDS).textureOrThrow();
                assertEquals(before + 1, vulkan.counters().texturesInPlace());
                assertEquals("VulkanTexture[" + src + " in place]", t.toString());
                assertSameAsCpu(src, t, "shm pool");
                // The client draws again: the next frame shows it with nothing uploaded, because the GPU reads the pool itself.
                write(pool, stride, TestPixels.solid(0xff2040c0), Fourcc.XRGB8888);
                long copiedBytes = vulkan.counters().bytesCopied();
                MemorySegment out = compose(vulkan, t, Region.full(W, H));
                assertEquals(0xff2040c0 & 0xffffff, out.get(TestPixels.INT_LE, 4L * (W * 10 + 10)) & 0xffffff);
                assertEquals(copiedBytes, vulkan.counters().bytesCopied());
                t.close();
            } finally {
                Memfd.unmap(pool);
            }
        }
    }

    @Test
    void tiledFakeDmaBufIsDetiledInTheShaderInPlace() throws Exception {
        TileLayouts.register(new FakeTiling(Modifiers.FAKE_TILED_4X4));
        try (FakeKernel kernel = FakeKernel.open("laptop-igpu")) {
            FakeDevice d = kernel.devices().get(0);
            for (long modifier : new long[] {Modifiers.LINEAR, Modifiers.FAKE_TILED_4X4}) {
                try (DmaBuf buf = d.allocate(W, H, Fourcc.ARGB8888, new long[] {modifier}, Usage.RENDERING)) {
                    CpuMapping map = buf.map();
                    int[] image = new int[W * H];
                    for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) image[y * W + x] = TestPixels.translucent(W, H).argb(x, y);
                    map.beginCpuAccess(CpuMapping.WRITE);
                    map.writeImage(image);
                    map.endCpuAccess(CpuMapping.WRITE);
                    PixelSource src = new PixelSource(W, H, Fourcc.ARGB8888, buf.modifier(),
                            List.of(new PixelPlane(map.view().asSlice(buf.offset(0)), buf.stride(0))), new MappingAccess(map));
                    long before = vulkan.counters().texturesInPlace();
                    Texture t = vulkan.importMemory(src).get(30, TimeUnit.SECONDS).textureOrThrow();
                    assertEquals(before + 1, vulkan.counters().texturesInPlace(), Modifiers.name(modifier));
                    assertSameAsCpu(src, t, "dma-buf " + Modifiers.name(modifier));
                    t.close();
                    map.close();
                }
            }
        } finally {
            TileLayouts.unregister(Modifiers.FAKE_TILED_4X4);
        }
    }

    @Test
    void frameLandsInTheScanoutMappingItself() throws Exception {
        try (FakeKernel kernel = FakeKernel.open("laptop-igpu")) {
            FakeDevice d = kernel.firstDisplay();
            try (DmaBuf scanout = d.allocate(W, H, Fourcc.XRGB8888, new long[] {Modifiers.LINEAR}, Usage.SCANOUT)) {
                CpuMapping map = scanout.map();
                PixelSource src = TestPixels.packed(arena, Fourcc.ARGB8888, W, H, TestPixels.translucent(W, H));
                Texture vt = vulkan.importMemory(src).get(30, TimeUnit.SECONDS).textureOrThrow();
                Texture ct = cpu.importMemory(src).get().textureOrThrow();
                MemorySegment expected = compose(cpu, ct, Region.full(W, H));
                RenderTarget target = new RenderTarget(W, H, Fourcc.XRGB8888, map.view(), scanout.stride(0), Region.full(W, H), RenderTarget.OPAQUE_BLACK);
                var before = vulkan.counters();
                for (int frame = 0; frame < 3; frame++) {
                    map.beginCpuAccess(CpuMapping.WRITE);
                    assertTrue(vulkan.compose(List.of(SceneSurface.at(vt, 0, 0)), target).get(30, TimeUnit.SECONDS).isComposed());
                    map.endCpuAccess(CpuMapping.WRITE);
                }
                var after = vulkan.counters();
                assertEquals(before.targetsInPlace() + 3, after.targetsInPlace(), "imported once, then reused from the cache");
                assertEquals(before.targetsCopied(), after.targetsCopied());
                assertEquals(before.bytesCopied(), after.bytesCopied(), "no read-back");
                PixelCompare.Difference diff = PixelCompare.compare(expected, map.view(), W, H, scanout.stride(0), Fourcc.XRGB8888, 0);
                assertEquals(0, diff.pixelsOver(), diff.describe(0));
                vt.close();
                ct.close();
                map.close();
            }
        }
    }

    @Test
    void heapTargetIsComposedAsideAndCopiedOut() throws Exception {
        PixelSource src = TestPixels.packed(arena, Fourcc.XRGB8888, W, H, TestPixels.gradient(W, H, 255));
        Texture vt = vulkan.importMemory(src).get(30, TimeUnit.SECONDS).textureOrThrow();
        Texture ct = cpu.importMemory(src).get().textureOrThrow();
        MemorySegment expected = compose(cpu, ct, Region.full(W, H));
        MemorySegment heap = MemorySegment.ofArray(new int[W * H]);
        var before = vulkan.counters();
        assertTrue(vulkan.compose(List.of(SceneSurface.at(vt, 0, 0)), RenderTarget.full(heap, W, H, W * 4, Fourcc.XRGB8888))
                .get(30, TimeUnit.SECONDS).isComposed());
        var after = vulkan.counters();
        assertEquals(before.targetsCopied() + 1, after.targetsCopied());
        assertEquals(before.bytesCopied() + 4L * W * H, after.bytesCopied(), "the damage copied out once");
        assertEquals(0, PixelCompare.compare(expected, heap, W, H, W * 4, Fourcc.XRGB8888, 0).pixelsOver());
        vt.close();
        ct.close();
    }

    /** Each reason a buffer is copied, produced by its own condition, beside a twin that imports in place. */
    @Test
    void buffersThatCannotBeImportedInPlaceAreCopiedCountedAndShownRight() throws Exception {
        int stride = W * 4;
        MemorySegment native_ = arena.allocate((long) stride * H + 8, 4096);
        // In place: the twin, aligned native memory.
        assertCopied(PixelSource.packed(native_, W, H, stride, Fourcc.ARGB8888), null, native_.asSlice(0, (long) stride * H), stride);
        // A wl_shm buffer at offset 2 in its pool: 32-bit texels that do not start on a word.
        assertCopied(PixelSource.packed(native_.asSlice(2), W, H, stride, Fourcc.ARGB8888), CopyReason.MISALIGNED_START,
                native_.asSlice(2, (long) stride * H), stride);
        // Java heap memory.
        MemorySegment heap = MemorySegment.ofArray(new byte[stride * H]);
        assertCopied(PixelSource.packed(heap, W, H, stride, Fourcc.ARGB8888), CopyReason.NOT_NATIVE_MEMORY, heap, stride);
        // A tiling only a CPU TileLayout knows: de-tiled on the CPU into the copy.
        TileLayouts.register(new TiledLayoutTest.Tiled8x8());
        MemorySegment tiled = arena.allocate((long) stride * H, 4096);
        assertCopied(PixelSource.packed(tiled, W, H, stride, Fourcc.ARGB8888).withModifier(TiledLayoutTest.TEST_TILED_8X8),
                CopyReason.TILING_NOT_IN_SHADER, tiled, stride);
    }

    private void assertCopied(PixelSource src, CopyReason reason, MemorySegment pixels, int stride) throws Exception {
        write(pixels, stride, TestPixels.translucent(W, H), Fourcc.ARGB8888);
        var before = vulkan.counters();
        Texture t = vulkan.importMemory(src).get(30, TimeUnit.SECONDS).textureOrThrow();
        var after = vulkan.counters();
        if (reason == null) {
            assertEquals(before.texturesInPlace() + 1, after.texturesInPlace());
            assertEquals(before.copiedTotal(), after.copiedTotal());
        } else {
            assertEquals(before.texturesCopied().get(reason) + 1, after.texturesCopied().get(reason), reason.name());
            assertEquals(before.texturesInPlace(), after.texturesInPlace(), reason.name());
            assertTrue(after.bytesCopied() > before.bytesCopied(), reason.name());
            assertTrue(t.toString().contains("copied: " + reason), t.toString());
        }
        assertSameAsCpu(src, t, String.valueOf(reason));
        // The client draws again and says where: the copy follows the damage.
        write(pixels, stride, (x, y) -> x < W / 2 ? 0xff10c020 : 0x80402000, Fourcc.ARGB8888);
        Texture c = cpu.importMemory(src).get().textureOrThrow();
        MemorySegment expected = compose(cpu, c, Region.full(W, H));
        MemorySegment actual = composeDamaged(vulkan, t, Region.full(W, H));
        c.close();
        assertEquals(0, PixelCompare.compare(expected, actual, W, H, W * 4, Fourcc.XRGB8888, 0).pixelsOver(), reason + " after damage");
        t.close();
    }

    @Test
    void clientMemoryGoneBeforeTheFrameFailsThatFrameOnly() throws Exception {
        Arena client = Arena.ofShared();
        PixelSource gone = TestPixels.packed(client, Fourcc.XRGB8888, W, H, TestPixels.gradient(W, H, 255));
        Texture t = vulkan.importMemory(gone).get(30, TimeUnit.SECONDS).textureOrThrow();
        client.close();
        MemorySegment out = TestPixels.target(arena, W, H);
        FrameResult r = vulkan.compose(List.of(SceneSurface.at(t, 0, 0)), RenderTarget.full(out, W, H, W * 4, Fourcc.XRGB8888)).get(30, TimeUnit.SECONDS);
        assertEquals(FrameFailure.SOURCE_UNREADABLE, ((FrameResult.Failed) r).reason(), r.toString());
        t.close();
        // The renderer goes on: the next frame with readable memory is drawn.
        PixelSource fine = TestPixels.packed(arena, Fourcc.XRGB8888, W, H, TestPixels.gradient(W, H, 255));
        Texture ok = vulkan.importMemory(fine).get(30, TimeUnit.SECONDS).textureOrThrow();
        assertSameAsCpu(fine, ok, "after a failed frame");
        ok.close();
    }

    @Test
    void memoryConfinedToAnotherThreadIsRefusedAtImport() throws Exception {
        try (Arena confined = Arena.ofConfined()) {
            PixelSource src = TestPixels.packed(confined, Fourcc.XRGB8888, W, H, TestPixels.gradient(W, H, 255));
            ImportResult r = vulkan.importMemory(src).get(30, TimeUnit.SECONDS);
            assertEquals(ImportRejection.SOURCE_UNREADABLE, ((ImportResult.Rejected) r).reason(), r.toString());
        }
    }

    @Test
    void lostDeviceFailsTheFrameAndEveryLaterOne() throws Exception {
        VulkanRenderer doomed = VulkanFixture.start();
        try {
            PixelSource src = TestPixels.packed(arena, Fourcc.XRGB8888, W, H, TestPixels.gradient(W, H, 255));
            Texture t = doomed.importMemory(src).get(30, TimeUnit.SECONDS).textureOrThrow();
            MemorySegment out = TestPixels.target(arena, W, H);
            doomed.injectDeviceLost();
            FrameResult r = doomed.compose(List.of(SceneSurface.at(t, 0, 0)), RenderTarget.full(out, W, H, W * 4, Fourcc.XRGB8888)).get(30, TimeUnit.SECONDS);
            assertEquals(FrameFailure.CONTEXT_LOST, ((FrameResult.Failed) r).reason());
            FrameResult next = doomed.compose(List.of(SceneSurface.at(t, 0, 0)), RenderTarget.full(out, W, H, W * 4, Fourcc.XRGB8888)).get(30, TimeUnit.SECONDS);
            assertEquals(FrameFailure.CONTEXT_LOST, ((FrameResult.Failed) next).reason());
            ImportResult again = doomed.importMemory(src).get(30, TimeUnit.SECONDS);
            assertFalse(again.isImported());
            assertEquals(ImportRejection.CONTEXT_LOST, ((ImportResult.Rejected) again).reason());
            t.close();
        } finally {
            doomed.close();
        }
        VulkanFixture.assertNoValidationErrors(doomed);
    }

    private void assertSameAsCpu(PixelSource src, Texture vt, String what) throws Exception {
        Texture ct = cpu.importMemory(src).get().textureOrThrow();
        MemorySegment expected = compose(cpu, ct, Region.full(W, H));
        ct.close();
        MemorySegment actual = compose(vulkan, vt, Region.full(W, H));
        PixelCompare.Difference d = PixelCompare.compare(expected, actual, W, H, W * 4, Fourcc.XRGB8888, 0);
        assertEquals(0, d.pixelsOver(), what + ": " + d.describe(0));
    }

    private static MemorySegment compose(Renderer r, Texture t, Region damage) throws Exception {
        MemorySegment out = TestPixels.target(arena, W, H);
        FrameResult result = r.compose(List.of(SceneSurface.at(t, 0, 0)), RenderTarget.full(out, W, H, W * 4, Fourcc.XRGB8888).withDamage(damage))
                .get(30, TimeUnit.SECONDS);
        assertTrue(result.isComposed(), result.toString());
        return out;
    }

    private static MemorySegment composeDamaged(Renderer r, Texture t, Region bufferDamage) throws Exception {
        MemorySegment out = TestPixels.target(arena, W, H);
        FrameResult result = r.compose(List.of(SceneSurface.at(t, 0, 0).withBufferDamage(bufferDamage)),
                RenderTarget.full(out, W, H, W * 4, Fourcc.XRGB8888)).get(30, TimeUnit.SECONDS);
        assertTrue(result.isComposed(), result.toString());
        return out;
    }

    private static void write(MemorySegment m, int stride, TestPixels.Pattern p, int fourcc) {
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) m.set(TestPixels.INT_LE, (long) y * stride + 4L * x, TestPixels.encode(fourcc, p.argb(x, y)));
        }
    }

    /** A fake dma-buf's CPU access brackets, as the compositor passes them. */
    private record MappingAccess(CpuMapping map) implements CpuAccess {
        @Override public void begin() { map.beginCpuAccess(CpuMapping.READ); }
        @Override public void end() { map.endCpuAccess(CpuMapping.READ); }
    }
}
