package dev.ferry.drm;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ADDFB2/RMFB alone: what a framebuffer may describe, and the reference it holds on its buffer. */
@ExtendWith(NoFdLeaks.class)
class FramebufferTableTest {
    private static final int W = 32, H = 32, STRIDE = W * 4;
    private DeviceParts parts;

    @BeforeEach
    void open() {
        parts = new DeviceParts();
    }

    @AfterEach
    void close() {
        parts.close();
    }

    private FramebufferTable table() {
        return new FramebufferTable(DeviceParts.table(Fourcc.XRGB8888, Modifiers.LINEAR), parts.rules(parts.card0));
    }

    private AddFbResult add(FramebufferTable t, ImportedBuffer b, int fourcc, long modifier, int stride) {
        return t.add(b, W, H, fourcc, modifier, new int[] {0}, new int[] {stride});
    }

    @Test
    void formatModifierAndLayoutAreCheckedBesideATwinThatPasses() throws Exception {
        FramebufferTable t = table();
        try (DmaBuf buf = parts.card0.allocate(W, H, Fourcc.XRGB8888, new long[] {Modifiers.LINEAR}, Usage.SCANOUT, MemoryDomain.SYSTEM)) {
            ImportedBuffer b = DeviceParts.imported(buf, Modifiers.LINEAR);
            assertEquals(AddFbRejection.FORMAT, add(t, b, Fourcc.ARGB8888, Modifiers.LINEAR, STRIDE).rejection(),
                    "no plane scans out ARGB8888");
            assertEquals(AddFbRejection.MODIFIER, add(t, b, Fourcc.XRGB8888, Modifiers.FAKE_TILED_4X4, STRIDE).rejection());
            AddFbResult misaligned = add(t, b, Fourcc.XRGB8888, Modifiers.LINEAR, STRIDE + 4);
            assertEquals(LayoutProblem.Kind.STRIDE.addFbRejection(), misaligned.rejection(), misaligned.detail());
            assertEquals(0, t.count(), "refusals make nothing");
            AddFbResult ok = add(t, b, Fourcc.XRGB8888, Modifiers.LINEAR, STRIDE);
            assertTrue(ok.ok(), String.valueOf(ok));
            assertSame(b, t.get(ok.fbId()).buffer);
            assertEquals(1, t.count());
            t.clear();
            b.release();
        }
    }

    @Test
    void aFramebufferKeepsItsBufferUntilRemovedAndItsIdIsReused() throws Exception {
        FramebufferTable t = table();
        try (DmaBuf buf = parts.card0.allocate(W, H, Fourcc.XRGB8888, new long[] {Modifiers.LINEAR}, Usage.SCANOUT, MemoryDomain.SYSTEM)) {
            ImportedBuffer b = DeviceParts.imported(buf, Modifiers.LINEAR);
            int id = add(t, b, Fourcc.XRGB8888, Modifiers.LINEAR, STRIDE).fbId();
            assertFalse(b.release(), "the handle's reference goes; the framebuffer's keeps the buffer");
            assertTrue(t.remove(id));
            assertNull(t.get(id));
            assertFalse(t.remove(id), "an unknown id");
            ImportedBuffer again = DeviceParts.imported(buf, Modifiers.LINEAR);
            assertEquals(id, add(t, again, Fourcc.XRGB8888, Modifiers.LINEAR, STRIDE).fbId(), "the freed slot");
            t.clear();
            assertEquals(0, t.count());
            assertTrue(again.release(), "clear dropped the framebuffer's reference");
        }
    }
}
