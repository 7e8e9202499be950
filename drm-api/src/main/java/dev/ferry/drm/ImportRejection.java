package dev.ferry.drm;

/**
 * Why a device refused to attach a dma-buf. Each has exactly one condition that produces it;
 * they are checked in the order declared, so the first failing rule names the rejection.
 */
public enum ImportRejection {
    DEVICE_GONE("the importing device (or the buffer's exporter) has been unplugged"),
    INJECTED_FAULT("import failed by fault injection"),
    NOT_A_DMABUF("the fd is not a fake-drm dma-buf (unknown memfd name, not sealed, or too small)"),
    PURPOSE_UNSUPPORTED("the device has no role for this purpose (no render role for sampling, no display for scanout)"),
    PROTECTED_MEMORY("protected memory can only be used by the device that allocated it"),
    MEMORY_UNREACHABLE("the buffer's memory is not reachable from this device (another device's vram without p2p, or a domain it cannot DMA from)"),
    NEEDS_CONTIGUOUS("the device has no IOMMU and needs physically contiguous memory"),
    CANNOT_SNOOP("the memory is CPU-cached and the device can neither snoop caches nor have them maintained"),
    CPU_WRITES_UNBRACKETED("a udmabuf: CPU-cached memory a client writes without begin/end CPU access, which a device that does not snoop would read stale"),
    NOT_SCANOUT_MEMORY("the display engine cannot scan out of this memory domain"),
    FORMAT("the device does not support this pixel format for this purpose"),
    MODIFIER("the device does not support this modifier with this format for this purpose"),
    BAD_PLANES("wrong number of planes for the format"),
    STRIDE("a plane's stride is misaligned or too small for its width and layout"),
    SIZE("the buffer is larger than the device can handle"),
    OUT_OF_BOUNDS("a plane's offset + stride * height runs past the end of the buffer");

    private final String reason;

    ImportRejection(String reason) {
        this.reason = reason;
    }

    /** A sentence for logs and fallback reports. */
    public String reason() { return reason; }
}
