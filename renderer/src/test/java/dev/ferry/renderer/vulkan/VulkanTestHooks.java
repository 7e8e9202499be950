package dev.ferry.renderer.vulkan;

/** Reaches the Vulkan renderer's package-private fault hook from tests in other packages. */
public final class VulkanTestHooks {
    private VulkanTestHooks() {}

    /** The next frame is submitted and then treated as if the device were lost (VK_ERROR_DEVICE_LOST). */
    public static void injectDeviceLost(VulkanRenderer r) {
        r.injectDeviceLost = true;
    }
}
