package dev.ferry.compositor.cursorshape;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cursor pictures: an XCursor file read back as written, a damaged one refused, Ferry's own set complete. */
class CursorImagesTest {
    /** An XCursor file with one w x h image per nominal size, each filled with its size as the pixel value. */
    private static byte[] xcursor(int w, int h, int hx, int hy, int... sizes) {
        int header = 16, toc = 12 * sizes.length, chunk = 36 + 4 * w * h;
        ByteBuffer b = ByteBuffer.allocate(header + toc + chunk * sizes.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x72756358).putInt(header).putInt(0x10000).putInt(sizes.length);
        for (int i = 0; i < sizes.length; i++) b.putInt(0xfffd0002).putInt(sizes[i]).putInt(header + toc + chunk * i);
        for (int size : sizes) {
            b.putInt(36).putInt(0xfffd0002).putInt(size).putInt(1).putInt(w).putInt(h).putInt(hx).putInt(hy).putInt(0);
            for (int p = 0; p < w * h; p++) b.putInt(0xff000000 | size);
        }
        return b.array();
    }

    @Test
    void theImageOfTheNominalSizeNearestTheOneAskedForIsRead() {
        CursorImage img = XcursorFile.read("t", xcursor(4, 3, 1, 2, 16, 24, 48), 24);
        assertEquals(4, img.width());
        assertEquals(3, img.height());
        assertEquals(1, img.hotspotX());
        assertEquals(2, img.hotspotY());
        assertEquals(0xff000000 | 24, img.at(3, 2));
        assertEquals(0xff000000 | 48, XcursorFile.read("t", xcursor(4, 3, 1, 2, 16, 48), 40).at(0, 0));
    }

    @Test
    void aDamagedFileIsRefusedWithWhatIsWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> XcursorFile.read("t", new byte[16], 24))
                .getMessage().contains("not an XCursor file"));
        byte[] ok = xcursor(4, 3, 1, 2, 24);
        byte[] cut = java.util.Arrays.copyOf(ok, ok.length - 4);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> XcursorFile.read("t", cut, 24)).getMessage().contains("does not fit"));
        byte[] noImage = xcursor(4, 3, 1, 2, 24);
        ByteBuffer.wrap(noImage).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 0xfffe0001); // a comment entry, not an image
        assertTrue(assertThrows(IllegalArgumentException.class, () -> XcursorFile.read("t", noImage, 24)).getMessage().contains("no image"));
    }

    @Test
    void ferrysOwnSetHasAPictureForEveryShape() {
        CursorImages own = CursorImages.builtIn();
        for (int shape = 1; shape <= 34; shape++) {
            CursorImage img = own.image(shape);
            int opaque = 0;
            for (int p : img.argb()) if (p >>> 24 == 0xff) opaque++;
            assertTrue(opaque > 10, CursorImages.name(shape));
        }
        assertEquals("text", own.image(9).name());
        assertThrows(IllegalArgumentException.class, () -> own.image(35));
    }
}
