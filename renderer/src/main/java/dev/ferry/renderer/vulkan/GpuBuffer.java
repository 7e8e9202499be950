package dev.ferry.renderer.vulkan;

import static org.lwjgl.vulkan.VK10.*;

/**
 * A VkBuffer bound to its own VkDeviceMemory and known to shaders by its device address:
 * either host memory imported in place (then {@code base} is the first imported byte of the
 * caller's mapping and nothing is mapped here), or memory allocated and mapped by the renderer
 * (then {@code mapped} is its CPU address). Created, used and destroyed on the render thread.
 */
final class GpuBuffer {
    final long buffer;
    final long memory;
    final long deviceAddress;
    /** Host address of byte 0 of the buffer: the imported range's start, or the mapping of allocated memory. */
    final long base;
    final long size;
    final boolean imported;
    /**
     * The whole buffer as 32-bit words (a VK_FORMAT_R32_UINT buffer view), as the compose shader
     * reads and writes it: texel-buffer fetches are vector gathers on lavapipe, where loads
     * through a device address run lane by lane.
     */
    final long view;
    private boolean destroyed;

    GpuBuffer(long buffer, long memory, long deviceAddress, long base, long size, boolean imported, long view) {
        this.buffer = buffer;
        this.memory = memory;
        this.deviceAddress = deviceAddress;
        this.base = base;
        this.size = size;
        this.imported = imported;
        this.view = view;
    }

    /** Device address of the byte at host address {@code host}, which must lie inside the buffer. */
    long addressOf(long host) {
        return deviceAddress + (host - base);
    }

    void destroy(VulkanDevice device) {
        if (destroyed) return;
        destroyed = true;
        vkDestroyBufferView(device.device, view, null);
        vkDestroyBuffer(device.device, buffer, null);
        if (!imported) vkUnmapMemory(device.device, memory);
        vkFreeMemory(device.device, memory, null);
    }
}
