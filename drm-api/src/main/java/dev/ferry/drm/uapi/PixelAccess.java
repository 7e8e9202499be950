package dev.ferry.drm.uapi;

import java.lang.foreign.MemorySegment;

/**
 * Reads and writes one pixel, as ARGB, of an image laid out in memory by format and layout
 * (a real modifier, not INVALID). {@code base} is where the buffer starts in {@code mem};
 * plane i starts at {@code base + offsets[i]}. Built on {@link Tiling} and {@link PixelFormats}.
 */
public final class PixelAccess {
    private PixelAccess() {}

    public static int read(MemorySegment mem, long base, int[] offsets, int[] strides,
                           int fourcc, long layout, int x, int y) {
        if (fourcc == Fourcc.NV12) {
            int luma = mem.get(java.lang.foreign.ValueLayout.JAVA_BYTE,
                    base + offsets[0] + Tiling.byteOffset(layout, x, y, strides[0], 1)) & 0xff;
            long c = base + offsets[1] + Tiling.byteOffset(layout, x >> 1, y >> 1, strides[1], 2);
            int cb = mem.get(java.lang.foreign.ValueLayout.JAVA_BYTE, c) & 0xff;
            int cr = mem.get(java.lang.foreign.ValueLayout.JAVA_BYTE, c + 1) & 0xff;
            return PixelFormats.yuvToArgb(luma, cb, cr);
        }
        long at = base + offsets[0] + Tiling.byteOffset(layout, x, y, strides[0], 4);
        return PixelFormats.decode(fourcc, PixelFormats.readWord(mem, at));
    }

    /** Writes one pixel. For NV12 the chroma sample shared by a 2x2 block takes this pixel's colour. */
    public static void write(MemorySegment mem, long base, int[] offsets, int[] strides,
                             int fourcc, long layout, int x, int y, int argb) {
        if (fourcc == Fourcc.NV12) {
            mem.set(java.lang.foreign.ValueLayout.JAVA_BYTE,
                    base + offsets[0] + Tiling.byteOffset(layout, x, y, strides[0], 1), (byte) PixelFormats.lumaOf(argb));
            long c = base + offsets[1] + Tiling.byteOffset(layout, x >> 1, y >> 1, strides[1], 2);
            mem.set(java.lang.foreign.ValueLayout.JAVA_BYTE, c, (byte) PixelFormats.cbOf(argb));
            mem.set(java.lang.foreign.ValueLayout.JAVA_BYTE, c + 1, (byte) PixelFormats.crOf(argb));
            return;
        }
        long at = base + offsets[0] + Tiling.byteOffset(layout, x, y, strides[0], 4);
        PixelFormats.writeWord(mem, at, PixelFormats.encode(fourcc, argb));
    }
}
