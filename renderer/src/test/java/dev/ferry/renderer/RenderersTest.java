package dev.ferry.renderer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.renderer.cpu.CpuRenderer;
import dev.ferry.renderer.gles.GlesRenderer;
import dev.ferry.renderer.testing.GlesFixture;
import dev.ferry.renderer.testing.TestPixels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RenderersTest {
    @Test
    void namedRenderers() throws Exception {
        try (Renderer cpu = Renderers.create("cpu"); Renderer dummy = Renderers.create("dummy"); Renderer gles = Renderers.create("gles")) {
            assertInstanceOf(CpuRenderer.class, cpu);
            assertInstanceOf(DummyRenderer.class, dummy);
            // Mesa is on every machine these tests run on, so an explicit gles still starts.
            assertInstanceOf(GlesRenderer.class, gles);
            assertTrue(gles.description().contains("OpenGL ES"), gles.description());
        }
        assertThrows(IllegalArgumentException.class, () -> Renderers.create("metal"));
    }

    /** On llvmpipe (the only EGL of CI machines) auto takes the CPU renderer and says why. */
    @Test
    void autoOnASoftwareEglPicksCpuAndSaysWhy() throws Exception {
        boolean software;
        try (GlesRenderer gles = GlesRenderer.start()) {
            software = gles.softwareRasterizer();
            if (System.getenv("CI") != null) assertTrue(software, "CI runs on llvmpipe, not " + gles.description());
        }
        Renderers.Choice auto = Renderers.choose("auto");
        try (Renderer r = auto.renderer()) {
            if (GpuNodes.in(java.nio.file.Path.of("/dev")).isEmpty()) {
                // No node a driver could reach hardware through: nothing is probed.
                assertInstanceOf(CpuRenderer.class, r);
                assertTrue(auto.reason().startsWith("no GPU device node") && auto.reason().contains("llvmpipe"), auto.reason());
            } else if (software) {
                assertInstanceOf(CpuRenderer.class, r);
                assertTrue(auto.reason().contains("software rasterizer") && auto.reason().contains("llvmpipe"), auto.reason());
            } else {
                assertInstanceOf(GlesRenderer.class, r, auto.reason());
            }
        }
        assertTrue(GlesRenderer.isSoftwareRasterizer("llvmpipe (LLVM 15.0.6, 256 bits)"));
        assertTrue(GlesRenderer.isSoftwareRasterizer("softpipe"));
        assertTrue(!GlesRenderer.isSoftwareRasterizer("Mesa Intel(R) UHD Graphics 620 (KBL GT2)"));
    }

    /** The nodes auto looks for before probing any driver: DRM render and card nodes, NVIDIA's; nothing else counts. */
    @Test
    void gpuNodesAreDrmAndNvidiaNodesOnly(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dev) throws Exception {
        assertTrue(GpuNodes.in(dev).isEmpty());
        java.nio.file.Files.createFile(dev.resolve("nvidiactl"));
        java.nio.file.Files.createFile(dev.resolve("null"));
        java.nio.file.Files.createDirectories(dev.resolve("dri/by-path"));
        assertTrue(GpuNodes.in(dev).isEmpty(), "nvidiactl, null and dri/by-path are no GPU");
        java.nio.file.Files.createFile(dev.resolve("dri/renderD128"));
        java.nio.file.Files.createFile(dev.resolve("nvidia0"));
        assertEquals(List.of(dev.resolve("dri/renderD128"), dev.resolve("nvidia0")), GpuNodes.in(dev));
    }

    /** lavapipe is CI's only Vulkan device: vulkan starts when named, and auto passes it over as a software device. */
    @Test
    void vulkanStartsWhenNamedAndAutoPassesOverASoftwareDevice() throws Exception {
        var device = dev.ferry.renderer.vulkan.VulkanRenderer.probe();
        assertTrue(device.isPresent(), "a Vulkan device (Debian: libvulkan1, mesa-vulkan-drivers)");
        if (System.getenv("CI") != null) assertTrue(device.get().software(), "CI runs on lavapipe, not " + device.get().name());
        try (Renderer vulkan = Renderers.create("vulkan")) {
            assertEquals("vulkan", vulkan.name());
            assertTrue(vulkan.composesOnGpu());
            assertTrue(vulkan.description().contains(device.get().name()), vulkan.description());
        }
        if (device.get().software()) {
            try (Renderer r = Renderers.choose("auto").renderer()) {
                assertTrue(!r.name().equals("vulkan"), "auto must not take a software Vulkan device");
            }
        }
    }

    @Test
    void dummyValidatesAndCounts() throws Exception {
        try (Arena arena = Arena.ofShared(); DummyRenderer dummy = new DummyRenderer()) {
            Texture t = dummy.importMemory(TestPixels.packed(arena, Fourcc.XRGB8888, 8, 8, TestPixels.solid(-1))).get().textureOrThrow();
            MemorySegment out = TestPixels.target(arena, 8, 8);
            assertTrue(dummy.compose(List.of(SceneSurface.at(t, 0, 0)), RenderTarget.full(out, 8, 8, 32, Fourcc.XRGB8888)).get().isComposed());
            assertEquals(1, dummy.importCount());
            assertEquals(1, dummy.frameCount());
            assertEquals(0, out.get(TestPixels.INT_LE, 0), "the dummy renderer draws nothing");
        }
    }

    @Test
    void fullRenderQueueRefusesInsteadOfBlocking() throws Exception {
        try (Arena arena = Arena.ofShared(); GlesRenderer gles = GlesFixture.start(2)) {
            int w = 1280, h = 720;
            Texture t = gles.importMemory(TestPixels.packed(arena, Fourcc.XRGB8888, w, h, TestPixels.gradient(w, h, 255))).get().textureOrThrow();
            MemorySegment out = TestPixels.target(arena, w, h);
            RenderTarget target = RenderTarget.full(out, w, h, w * 4, Fourcc.XRGB8888);
            List<CompletableFuture<FrameResult>> frames = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < 40; i++) frames.add(gles.compose(List.of(SceneSurface.at(t, 0, 0)), target));
            long submitMs = (System.nanoTime() - start) / 1_000_000;
            int refused = 0;
            for (var f : frames) {
                FrameResult r = f.get();
                if (r instanceof FrameResult.Failed failed) {
                    assertEquals(FrameFailure.QUEUE_FULL, failed.reason());
                    refused++;
                }
            }
            assertTrue(refused > 0, "40 frames into a queue of 2 were all accepted");
            assertTrue(submitMs < 1000, "submitting took " + submitMs + " ms: the caller was blocked");
            t.close();
        }
    }
}
