package dev.ferry.drm;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Process-wide account of slow CPU reads: a CPU read of vram crosses the PCIe BAR uncached,
 * at a small fraction of RAM speed. Nothing sleeps; the simulated time is what the reads
 * would have cost, for reports and for tests that check a path avoided them.
 */
public final class CpuAccessLedger {
    private CpuAccessLedger() {}

    /** Uncached reads through the BAR: about 100 MB/s. */
    public static final long VRAM_READ_BYTES_PER_SECOND = 100_000_000L;

    private static final AtomicLong VRAM_READ_BYTES = new AtomicLong();
    private static final AtomicLong VRAM_READ_NS = new AtomicLong();

    static void chargeVramRead(long bytes) {
        VRAM_READ_BYTES.addAndGet(bytes);
        VRAM_READ_NS.addAndGet(bytes * 1_000_000_000L / VRAM_READ_BYTES_PER_SECOND);
    }

    public static long vramReadBytes() { return VRAM_READ_BYTES.get(); }

    /** Simulated time the vram reads would have taken. */
    public static long vramReadNs() { return VRAM_READ_NS.get(); }

    public static void reset() {
        VRAM_READ_BYTES.set(0);
        VRAM_READ_NS.set(0);
    }
}
