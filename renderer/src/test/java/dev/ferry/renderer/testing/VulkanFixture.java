package dev.ferry.renderer.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ferry.renderer.RendererUnavailableException;
import dev.ferry.renderer.vulkan.VulkanRenderer;

/**
 * Starts the Vulkan renderer for a test with VK_LAYER_KHRONOS_validation on, failing (never
 * skipping) when it cannot: CI installs lavapipe and the validation layers, so a missing device
 * is a broken environment or a broken renderer. {@link #assertNoValidationErrors} fails the
 * test on any error message the layer reported.
 */
public final class VulkanFixture {
    private VulkanFixture() {}

    public static VulkanRenderer start() {
        try {
            return VulkanRenderer.start(VulkanRenderer.DEFAULT_QUEUE_CAPACITY, true);
        } catch (RendererUnavailableException e) {
            return fail("Vulkan renderer could not start: " + e.getMessage()
                    + " — these tests need a Vulkan 1.2 device and the validation layer (Debian: libvulkan1, mesa-vulkan-drivers, vulkan-validationlayers)", e);
        }
    }

    public static void assertNoValidationErrors(VulkanRenderer vulkan) {
        assertEquals(0, vulkan.validationErrors(), () -> "validation errors: " + vulkan.firstValidationErrors());
    }
}
