package dev.ferry.renderer.vulkan;

/**
 * The range of host memory to import for a plane or target that starts at {@code address} and
 * spans {@code length} bytes, widened to VK_EXT_external_memory_host's alignment.
 *
 * <p>Widening is safe only up to the page size: a mapping always covers whole pages, so the
 * page holding the first byte and the page holding the last byte are mapped too. A driver
 * whose minImportedHostPointerAlignment is larger than a page would need memory the caller
 * may not have mapped, so there a range that is not already aligned cannot be imported.
 */
record HostRange(long start, long size) {
    /** Null when the range cannot be imported in place. */
    static HostRange widen(long address, long length, long alignment, long pageSize) {
        if (address == 0 || length <= 0 || Long.bitCount(alignment) != 1) return null;
        long start = address & -alignment;
        long end = (address + length + alignment - 1) & -alignment;
        if (alignment > pageSize && (start != address || end != address + length)) return null;
        return new HostRange(start, end - start);
    }
}
