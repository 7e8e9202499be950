package dev.ferry.drm;

import dev.ferry.drm.topology.Topologies;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The allocator alone: modifier choice, domain, pitch alignment, and its refusals by name. */
class DeviceAllocatorTest {
    private final FakeKernel kernel = FakeKernel.open(Topologies.load("hybrid-laptop"), new VirtualClock(), FaultPlan.none());

    @AfterEach
    void close() {
        kernel.close();
    }

    @Test
    void picksTheCallersFirstModifierTheDeviceOffersAndAlignsThePitch() throws Exception {
        BufferAllocator gbm = kernel.device("card1").allocator();
        try (DmaBuf b = gbm.allocate(100, 10, Fourcc.XRGB8888, new long[] {Modifiers.LINEAR}, Usage.RENDERING)) {
            assertEquals(Modifiers.LINEAR, b.modifier());
            assertEquals(0, b.stride(0) % 256, "card1 aligns pitches to 256");
            assertEquals(MemoryDomain.VRAM, b.identity().domain());
        }
    }

    @Test
    void implicitOnlyGetsTheDriversLayoutReportedAsInvalid() throws Exception {
        try (DmaBuf b = kernel.device("card0").allocator().allocate(64, 64, Fourcc.XRGB8888, null, Usage.RENDERING)) {
            assertEquals(Modifiers.INVALID, b.modifier());
            assertEquals(Modifiers.FAKE_TILED_4X4, b.identity().layout());
        }
    }

    @Test
    void refusalsAreNamed() {
        BufferAllocator gbm = kernel.device("card0").allocator();
        assertEquals(AllocationFailure.MODIFIER, assertThrows(AllocationException.class,
                () -> gbm.allocate(64, 64, Fourcc.XRGB8888, new long[] {0x0f00000000000099L}, Usage.RENDERING)).failure());
        assertEquals(AllocationFailure.SIZE, assertThrows(AllocationException.class,
                () -> gbm.allocate(0, 64, Fourcc.XRGB8888, new long[] {Modifiers.LINEAR}, Usage.RENDERING)).failure());
    }
}
