package dev.ferry.renderer.vulkan;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.EXTImageDrmFormatModifier.*;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK11.*;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.renderer.core.SampledFormats;
import java.util.LinkedHashMap;
import java.util.Map;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkDrmFormatModifierPropertiesListEXT;
import org.lwjgl.vulkan.VkFormatProperties2;

/**
 * The format/modifier table as the driver states it: for each fourcc the renderer samples, its
 * VkFormat's properties from vkGetPhysicalDeviceFormatProperties2, with the DRM modifier list
 * where VK_EXT_image_drm_format_modifier exists. Without that extension (lavapipe) a format the
 * driver can sample in linear tiling is reported with LINEAR alone, the one layout every
 * driver agrees on.
 */
record VulkanFormats(Map<Integer, long[]> modifiersByFourcc, boolean fromModifierExtension) {

    static int vkFormat(int fourcc) {
        // DRM fourccs name little-endian words; Vulkan's packed names read from the high bits, plain ones by byte.
        if (fourcc == Fourcc.ARGB8888 || fourcc == Fourcc.XRGB8888) return VK_FORMAT_B8G8R8A8_UNORM;
        if (fourcc == Fourcc.ABGR8888 || fourcc == Fourcc.XBGR8888) return VK_FORMAT_R8G8B8A8_UNORM;
        if (fourcc == Fourcc.ARGB2101010 || fourcc == Fourcc.XRGB2101010) return VK_FORMAT_A2R10G10B10_UNORM_PACK32;
        if (fourcc == Fourcc.NV12) return VK_FORMAT_G8_B8R8_2PLANE_420_UNORM;
        return VK_FORMAT_UNDEFINED;
    }

    static VulkanFormats query(VulkanDevice d) {
        Map<Integer, long[]> table = new LinkedHashMap<>();
        try (MemoryStack stack = stackPush()) {
            for (int fourcc : SampledFormats.all()) {
                int format = vkFormat(fourcc);
                VkFormatProperties2 props = VkFormatProperties2.calloc(stack).sType$Default();
                VkDrmFormatModifierPropertiesListEXT list = null;
                if (d.dmaBufExtensions) {
                    list = VkDrmFormatModifierPropertiesListEXT.calloc(stack).sType$Default();
                    props.pNext(list.address());
                }
                vkGetPhysicalDeviceFormatProperties2(d.physical, format, props);
                if (list != null && list.drmFormatModifierCount() > 0) {
                    var modifiers = org.lwjgl.vulkan.VkDrmFormatModifierPropertiesEXT.create(
                            stack.ncalloc(8, list.drmFormatModifierCount(), org.lwjgl.vulkan.VkDrmFormatModifierPropertiesEXT.SIZEOF), list.drmFormatModifierCount());
                    // A returned-only struct in LWJGL: the array pointer for the second query is set by hand.
                    org.lwjgl.system.MemoryUtil.memPutAddress(list.address() + VkDrmFormatModifierPropertiesListEXT.PDRMFORMATMODIFIERPROPERTIES, modifiers.address());
                    vkGetPhysicalDeviceFormatProperties2(d.physical, format, props);
                    long[] m = new long[modifiers.capacity()];
                    int n = 0;
                    for (int i = 0; i < m.length; i++) {
                        if ((modifiers.get(i).drmFormatModifierTilingFeatures() & VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT) != 0) {
                            m[n++] = modifiers.get(i).drmFormatModifier();
                        }
                    }
                    if (n > 0) table.put(fourcc, java.util.Arrays.copyOf(m, n));
                } else if ((props.formatProperties().linearTilingFeatures() & VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT) != 0) {
                    table.put(fourcc, new long[] {Modifiers.LINEAR});
                }
            }
        }
        return new VulkanFormats(table, d.dmaBufExtensions);
    }

    String summary() {
        StringBuilder sb = new StringBuilder();
        for (var e : modifiersByFourcc.entrySet()) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(Fourcc.name(e.getKey())).append('[');
            for (int i = 0; i < e.getValue().length; i++) sb.append(i > 0 ? " " : "").append(Modifiers.name(e.getValue()[i]));
            sb.append(']');
        }
        return sb.toString();
    }
}
