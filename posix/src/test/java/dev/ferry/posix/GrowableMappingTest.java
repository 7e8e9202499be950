package dev.ferry.posix;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Growing in place keeps every byte written, the new part reads as zeros, and closing ends it. */
class GrowableMappingTest {
    @Test
    void growingKeepsTheContentsAndAddsZeroedMemory() throws Exception {
        try (GrowableMapping m = GrowableMapping.create(16 * 1024)) {
            MemorySegment s = m.segment();
            for (long i = 0; i < s.byteSize() / 8; i++) s.setAtIndex(JAVA_LONG, i, i * 31 + 7);
            // Through every doubling a never-reading client's queue takes, to 8 MiB.
            for (long size = 32 * 1024; size <= 8 << 20; size *= 2) {
                m.grow(size);
                assertEquals(size, m.segment().byteSize());
            }
            MemorySegment g = m.segment();
            for (long i = 0; i < 16 * 1024 / 8; i++) assertEquals(i * 31 + 7, g.getAtIndex(JAVA_LONG, i), "word " + i);
            assertEquals(0L, g.getAtIndex(JAVA_LONG, (8 << 20) / 8 - 1), "the new memory is zeroed");
            m.grow(1024);
            assertEquals(8 << 20, m.segment().byteSize(), "never shrinks");
        }
    }

    @Test
    void aClosedMappingRefusesUse() throws Exception {
        GrowableMapping m = GrowableMapping.create(4096);
        m.close();
        m.close();
        assertThrows(IllegalStateException.class, m::segment);
        assertThrows(IllegalStateException.class, () -> m.grow(8192));
    }

    @Test
    void aSegmentKeptPastCloseFailsInsteadOfTouchingUnmappedMemory() throws Exception {
        GrowableMapping m = GrowableMapping.create(4096);
        m.grow(1 << 20);
        MemorySegment kept = m.segment();
        kept.set(JAVA_LONG, 0, 42);
        m.close();
        // The unmapping waits for the arena's close on ArenaCloser's thread.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (kept.scope().isAlive() && System.nanoTime() < deadline) java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        assertFalse(kept.scope().isAlive(), "the arena closed within 10 s");
        assertThrows(IllegalStateException.class, () -> kept.get(JAVA_LONG, 0));
    }
}
