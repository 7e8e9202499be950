package dev.ferry.drm;

/**
 * Where a buffer's pages live, and what that means for whoever touches them.
 * {@code cachedByCpu}: CPU writes sit in caches until flushed, so a device that does not snoop
 * sees them only after an end-of-CPU-access bracket. {@code contiguous}: physically contiguous,
 * the only kind a device without an IOMMU can use.
 */
public enum MemoryDomain {
    /** Device-local memory. Other devices reach it only over p2p; the CPU reads it very slowly. */
    VRAM("vram", false, false),
    /** Ordinary cached system RAM. */
    SYSTEM("system", true, false),
    /** System RAM mapped uncached / write-combined: every device sees every write at once. */
    SYSTEM_UNCACHED("system-uncached", false, false),
    /** Contiguous memory (the CMA heap): cached, like the dma-heap's CMA buffers. */
    CMA("cma", true, true);

    private final String label;
    private final boolean cachedByCpu;
    private final boolean contiguous;

    MemoryDomain(String label, boolean cachedByCpu, boolean contiguous) {
        this.label = label;
        this.cachedByCpu = cachedByCpu;
        this.contiguous = contiguous;
    }

    /** The name topology files and memfd names use. */
    public String label() { return label; }

    public boolean cachedByCpu() { return cachedByCpu; }

    public boolean contiguous() { return contiguous; }

    /** How the CPU maps it: "cached", "uncached" or "wc" (write-combined vram through the BAR). */
    public String coherency() {
        return this == VRAM ? "wc" : cachedByCpu ? "cached" : "uncached";
    }

    public static MemoryDomain parse(String label) {
        for (MemoryDomain d : values()) if (d.label.equals(label)) return d;
        throw new IllegalArgumentException("unknown memory domain " + label);
    }
}
