package dev.ferry.compositor.stats;

import dev.ferry.kms.FallbackReason;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every reason says what to do, in words of its own; a reallocation names the allocation when one is known. */
class ReasonAdviceTest {
    /** What the default branch says: a reason that reaches it has no advice of its own yet. */
    private static final java.util.Set<String> GENERIC = java.util.Set.of(
            "change the window (size, position, stacking) or its buffer's properties", "nothing in the client: the hardware cannot do it",
            "see the faults", "deliver the buffer earlier");

    /** Fixed in the client's own pool file, by a wl_shm client that has no dma-buf to allocate. */
    private static final java.util.Set<FallbackReason> WL_SHM_POOL = java.util.EnumSet.of(
            FallbackReason.SHM_UNSEALED, FallbackReason.SHM_PAGES_PAST_POOL);

    @Test
    void everyReasonHasAdviceOfItsOwn() {
        for (FallbackReason r : FallbackReason.values()) {
            String advice = ReasonAdvice.whatToDo(r, null);
            assertFalse(advice.isBlank(), r.label());
            assertFalse(GENERIC.contains(advice), r.label() + " falls back to the category's generic advice: give it its own");
            assertEquals(r, ReasonAdvice.byLabel(r.label()));
        }
    }

    /** A wl_shm client has no feedback to name an allocation: the advice says what it can change (pad its stride, or leave wl_shm). */
    @Test
    void withoutFeedbackTheAdviceFitsAWlShmClient() {
        String advice = ReasonAdvice.whatToDo(FallbackReason.PITCH_NOT_ALIGNED, null);
        assertTrue(advice.contains("stride") && advice.contains("256 bytes"), advice);
        String memory = ReasonAdvice.whatToDo(FallbackReason.MEMORY_NOT_SCANNABLE, null);
        assertTrue(memory.contains("wl_shm") && memory.contains("dma-bufs"), memory);
    }

    @Test
    void reallocationReasonsNameTheAllocationTheFeedbackOffers() {
        var a = new ReasonAdvice.Allocation("XRGB8888", "LINEAR", "card1", true);
        for (FallbackReason r : FallbackReason.values()) {
            String advice = ReasonAdvice.whatToDo(r, a);
            if (WL_SHM_POOL.contains(r)) {
                assertTrue(advice.contains("wl_shm pool") || advice.contains("pool file"), r.label() + ": " + advice);
                assertFalse(advice.contains("card1") || advice.contains("dma-buf feedback"),
                        r.label() + " is the client's pool file, not an allocation: " + advice);
            } else if (r.category() == FallbackReason.Category.REALLOCATION) {
                assertEquals("allocate XRGB8888 LINEAR on card1 (its feedback's scanout tranche)", advice, r.label());
            } else if (r != FallbackReason.CPU_UNREADABLE) {
                // (A buffer nothing can read is the hardware's limit, but memory something reaches would do.)
                assertFalse(advice.contains("card1"), r.label() + ": " + advice);
            }
        }
        assertTrue(ReasonAdvice.whatToDo(FallbackReason.RENDERER_IMPORT_FAILED, new ReasonAdvice.Allocation("NV12", "LINEAR", "card0", false))
                .endsWith("(its feedback's first tranche)"));
    }
}
