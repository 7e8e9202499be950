package dev.ferry.renderer.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/**
 * Which host ranges VK_EXT_external_memory_host may import: widened to the driver's alignment
 * while that stays inside the pages the caller has mapped (lavapipe's 4096 on 4096-byte pages),
 * and only exact ranges when a driver asks for more than a page. lavapipe never produces the
 * second case, so it is checked here on the arithmetic alone.
 */
class HostRangeTest {
    private static final long PAGE = 4096;

    @Test
    void widenedToThePagesHoldingTheFirstAndLastByte() {
        assertEquals(new HostRange(0x10000, 4096), HostRange.widen(0x10000, 4096, 4096, PAGE));
        assertEquals(new HostRange(0x10000, 8192), HostRange.widen(0x10002, 4096, 4096, PAGE), "a pool offset of 2 bytes");
        assertEquals(new HostRange(0x10000, 4096), HostRange.widen(0x10ff0, 8, 4096, PAGE), "inside one page");
        assertEquals(new HostRange(0x10100, 256), HostRange.widen(0x10100, 64, 256, PAGE), "a small alignment widens less");
    }

    @Test
    void alignmentAboveAPageImportsOnlyExactRanges() {
        long big = 65536;
        assertEquals(new HostRange(0x20000, 65536), HostRange.widen(0x20000, 65536, big, PAGE));
        assertNull(HostRange.widen(0x21000, 4096, big, PAGE), "widening would reach pages nobody mapped");
        assertNull(HostRange.widen(0x20000, 4096, big, PAGE), "the end is not on the alignment");
    }

    @Test
    void nonsenseIsRefused() {
        assertNull(HostRange.widen(0, 4096, 4096, PAGE));
        assertNull(HostRange.widen(0x10000, 0, 4096, PAGE));
        assertNull(HostRange.widen(0x10000, 4096, 3000, PAGE), "not a power of two");
    }
}
