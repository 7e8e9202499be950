package dev.ferry.compositor.cursorshape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads one picture out of an XCursor file (the format of the cursor themes under
 * /usr/share/icons/THEME/cursors): a header ("Xcur", header size, version, entry count), a table
 * of (type, nominal size, position) entries, and image chunks (a 36-byte header with width,
 * height, hotspot and delay, then premultiplied ARGB pixels), all little-endian. Of the images,
 * the first one of the nominal size closest to the size asked for (an animated cursor: its first
 * frame).
 */
final class XcursorFile {
    private static final int MAGIC = 0x72756358; // "Xcur"
    private static final int IMAGE_TYPE = 0xfffd0002;
    /** Larger than any theme draws: a bound on what a damaged file can make us allocate. */
    private static final int MAX_SIDE = 256;

    private XcursorFile() {}

    /** The picture, or an IllegalArgumentException naming what is wrong with the file. */
    static CursorImage read(String name, byte[] file, int wantedSize) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (file.length < 16 || b.getInt(0) != MAGIC) throw new IllegalArgumentException(name + " is not an XCursor file");
        int headerSize = b.getInt(4);
        int entries = b.getInt(12);
        if (headerSize < 16 || entries < 0 || (long) headerSize + 12L * entries > file.length) {
            throw new IllegalArgumentException(name + ": its table of " + entries + " entries runs past the file");
        }
        long best = -1;
        int bestSize = 0;
        for (int i = 0; i < entries; i++) {
            int at = headerSize + 12 * i;
            if (b.getInt(at) != IMAGE_TYPE) continue;
            int size = b.getInt(at + 4);
            if (best < 0 || Math.abs(size - wantedSize) < Math.abs(bestSize - wantedSize)) {
                best = Integer.toUnsignedLong(b.getInt(at + 8));
                bestSize = size;
            }
        }
        if (best < 0) throw new IllegalArgumentException(name + " holds no image");
        if (best + 36 > file.length) throw new IllegalArgumentException(name + ": an image runs past the file");
        int at = (int) best;
        int w = b.getInt(at + 16), h = b.getInt(at + 20), hx = b.getInt(at + 24), hy = b.getInt(at + 28);
        if (w <= 0 || h <= 0 || w > MAX_SIDE || h > MAX_SIDE || best + 36 + 4L * w * h > file.length) {
            throw new IllegalArgumentException(name + ": a " + w + "x" + h + " image does not fit the file");
        }
        int[] px = new int[w * h];
        for (int i = 0; i < px.length; i++) px[i] = b.getInt(at + 36 + 4 * i);
        return new CursorImage(name, w, h, Math.min(Math.max(hx, 0), w - 1), Math.min(Math.max(hy, 0), h - 1), px);
    }
}
