package dev.ferry.drm.uapi;

/**
 * The one place that knows how each modifier arranges pixels in memory: from a pixel's
 * (x, y) in a plane to the byte offset of that pixel relative to the plane's start.
 * Writers, readers, the scanout read-back and the renderer's de-tiling all go through here,
 * so a buffer written with one modifier and read with another comes out scrambled.
 *
 * <p>Layouts (cpp = bytes per pixel of the plane, stride = bytes per pixel row, as for
 * LINEAR; a tiled plane's stride must be a whole number of tiles and its height is padded to
 * a whole number of tile rows):
 * <ul>
 * <li>LINEAR: {@code y * stride + x * cpp}.
 * <li>FAKE_TILED_4X4: 4x4-pixel tiles stored one after another in row-major order; inside a
 *     tile, pixels row-major. A row of tiles occupies {@code 4 * stride} bytes.
 * <li>FAKE_TILED_16X16_COLUMN: 16x16-pixel tiles in row-major order; inside a tile, pixels
 *     column-major (all 16 pixels of column 0 first). A row of tiles occupies {@code 16 * stride}.
 * </ul>
 * INVALID (implicit) is not a layout: whoever holds such a buffer resolves it to a real one
 * first ({@link #isKnownLayout}).
 */
public final class Tiling {
    private Tiling() {}

    public static boolean isKnownLayout(long modifier) {
        return modifier == Modifiers.LINEAR || modifier == Modifiers.FAKE_TILED_4X4
                || modifier == Modifiers.FAKE_TILED_16X16_COLUMN;
    }

    /** Tile width in pixels (1 for LINEAR). */
    public static int tileWidth(long modifier) {
        if (modifier == Modifiers.FAKE_TILED_4X4) return 4;
        if (modifier == Modifiers.FAKE_TILED_16X16_COLUMN) return 16;
        if (modifier == Modifiers.LINEAR) return 1;
        throw unknown(modifier);
    }

    /** Tile height in pixel rows (1 for LINEAR). */
    public static int tileHeight(long modifier) {
        return tileWidth(modifier);
    }

    /** Smallest legal stride for a plane of this width: whole tiles, no alignment beyond that. */
    public static int minStride(long modifier, int width, int cpp) {
        int tw = tileWidth(modifier);
        return roundUp(width, tw) * cpp;
    }

    /** Rows of memory a plane of this height occupies (padded to whole tile rows). */
    public static int paddedHeight(long modifier, int height) {
        return roundUp(height, tileHeight(modifier));
    }

    /** True if a stride is usable at all with this layout (whole tiles per row). */
    public static boolean strideFitsLayout(long modifier, int stride, int cpp) {
        return stride > 0 && stride % (tileWidth(modifier) * cpp) == 0;
    }

    /** Bytes from the plane's start to the end of its last padded row. */
    public static long planeBytes(long modifier, int stride, int height) {
        return (long) stride * paddedHeight(modifier, height);
    }

    /**
     * Byte offset of pixel (x, y) relative to the plane start. No bounds checks: hot loops call
     * this per pixel; callers validate the plane once.
     */
    public static long byteOffset(long modifier, int x, int y, int stride, int cpp) {
        if (modifier == Modifiers.LINEAR) {
            return (long) y * stride + (long) x * cpp;
        }
        if (modifier == Modifiers.FAKE_TILED_4X4) {
            long tileRow = (long) (y >> 2) * (stride << 2);
            long tile = (long) (x >> 2) * (16 * cpp);
            return tileRow + tile + (long) (((y & 3) << 2) | (x & 3)) * cpp;
        }
        if (modifier == Modifiers.FAKE_TILED_16X16_COLUMN) {
            long tileRow = (long) (y >> 4) * (stride << 4);
            long tile = (long) (x >> 4) * (256 * cpp);
            return tileRow + tile + (long) (((x & 15) << 4) | (y & 15)) * cpp;
        }
        throw unknown(modifier);
    }

    static int roundUp(int v, int multiple) {
        return (v + multiple - 1) / multiple * multiple;
    }

    private static IllegalArgumentException unknown(long modifier) {
        return new IllegalArgumentException("no memory layout for modifier " + Modifiers.name(modifier));
    }
}
