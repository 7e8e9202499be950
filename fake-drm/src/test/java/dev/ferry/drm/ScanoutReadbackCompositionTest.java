package dev.ferry.drm;

import dev.ferry.drm.topology.ModeSpec;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The read-back alone (ScanoutReadbackTest drives it through a FakeDevice): a KMS state set by
 * hand, composed in the zpos order it is given; a red full-screen plane under a blue square.
 */
@ExtendWith(NoFdLeaks.class)
class ScanoutReadbackCompositionTest {
    private static final int W = 64, H = 48, RED = 0xffff0000, BLUE = 0xff0000ff;
    private DeviceParts parts;
    private FramebufferTable framebuffers;
    private KmsState current;
    private DmaBuf bottom, top;

    private DmaBuf filled(int w, int h, int fourcc, int argb) throws Exception {
        DmaBuf b = parts.card0.allocate(w, h, fourcc, new long[] {Modifiers.LINEAR}, Usage.SCANOUT | Usage.CPU, MemoryDomain.SYSTEM);
        try (CpuMapping m = b.map()) {
            m.beginCpuAccess(CpuMapping.WRITE);
            m.fillRect(0, 0, w, h, argb);
            m.endCpuAccess(CpuMapping.WRITE);
        }
        return b;
    }

    private void show(int plane, DmaBuf b, int x, int y) throws Exception {
        ImportedBuffer ib = DeviceParts.imported(b, Modifiers.LINEAR);
        int fb = framebuffers.add(ib, b.width(), b.height(), b.fourcc(), Modifiers.LINEAR, b.offsetsArray(), b.stridesArray()).fbId();
        ib.release();
        current.planeCrtc[plane] = 0;
        current.planeFb[plane] = fb;
        current.srcW[plane] = current.dstW[plane] = b.width();
        current.srcH[plane] = current.dstH[plane] = b.height();
        current.dstX[plane] = x;
        current.dstY[plane] = y;
    }

    @BeforeEach
    void scene() throws Exception {
        parts = new DeviceParts();
        framebuffers = new FramebufferTable(parts.card0.scanoutFormats(), parts.rules(parts.card0));
        current = new KmsState(2, 2, 0);
        bottom = filled(W, H, Fourcc.XRGB8888, RED);
        top = filled(16, 16, Fourcc.ARGB8888, BLUE);
        current.crtcActive[0] = true;
        current.crtcMode[0] = new ModeSpec(W, H, 60000);
        show(0, bottom, 0, 0);
        show(1, top, 8, 8);
    }

    @AfterEach
    void close() {
        framebuffers.clear();
        bottom.close();
        top.close();
        parts.close();
    }

    @Test
    void planesComposeInTheZposOrderGiven() {
        ScanoutImage upper = new ScanoutReadback(new int[] {0, 1}, true).compose(current, 0, framebuffers::get);
        assertEquals(BLUE, upper.pixel(10, 10));
        assertEquals(RED, upper.pixel(7, 7));
        assertEquals(RED, upper.pixel(24, 24), "the square ends at 23");
        ScanoutImage under = new ScanoutReadback(new int[] {1, 0}, true).compose(current, 0, framebuffers::get);
        assertEquals(RED, under.pixel(10, 10), "the opaque full-screen plane above covers the square");
    }

    @Test
    void onlyTheCrtcsOwnPlanesAreComposed() {
        current.planeCrtc[1] = 1;
        ScanoutImage shot = new ScanoutReadback(new int[] {0, 1}, true).compose(current, 0, framebuffers::get);
        assertEquals(RED, shot.pixel(10, 10), "the square is on CRTC 1");
        current.planeCrtc[0] = 1;
        ScanoutImage dark = new ScanoutReadback(new int[] {0, 1}, true).compose(current, 0, framebuffers::get);
        assertEquals(0xff000000, dark.pixel(10, 10), "a lit CRTC without planes shows black");
    }

    @Test
    void aFramebufferRemovedMeanwhileIsSkipped() {
        framebuffers.remove(current.planeFb[1]);
        assertNull(framebuffers.get(current.planeFb[1]));
        ScanoutImage shot = new ScanoutReadback(new int[] {0, 1}, true).compose(current, 0, framebuffers::get);
        assertEquals(RED, shot.pixel(10, 10));
    }
}
