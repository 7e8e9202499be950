package dev.ferry.renderer.vulkan;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.EXTDebugUtils.*;
import static org.lwjgl.vulkan.EXTExternalMemoryHost.*;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK11.*;
import static org.lwjgl.vulkan.VK12.*;

import dev.ferry.renderer.RendererUnavailableException;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.vulkan.*;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vulkan objects the renderer owns, all created and destroyed on its render thread: the
 * instance (with the Khronos validation layer and a debug messenger when asked), the first
 * physical device with a compute queue and buffer device addresses, the logical device and
 * queue, one command buffer and fence (frames are drawn one at a time), and the compose
 * pipeline. Also the two ways a buffer comes to be: host memory imported in place, or memory
 * allocated here.
 */
final class VulkanDevice implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VulkanDevice.class);
    static final String VALIDATION_LAYER = "VK_LAYER_KHRONOS_validation";

    final VkInstance instance;
    final VkPhysicalDevice physical;
    final VkDevice device;
    final VkQueue queue;
    final String deviceName;
    final String driverInfo;
    final int apiVersion;
    final boolean hostImport;
    /** A CPU implementation (lavapipe): its "device memory" is system RAM and its copies are memcpy on its own thread. */
    final boolean software;
    final long hostPointerAlignment;
    final boolean float64;
    final boolean dmaBufExtensions;
    /** Which of the three real dma-buf import extensions the device has, as named in the description line. */
    final List<String> dmaBufExtensionsPresent = new ArrayList<>(), dmaBufExtensionsMissing = new ArrayList<>();
    final long commandPool;
    final VkCommandBuffer commands;
    final long fence;
    final long pipelineLayout;
    /** The compose shader's three texel buffers (plane 0, plane 1, target), pushed per dispatch (VK_KHR_push_descriptor). */
    final long setLayout;
    final long maxTexelBufferElements;
    /** The tile-binned pipeline (BinnedShader) and its layout: the bins and the target, pushed per dispatch. */
    final long binnedSetLayout, binnedPipelineLayout, binnedPipeline;
    private final long shaderModule, binnedModule;
    /** Compose pipelines by variant (ComposeShader.variant), made on first use. */
    private final java.util.Map<Integer, Long> pipelines = new java.util.HashMap<>();
    private final long messenger;
    private final VkDebugUtilsMessengerCallbackEXT callback;
    private final AtomicInteger validationErrors;
    private final List<String> firstErrors;
    private final VkPhysicalDeviceMemoryProperties memoryProperties;

    /**
     * @param validation enable VK_LAYER_KHRONOS_validation; every error message it reports is
     *                   counted in {@code errors} and the first few kept in {@code firstErrors}
     */
    VulkanDevice(boolean validation, AtomicInteger errors, List<String> firstErrors) throws RendererUnavailableException {
        this.validationErrors = errors;
        this.firstErrors = firstErrors;
        // What has been created so far, undone in reverse if a later step fails (a device that
        // cannot start must not leak an instance or a logical device into the process).
        java.util.ArrayDeque<Runnable> undo = new java.util.ArrayDeque<>();
        try (MemoryStack stack = stackPush()) {
            // ---- instance
            Set<String> layers = availableLayers(stack);
            if (validation && !layers.contains(VALIDATION_LAYER)) {
                throw new RendererUnavailableException("validation asked for but " + VALIDATION_LAYER + " is not installed (Debian: vulkan-validationlayers)");
            }
            VkApplicationInfo app = VkApplicationInfo.calloc(stack).sType$Default()
                    .pApplicationName(stack.UTF8("ferry")).pEngineName(stack.UTF8("ferry"))
                    .apiVersion(VK_API_VERSION_1_2);
            PointerBuffer instanceLayers = null;
            PointerBuffer instanceExtensions = null;
            if (validation) {
                instanceLayers = stack.pointers(stack.UTF8(VALIDATION_LAYER));
                instanceExtensions = stack.pointers(stack.UTF8(VK_EXT_DEBUG_UTILS_EXTENSION_NAME));
            }
            VkInstanceCreateInfo ici = VkInstanceCreateInfo.calloc(stack).sType$Default()
                    .pApplicationInfo(app).ppEnabledLayerNames(instanceLayers).ppEnabledExtensionNames(instanceExtensions);
            PointerBuffer pp = stack.mallocPointer(1);
            check(vkCreateInstance(ici, null, pp), "vkCreateInstance");
            instance = new VkInstance(pp.get(0), ici);
            undo.push(() -> vkDestroyInstance(instance, null));
            if (validation) {
                callback = VkDebugUtilsMessengerCallbackEXT.create((severity, types, data, user) -> {
                    VkDebugUtilsMessengerCallbackDataEXT d = VkDebugUtilsMessengerCallbackDataEXT.create(data);
                    String message = d.pMessageString();
                    if ((severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) != 0) {
                        if (validationErrors.incrementAndGet() <= 8) {
                            synchronized (this.firstErrors) {
                                this.firstErrors.add(message);
                            }
                        }
                        LOG.error("vulkan validation: {}", message);
                    } else {
                        LOG.warn("vulkan validation: {}", message);
                    }
                    return VK_FALSE;
                });
                VkDebugUtilsMessengerCreateInfoEXT mci = VkDebugUtilsMessengerCreateInfoEXT.calloc(stack).sType$Default()
                        .messageSeverity(VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT)
                        .messageType(VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT
                                | VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT)
                        .pfnUserCallback(callback);
                LongBuffer pm = stack.mallocLong(1);
                undo.push(callback::free);
                check(vkCreateDebugUtilsMessengerEXT(instance, mci, null, pm), "vkCreateDebugUtilsMessengerEXT");
                messenger = pm.get(0);
                undo.push(() -> vkDestroyDebugUtilsMessengerEXT(instance, messenger, null));
            } else {
                callback = null;
                messenger = VK_NULL_HANDLE;
            }

            // ---- physical device: the first one with Vulkan 1.2, a compute queue, 64-bit ints and buffer device addresses
            IntBuffer count = stack.mallocInt(1);
            check(vkEnumeratePhysicalDevices(instance, count, null), "vkEnumeratePhysicalDevices");
            if (count.get(0) == 0) throw new RendererUnavailableException("no Vulkan physical device (Debian: mesa-vulkan-drivers for lavapipe)");
            PointerBuffer devices = stack.mallocPointer(count.get(0));
            check(vkEnumeratePhysicalDevices(instance, count, devices), "vkEnumeratePhysicalDevices");
            VkPhysicalDevice chosen = null;
            int queueFamily = -1;
            StringBuilder refused = new StringBuilder();
            for (int i = 0; i < devices.capacity() && chosen == null; i++) {
                VkPhysicalDevice pd = new VkPhysicalDevice(devices.get(i), instance);
                VkPhysicalDeviceProperties props = VkPhysicalDeviceProperties.calloc(stack);
                vkGetPhysicalDeviceProperties(pd, props);
                String why = unusable(pd, props, stack);
                int family = computeFamily(pd, stack);
                if (why == null && family < 0) why = "no compute queue";
                if (why != null) {
                    refused.append(props.deviceNameString()).append(": ").append(why).append("; ");
                    continue;
                }
                chosen = pd;
                queueFamily = family;
            }
            if (chosen == null) throw new RendererUnavailableException("no usable Vulkan device: " + refused);
            physical = chosen;
            VkPhysicalDeviceProperties props = VkPhysicalDeviceProperties.calloc(stack);
            vkGetPhysicalDeviceProperties(physical, props);
            deviceName = props.deviceNameString();
            software = props.deviceType() == VK_PHYSICAL_DEVICE_TYPE_CPU;
            apiVersion = props.apiVersion();
            Set<String> extensions = deviceExtensions(physical, stack);
            hostImport = extensions.contains(VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
            if (!extensions.contains(KHRPushDescriptor.VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME)) {
                throw new RendererUnavailableException(deviceName + " has no VK_KHR_push_descriptor");
            }
            for (String e : List.of("VK_KHR_external_memory_fd", "VK_EXT_external_memory_dma_buf", "VK_EXT_image_drm_format_modifier")) {
                (extensions.contains(e) ? dmaBufExtensionsPresent : dmaBufExtensionsMissing).add(e);
            }
            dmaBufExtensions = extensions.contains("VK_EXT_external_memory_dma_buf") && extensions.contains("VK_EXT_image_drm_format_modifier");
            if (hostImport) {
                VkPhysicalDeviceExternalMemoryHostPropertiesEXT hostProps = VkPhysicalDeviceExternalMemoryHostPropertiesEXT.calloc(stack).sType$Default();
                VkPhysicalDeviceProperties2 p2 = VkPhysicalDeviceProperties2.calloc(stack).sType$Default().pNext(hostProps.address());
                vkGetPhysicalDeviceProperties2(physical, p2);
                hostPointerAlignment = hostProps.minImportedHostPointerAlignment();
            } else {
                hostPointerAlignment = 0;
            }
            VkPhysicalDeviceFeatures supported = VkPhysicalDeviceFeatures.calloc(stack);
            vkGetPhysicalDeviceFeatures(physical, supported);
            float64 = supported.shaderFloat64();
            maxTexelBufferElements = Integer.toUnsignedLong(props.limits().maxTexelBufferElements());
            VkPhysicalDeviceDriverProperties driver = VkPhysicalDeviceDriverProperties.calloc(stack).sType$Default();
            vkGetPhysicalDeviceProperties2(physical, VkPhysicalDeviceProperties2.calloc(stack).sType$Default().pNext(driver.address()));
            driverInfo = driver.driverNameString() + " " + driver.driverInfoString();

            // ---- logical device and queue
            VkDeviceQueueCreateInfo.Buffer qci = VkDeviceQueueCreateInfo.calloc(1, stack).sType$Default()
                    .queueFamilyIndex(queueFamily).pQueuePriorities(stack.floats(1f));
            VkPhysicalDeviceVulkan12Features v12 = VkPhysicalDeviceVulkan12Features.calloc(stack).sType$Default().bufferDeviceAddress(true);
            VkPhysicalDeviceFeatures features = VkPhysicalDeviceFeatures.calloc(stack).shaderInt64(true).shaderFloat64(float64);
            PointerBuffer deviceExtensions = hostImport
                    ? stack.pointers(stack.UTF8(VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME), stack.UTF8(KHRPushDescriptor.VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME))
                    : stack.pointers(stack.UTF8(KHRPushDescriptor.VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME));
            VkDeviceCreateInfo dci = VkDeviceCreateInfo.calloc(stack).sType$Default().pNext(v12.address())
                    .pQueueCreateInfos(qci).pEnabledFeatures(features).ppEnabledExtensionNames(deviceExtensions);
            check(vkCreateDevice(physical, dci, null, pp), "vkCreateDevice");
            device = new VkDevice(pp.get(0), physical, dci, VK_API_VERSION_1_2);
            undo.push(() -> vkDestroyDevice(device, null));
            vkGetDeviceQueue(device, queueFamily, 0, pp);
            queue = new VkQueue(pp.get(0), device);
            memoryProperties = VkPhysicalDeviceMemoryProperties.malloc();
            undo.push(memoryProperties::free);
            vkGetPhysicalDeviceMemoryProperties(physical, memoryProperties);

            // ---- one command buffer and one fence: frames are drawn one at a time
            LongBuffer pl = stack.mallocLong(1);
            check(vkCreateCommandPool(device, VkCommandPoolCreateInfo.calloc(stack).sType$Default()
                    .flags(VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT).queueFamilyIndex(queueFamily), null, pl), "vkCreateCommandPool");
            commandPool = pl.get(0);
            undo.push(() -> vkDestroyCommandPool(device, commandPool, null));
            check(vkAllocateCommandBuffers(device, VkCommandBufferAllocateInfo.calloc(stack).sType$Default()
                    .commandPool(commandPool).level(VK_COMMAND_BUFFER_LEVEL_PRIMARY).commandBufferCount(1), pp), "vkAllocateCommandBuffers");
            commands = new VkCommandBuffer(pp.get(0), device);
            check(vkCreateFence(device, VkFenceCreateInfo.calloc(stack).sType$Default(), null, pl), "vkCreateFence");
            fence = pl.get(0);
            undo.push(() -> vkDestroyFence(device, fence, null));

            // ---- the compose pipeline: three texel buffers pushed per dispatch, everything else in push constants
            VkPushConstantRange.Buffer range = VkPushConstantRange.calloc(1, stack)
                    .stageFlags(VK_SHADER_STAGE_COMPUTE_BIT).offset(0).size(ComposeShader.PUSH_BYTES);
            VkDescriptorSetLayoutBinding.Buffer bindings = VkDescriptorSetLayoutBinding.calloc(3, stack);
            for (int b = 0; b < 3; b++) {
                bindings.get(b).binding(b).descriptorCount(1).stageFlags(VK_SHADER_STAGE_COMPUTE_BIT)
                        .descriptorType(b == 2 ? VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER : VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER);
            }
            check(vkCreateDescriptorSetLayout(device, VkDescriptorSetLayoutCreateInfo.calloc(stack).sType$Default()
                    .flags(KHRPushDescriptor.VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR).pBindings(bindings), null, pl),
                    "vkCreateDescriptorSetLayout");
            setLayout = pl.get(0);
            undo.push(() -> vkDestroyDescriptorSetLayout(device, setLayout, null));
            check(vkCreatePipelineLayout(device, VkPipelineLayoutCreateInfo.calloc(stack).sType$Default()
                    .pSetLayouts(stack.longs(setLayout)).pPushConstantRanges(range), null, pl),
                    "vkCreatePipelineLayout");
            pipelineLayout = pl.get(0);
            undo.push(() -> vkDestroyPipelineLayout(device, pipelineLayout, null));
            shaderModule = shaderModule(ComposeShader.compile(float64), stack);
            undo.push(() -> vkDestroyShaderModule(device, shaderModule, null));

            // ---- the tile-binned pipeline: one, no variants (it draws only 1:1 packed surfaces)
            VkDescriptorSetLayoutBinding.Buffer binned = VkDescriptorSetLayoutBinding.calloc(2, stack);
            binned.get(0).binding(0).descriptorCount(1).stageFlags(VK_SHADER_STAGE_COMPUTE_BIT).descriptorType(VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER);
            binned.get(1).binding(1).descriptorCount(1).stageFlags(VK_SHADER_STAGE_COMPUTE_BIT).descriptorType(VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER);
            check(vkCreateDescriptorSetLayout(device, VkDescriptorSetLayoutCreateInfo.calloc(stack).sType$Default()
                    .flags(KHRPushDescriptor.VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR).pBindings(binned), null, pl),
                    "vkCreateDescriptorSetLayout");
            binnedSetLayout = pl.get(0);
            undo.push(() -> vkDestroyDescriptorSetLayout(device, binnedSetLayout, null));
            VkPushConstantRange.Buffer binnedRange = VkPushConstantRange.calloc(1, stack)
                    .stageFlags(VK_SHADER_STAGE_COMPUTE_BIT).offset(0).size(BinnedShader.PUSH_BYTES);
            check(vkCreatePipelineLayout(device, VkPipelineLayoutCreateInfo.calloc(stack).sType$Default()
                    .pSetLayouts(stack.longs(binnedSetLayout)).pPushConstantRanges(binnedRange), null, pl), "vkCreatePipelineLayout");
            binnedPipelineLayout = pl.get(0);
            undo.push(() -> vkDestroyPipelineLayout(device, binnedPipelineLayout, null));
            binnedModule = shaderModule(BinnedShader.compile(), stack);
            undo.push(() -> vkDestroyShaderModule(device, binnedModule, null));
            VkComputePipelineCreateInfo.Buffer bci = VkComputePipelineCreateInfo.calloc(1, stack).sType$Default()
                    .stage(VkPipelineShaderStageCreateInfo.calloc(stack).sType$Default()
                            .stage(VK_SHADER_STAGE_COMPUTE_BIT).module(binnedModule).pName(stack.UTF8("main")))
                    .layout(binnedPipelineLayout);
            check(vkCreateComputePipelines(device, VK_NULL_HANDLE, bci, null, pl), "vkCreateComputePipelines (binned)");
            binnedPipeline = pl.get(0);
            undo.clear();
        } catch (RendererUnavailableException | RuntimeException | Error e) {
            while (!undo.isEmpty()) undo.pop().run();
            throw e;
        }
    }

    private long shaderModule(ByteBuffer spirv, MemoryStack stack) throws RendererUnavailableException {
        try {
            LongBuffer pl = stack.mallocLong(1);
            check(vkCreateShaderModule(device, VkShaderModuleCreateInfo.calloc(stack).sType$Default().pCode(spirv), null, pl), "vkCreateShaderModule");
            return pl.get(0);
        } finally {
            MemoryUtil.memFree(spirv);
        }
    }

    /** What {@link #probe} found: the device the renderer would use, and whether it is a CPU (software) implementation. */
    record Probe(String deviceName, boolean software) {}

    /**
     * Finds the device the renderer would pick without starting it (an instance, no logical
     * device, no shader compile): what {@code --renderer auto} needs to decide. Null when there
     * is no usable device or no Vulkan loader.
     */
    static Probe probe() {
        try (MemoryStack stack = stackPush()) {
            VkInstanceCreateInfo ici = VkInstanceCreateInfo.calloc(stack).sType$Default()
                    .pApplicationInfo(VkApplicationInfo.calloc(stack).sType$Default().apiVersion(VK_API_VERSION_1_2));
            PointerBuffer pp = stack.mallocPointer(1);
            if (vkCreateInstance(ici, null, pp) != VK_SUCCESS) return null;
            VkInstance instance = new VkInstance(pp.get(0), ici);
            try {
                IntBuffer count = stack.mallocInt(1);
                vkEnumeratePhysicalDevices(instance, count, null);
                PointerBuffer devices = stack.mallocPointer(count.get(0));
                vkEnumeratePhysicalDevices(instance, count, devices);
                for (int i = 0; i < devices.capacity(); i++) {
                    VkPhysicalDevice pd = new VkPhysicalDevice(devices.get(i), instance);
                    VkPhysicalDeviceProperties props = VkPhysicalDeviceProperties.calloc(stack);
                    vkGetPhysicalDeviceProperties(pd, props);
                    if (unusable(pd, props, stack) == null && computeFamily(pd, stack) >= 0) {
                        return new Probe(props.deviceNameString(), props.deviceType() == VK_PHYSICAL_DEVICE_TYPE_CPU);
                    }
                }
                return null;
            } finally {
                vkDestroyInstance(instance, null);
            }
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** The compose pipeline for a variant; VK_NULL_HANDLE when the driver cannot make it. */
    long pipeline(int variant) {
        Long known = pipelines.get(variant);
        if (known != null) return known;
        try (MemoryStack stack = stackPush()) {
            int[] values = ComposeShader.specialization(variant);
            VkSpecializationMapEntry.Buffer entries = VkSpecializationMapEntry.calloc(values.length, stack);
            for (int i = 0; i < values.length; i++) entries.get(i).constantID(i).offset(4 * i).size(4);
            VkSpecializationInfo spec = VkSpecializationInfo.calloc(stack).pMapEntries(entries).pData(stack.bytes(new byte[4 * values.length]));
            for (int i = 0; i < values.length; i++) spec.pData().putInt(4 * i, values[i]);
            VkComputePipelineCreateInfo.Buffer pci = VkComputePipelineCreateInfo.calloc(1, stack).sType$Default()
                    .stage(VkPipelineShaderStageCreateInfo.calloc(stack).sType$Default()
                            .stage(VK_SHADER_STAGE_COMPUTE_BIT).module(shaderModule).pName(stack.UTF8("main")).pSpecializationInfo(spec))
                    .layout(pipelineLayout);
            LongBuffer pl = stack.mallocLong(1);
            long pipeline = vkCreateComputePipelines(device, VK_NULL_HANDLE, pci, null, pl) == VK_SUCCESS ? pl.get(0) : VK_NULL_HANDLE;
            if (pipeline != VK_NULL_HANDLE) pipelines.put(variant, pipeline);
            return pipeline;
        }
    }

    private static String unusable(VkPhysicalDevice pd, VkPhysicalDeviceProperties props, MemoryStack stack) {
        if (VK_API_VERSION_MAJOR(props.apiVersion()) == 1 && VK_API_VERSION_MINOR(props.apiVersion()) < 2) {
            return "Vulkan " + VK_API_VERSION_MAJOR(props.apiVersion()) + "." + VK_API_VERSION_MINOR(props.apiVersion()) + ", needs 1.2";
        }
        VkPhysicalDeviceVulkan12Features v12 = VkPhysicalDeviceVulkan12Features.calloc(stack).sType$Default();
        VkPhysicalDeviceFeatures2 f2 = VkPhysicalDeviceFeatures2.calloc(stack).sType$Default().pNext(v12.address());
        vkGetPhysicalDeviceFeatures2(pd, f2);
        if (!v12.bufferDeviceAddress()) return "no bufferDeviceAddress";
        if (!f2.features().shaderInt64()) return "no shaderInt64";
        if (!deviceExtensions(pd, stack).contains(KHRPushDescriptor.VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME)) return "no VK_KHR_push_descriptor";
        return null;
    }

    private static int computeFamily(VkPhysicalDevice pd, MemoryStack stack) {
        IntBuffer n = stack.mallocInt(1);
        vkGetPhysicalDeviceQueueFamilyProperties(pd, n, null);
        VkQueueFamilyProperties.Buffer families = VkQueueFamilyProperties.calloc(n.get(0), stack);
        vkGetPhysicalDeviceQueueFamilyProperties(pd, n, families);
        for (int i = 0; i < families.capacity(); i++) {
            if ((families.get(i).queueFlags() & VK_QUEUE_COMPUTE_BIT) != 0) return i;
        }
        return -1;
    }

    private static Set<String> availableLayers(MemoryStack stack) {
        IntBuffer n = stack.mallocInt(1);
        vkEnumerateInstanceLayerProperties(n, null);
        Set<String> names = new HashSet<>();
        if (n.get(0) == 0) return names;
        VkLayerProperties.Buffer layers = VkLayerProperties.malloc(n.get(0), stack);
        vkEnumerateInstanceLayerProperties(n, layers);
        for (int i = 0; i < layers.capacity(); i++) names.add(layers.get(i).layerNameString());
        return names;
    }

    static Set<String> deviceExtensions(VkPhysicalDevice pd, MemoryStack stack) {
        IntBuffer n = stack.mallocInt(1);
        vkEnumerateDeviceExtensionProperties(pd, (ByteBuffer) null, n, null);
        VkExtensionProperties.Buffer ext = VkExtensionProperties.malloc(n.get(0), stack);
        vkEnumerateDeviceExtensionProperties(pd, (ByteBuffer) null, n, ext);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ext.capacity(); i++) names.add(ext.get(i).extensionNameString());
        return names;
    }

    /**
     * Imports host memory in place as a storage buffer. Null when the driver refuses this
     * pointer (vkGetMemoryHostPointerPropertiesEXT or the allocation fails): the caller copies.
     */
    GpuBuffer importHost(HostRange range) {
        if (!hostImport) return null;
        try (MemoryStack stack = stackPush()) {
            VkMemoryHostPointerPropertiesEXT props = VkMemoryHostPointerPropertiesEXT.calloc(stack).sType$Default();
            int r = vkGetMemoryHostPointerPropertiesEXT(device, VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT, range.start(), props);
            if (r != VK_SUCCESS || props.memoryTypeBits() == 0) return null;
            VkExternalMemoryBufferCreateInfo external = VkExternalMemoryBufferCreateInfo.calloc(stack).sType$Default()
                    .handleTypes(VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT);
            long buffer = createBuffer(range.size(), external.address(), stack);
            if (buffer == VK_NULL_HANDLE) return null;
            VkMemoryRequirements req = VkMemoryRequirements.calloc(stack);
            vkGetBufferMemoryRequirements(device, buffer, req);
            int type = memoryType(req.memoryTypeBits() & props.memoryTypeBits(), 0);
            if (type < 0 || req.size() > range.size()) {
                vkDestroyBuffer(device, buffer, null);
                return null;
            }
            VkImportMemoryHostPointerInfoEXT importInfo = VkImportMemoryHostPointerInfoEXT.calloc(stack).sType$Default()
                    .handleType(VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT).pHostPointer(range.start());
            VkMemoryAllocateFlagsInfo flags = VkMemoryAllocateFlagsInfo.calloc(stack).sType$Default()
                    .flags(VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT).pNext(importInfo.address());
            long memory = allocate(range.size(), type, flags.address(), stack);
            if (memory == VK_NULL_HANDLE) {
                vkDestroyBuffer(device, buffer, null);
                return null;
            }
            return bind(buffer, memory, range.start(), range.size(), true, stack);
        }
    }

    /** Allocates host-visible, coherent memory of at least {@code size} bytes, mapped; null when the driver is out of memory. */
    GpuBuffer allocateMapped(long size) {
        try (MemoryStack stack = stackPush()) {
            long buffer = createBuffer(size, 0, stack);
            if (buffer == VK_NULL_HANDLE) return null;
            VkMemoryRequirements req = VkMemoryRequirements.calloc(stack);
            vkGetBufferMemoryRequirements(device, buffer, req);
            int type = memoryType(req.memoryTypeBits(), VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
            VkMemoryAllocateFlagsInfo flags = VkMemoryAllocateFlagsInfo.calloc(stack).sType$Default().flags(VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT);
            long memory = type < 0 ? VK_NULL_HANDLE : allocate(req.size(), type, flags.address(), stack);
            if (memory == VK_NULL_HANDLE) {
                vkDestroyBuffer(device, buffer, null);
                return null;
            }
            PointerBuffer pp = stack.mallocPointer(1);
            if (vkMapMemory(device, memory, 0, VK_WHOLE_SIZE, 0, pp) != VK_SUCCESS) {
                vkDestroyBuffer(device, buffer, null);
                vkFreeMemory(device, memory, null);
                return null;
            }
            return bind(buffer, memory, pp.get(0), size, false, stack);
        }
    }

    private long createBuffer(long size, long pNext, MemoryStack stack) {
        VkBufferCreateInfo bci = VkBufferCreateInfo.calloc(stack).sType$Default().pNext(pNext).size(size)
                .usage(VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT
                        | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT | VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT
                        | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT)
                .sharingMode(VK_SHARING_MODE_EXCLUSIVE);
        LongBuffer pb = stack.mallocLong(1);
        return vkCreateBuffer(device, bci, null, pb) == VK_SUCCESS ? pb.get(0) : VK_NULL_HANDLE;
    }

    private long allocate(long size, int type, long pNext, MemoryStack stack) {
        VkMemoryAllocateInfo mai = VkMemoryAllocateInfo.calloc(stack).sType$Default().pNext(pNext).allocationSize(size).memoryTypeIndex(type);
        LongBuffer pm = stack.mallocLong(1);
        return vkAllocateMemory(device, mai, null, pm) == VK_SUCCESS ? pm.get(0) : VK_NULL_HANDLE;
    }

    private GpuBuffer bind(long buffer, long memory, long base, long size, boolean imported, MemoryStack stack) {
        if (vkBindBufferMemory(device, buffer, memory, 0) != VK_SUCCESS) {
            vkDestroyBuffer(device, buffer, null);
            if (!imported) vkUnmapMemory(device, memory);
            vkFreeMemory(device, memory, null);
            return null;
        }
        long address = vkGetBufferDeviceAddress(device, VkBufferDeviceAddressInfo.calloc(stack).sType$Default().buffer(buffer));
        LongBuffer pv = stack.mallocLong(1);
        int r = size / 4 > maxTexelBufferElements ? VK_ERROR_FORMAT_NOT_SUPPORTED
                : vkCreateBufferView(device, VkBufferViewCreateInfo.calloc(stack).sType$Default().buffer(buffer)
                        .format(VK_FORMAT_R32_UINT).offset(0).range(VK_WHOLE_SIZE), null, pv);
        if (r != VK_SUCCESS) {
            vkDestroyBuffer(device, buffer, null);
            if (!imported) vkUnmapMemory(device, memory);
            vkFreeMemory(device, memory, null);
            return null;
        }
        return new GpuBuffer(buffer, memory, address, base, size, imported, pv.get(0));
    }

    private int memoryType(int bits, int required) {
        for (int i = 0; i < memoryProperties.memoryTypeCount(); i++) {
            if ((bits & (1 << i)) != 0 && (memoryProperties.memoryTypes(i).propertyFlags() & required) == required) return i;
        }
        return -1;
    }

    static void check(int result, String what) throws RendererUnavailableException {
        if (result != VK_SUCCESS) throw new RendererUnavailableException(what + " failed: VkResult " + result);
    }

    int validationErrors() {
        return validationErrors.get();
    }

    @Override
    public void close() {
        vkDeviceWaitIdle(device);
        for (long p : pipelines.values()) vkDestroyPipeline(device, p, null);
        vkDestroyShaderModule(device, shaderModule, null);
        vkDestroyPipeline(device, binnedPipeline, null);
        vkDestroyShaderModule(device, binnedModule, null);
        vkDestroyPipelineLayout(device, binnedPipelineLayout, null);
        vkDestroyDescriptorSetLayout(device, binnedSetLayout, null);
        vkDestroyPipelineLayout(device, pipelineLayout, null);
        vkDestroyDescriptorSetLayout(device, setLayout, null);
        vkDestroyFence(device, fence, null);
        vkDestroyCommandPool(device, commandPool, null);
        vkDestroyDevice(device, null);
        memoryProperties.free();
        if (messenger != VK_NULL_HANDLE) vkDestroyDebugUtilsMessengerEXT(instance, messenger, null);
        vkDestroyInstance(instance, null);
        if (callback != null) callback.free();
    }

    /** Names of the devices' extensions, for the description line. */
    List<String> describeExtensions() {
        List<String> out = new ArrayList<>();
        out.add(hostImport ? "VK_EXT_external_memory_host (alignment " + hostPointerAlignment + ")" : "no VK_EXT_external_memory_host");
        if (!dmaBufExtensionsPresent.isEmpty()) out.add("has " + String.join(", ", dmaBufExtensionsPresent));
        if (!dmaBufExtensionsMissing.isEmpty()) out.add("no " + String.join(", ", dmaBufExtensionsMissing));
        return out;
    }
}
