package dev.ferry.renderer.vulkan;

/**
 * Why a client buffer or a render target could not be used in place through
 * VK_EXT_external_memory_host and was copied instead (into memory the renderer allocated; for a
 * target, composed there and copied out). Each is counted by {@link VulkanRenderer#counters()}.
 */
public enum CopyReason {
    /** The memory is on the Java heap: it has no stable address to import. */
    NOT_NATIVE_MEMORY,
    /** A plane of 32-bit texels (or a target) that does not start on a 4-byte boundary; the shader reads whole words. */
    MISALIGNED_START,
    /** minImportedHostPointerAlignment is larger than a page and the memory does not start and end on it. */
    HOST_ALIGNMENT,
    /** The driver has no VK_EXT_external_memory_host, or refused this pointer. */
    HOST_IMPORT_REFUSED,
    /** A tiled modifier whose layout is registered for the CPU but not known to the compose shader: de-tiled on the CPU. */
    TILING_NOT_IN_SHADER
}
