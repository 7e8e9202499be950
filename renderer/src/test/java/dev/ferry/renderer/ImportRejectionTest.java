package dev.ferry.renderer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.renderer.cpu.CpuRenderer;
import dev.ferry.renderer.gles.GlesRenderer;
import dev.ferry.renderer.testing.GlesFixture;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every renderer answers a bad buffer with a named rejection and a reason, never an exception or a texture. */
class ImportRejectionTest {
    private static Arena arena;
    private static GlesRenderer gles;
    private static CpuRenderer cpu;
    private static DummyRenderer dummy;

    @BeforeAll
    static void start() {
        arena = Arena.ofShared();
        cpu = new CpuRenderer();
        dummy = new DummyRenderer();
        gles = GlesFixture.start();
    }

    @AfterAll
    static void stop() {
        gles.close();
        arena.close();
    }

    record Case(String name, PixelSource source, ImportRejection expected) {
        @Override public String toString() { return name; }
    }

    static Stream<Case> badBuffers() {
        Arena a = Arena.ofAuto();
        MemorySegment m = a.allocate(64 * 64 * 4);
        return Stream.of(
                new Case("unsupported format (YUYV)", PixelSource.packed(m, 16, 16, 64, Fourcc.code('Y', 'U', 'Y', 'V')), ImportRejection.UNSUPPORTED_FORMAT),
                new Case("zero width", PixelSource.packed(m, 0, 16, 64, Fourcc.ARGB8888), ImportRejection.BAD_DIMENSIONS),
                new Case("stride below a row", PixelSource.packed(m, 16, 16, 60, Fourcc.ARGB8888), ImportRejection.BAD_STRIDE),
                new Case("stride not a pixel multiple", PixelSource.packed(m, 16, 16, 66, Fourcc.ARGB8888), ImportRejection.BAD_STRIDE),
                new Case("memory ends early", PixelSource.packed(m, 64, 65, 256, Fourcc.ARGB8888), ImportRejection.SOURCE_TOO_SMALL),
                new Case("NV12 with one plane", PixelSource.packed(m, 16, 16, 16, Fourcc.NV12), ImportRejection.BAD_PLANE_COUNT),
                new Case("tiled modifier with no layout", PixelSource.packed(m, 16, 16, 64, Fourcc.ARGB8888).withModifier(Modifiers.FAKE_TILED_16X16_COLUMN), ImportRejection.UNSUPPORTED_MODIFIER),
                new Case("implicit modifier", PixelSource.packed(m, 16, 16, 64, Fourcc.ARGB8888).withModifier(Modifiers.INVALID), ImportRejection.UNSUPPORTED_MODIFIER));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBuffers")
    void rejectedWithReason(Case c) throws Exception {
        for (Renderer r : List.of(cpu, gles, dummy)) {
            ImportResult result = r.importMemory(c.source()).get(10, TimeUnit.SECONDS);
            ImportResult.Rejected rejected = assertInstanceOf(ImportResult.Rejected.class, result, r.name() + ": " + c.name());
            assertEquals(c.expected(), rejected.reason(), r.name() + ": " + rejected.detail());
            assertTrue(!rejected.detail().isBlank(), "a reason a person can read");
        }
    }

    @Test
    void glesRejectsHeapMemory() throws Exception {
        MemorySegment heap = MemorySegment.ofArray(new int[16 * 16]);
        ImportResult result = gles.importMemory(PixelSource.packed(heap, 16, 16, 64, Fourcc.ARGB8888)).get(10, TimeUnit.SECONDS);
        assertEquals(ImportRejection.NOT_NATIVE_MEMORY, assertInstanceOf(ImportResult.Rejected.class, result).reason());
        // The CPU renderer reads heap memory as happily as native memory.
        assertTrue(cpu.importMemory(PixelSource.packed(heap, 16, 16, 64, Fourcc.ARGB8888)).get().isImported());
    }

    @Test
    void glesRejectsMemoryConfinedToAnotherThread() throws Exception {
        try (Arena confined = Arena.ofConfined()) {
            MemorySegment m = confined.allocate(64 * 16);
            ImportResult result = gles.importMemory(PixelSource.packed(m, 16, 16, 64, Fourcc.ARGB8888)).get(10, TimeUnit.SECONDS);
            assertEquals(ImportRejection.SOURCE_UNREADABLE, assertInstanceOf(ImportResult.Rejected.class, result).reason());
        }
    }

    @Test
    void dmaBufImportWithoutDriverSupportSaysSo() throws Exception {
        DmaBufSource buf = new DmaBufSource(16, 16, Fourcc.XRGB8888, Modifiers.LINEAR, List.of(new DmaBufSource.Plane(-1, 0, 64)));
        for (Renderer r : List.of(cpu, gles, dummy)) {
            DmaBufFormats formats = r.dmaBufFormats();
            ImportResult result = r.importDmaBuf(buf).get(10, TimeUnit.SECONDS);
            if (!formats.importable()) {
                ImportResult.Rejected rejected = assertInstanceOf(ImportResult.Rejected.class, result, r.name());
                assertEquals(ImportRejection.DMABUF_IMPORT_UNSUPPORTED, rejected.reason());
                assertTrue(!rejected.detail().isBlank());
            } else {
                // A driver with dma-buf import (a real GPU) refuses fd -1 itself.
                assertEquals(ImportRejection.DMABUF_IMPORT_FAILED, assertInstanceOf(ImportResult.Rejected.class, result).reason());
            }
        }
        if (gles.description().contains("llvmpipe")) {
            assertTrue(gles.dmaBufFormats().why().contains("EGL_EXT_image_dma_buf_import"), gles.dmaBufFormats().why());
        }
    }

    @Test
    void closedRendererRejects() throws Exception {
        CpuRenderer closed = new CpuRenderer();
        closed.close();
        MemorySegment m = arena.allocate(64 * 16);
        ImportResult result = closed.importMemory(PixelSource.packed(m, 16, 16, 64, Fourcc.ARGB8888)).get();
        assertEquals(ImportRejection.RENDERER_CLOSED, assertInstanceOf(ImportResult.Rejected.class, result).reason());
    }
}
