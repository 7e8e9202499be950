package dev.ferry.renderer.testing;

import dev.ferry.renderer.cpu.CpuRenderer;
import dev.ferry.renderer.gles.GlesRenderer;
import dev.ferry.renderer.vulkan.VulkanRenderer;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The renderers a test class compares, and the arena its pixels live in, for all its tests:
 * registered once as {@code @RegisterExtension static final TestRenderers renderers = new TestRenderers();}.
 * The GPU renderers start on first use ({@link GlesFixture}, {@link VulkanFixture}: failing,
 * never skipping), so a class that compares the CPU renderer with Vulkan alone does not pay for
 * starting EGL; after the class's last test whatever was started is closed, then the arena.
 */
public final class TestRenderers implements BeforeAllCallback, AfterAllCallback {
    private Arena arena;
    private CpuRenderer cpu;
    private GlesRenderer gles;
    private VulkanRenderer vulkan;

    @Override
    public void beforeAll(ExtensionContext context) {
        arena = Arena.ofShared();
        cpu = new CpuRenderer();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (gles != null) gles.close();
        if (vulkan != null) vulkan.close();
        cpu.close();
        arena.close();
        gles = null;
        vulkan = null;
    }

    /** Shared (the renderers' threads read it), open until the class's last test is done. */
    public Arena arena() {
        return arena;
    }

    public CpuRenderer cpu() {
        return cpu;
    }

    public GlesRenderer gles() {
        if (gles == null) gles = GlesFixture.start();
        return gles;
    }

    /** With the validation layer on: see {@link VulkanFixture#assertNoValidationErrors}. */
    public VulkanRenderer vulkan() {
        if (vulkan == null) vulkan = VulkanFixture.start();
        return vulkan;
    }
}
