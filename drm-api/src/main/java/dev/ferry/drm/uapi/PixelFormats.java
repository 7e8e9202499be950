package dev.ferry.drm.uapi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Per-format plane geometry and the conversion of one pixel to and from 8-bit ARGB
 * (0xAARRGGBB in an int). 32-bit formats are little-endian words, as drm_fourcc.h defines them.
 * NV12 is BT.601 limited range: plane 0 luma (1 byte), plane 1 interleaved Cb,Cr at half
 * resolution in both directions (2 bytes).
 */
public final class PixelFormats {
    private PixelFormats() {}

    private static final ValueLayout.OfInt WORD = ValueLayout.JAVA_INT_UNALIGNED
            .withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    public static boolean isSupported(int fourcc) {
        return fourcc == Fourcc.ARGB8888 || fourcc == Fourcc.XRGB8888 || fourcc == Fourcc.ABGR8888
                || fourcc == Fourcc.XBGR8888 || fourcc == Fourcc.ARGB2101010 || fourcc == Fourcc.NV12;
    }

    public static int planeCount(int fourcc) {
        return Fourcc.planeCount(fourcc);
    }

    /** Bytes per pixel of the given plane. */
    public static int cpp(int fourcc, int plane) {
        if (fourcc == Fourcc.NV12) return plane == 0 ? 1 : 2;
        return 4;
    }

    /** Width in pixels of the given plane for an image this wide. */
    public static int planeWidth(int fourcc, int plane, int width) {
        return fourcc == Fourcc.NV12 && plane == 1 ? (width + 1) / 2 : width;
    }

    public static int planeHeight(int fourcc, int plane, int height) {
        return fourcc == Fourcc.NV12 && plane == 1 ? (height + 1) / 2 : height;
    }

    /** Encodes an ARGB colour as the 32-bit word of a packed format (not NV12). */
    public static int encode(int fourcc, int argb) {
        int a = argb >>> 24, r = (argb >>> 16) & 0xff, g = (argb >>> 8) & 0xff, b = argb & 0xff;
        if (fourcc == Fourcc.ARGB8888) return argb;
        if (fourcc == Fourcc.XRGB8888) return argb | 0xff000000;
        if (fourcc == Fourcc.ABGR8888) return (a << 24) | (b << 16) | (g << 8) | r;
        if (fourcc == Fourcc.XBGR8888) return 0xff000000 | (b << 16) | (g << 8) | r;
        if (fourcc == Fourcc.ARGB2101010) {
            return ((a >>> 6) << 30) | (widen10(r) << 20) | (widen10(g) << 10) | widen10(b);
        }
        throw new IllegalArgumentException("not a packed 32-bit format: " + Fourcc.name(fourcc));
    }

    /** Decodes a packed 32-bit word to ARGB; X formats come out opaque. */
    public static int decode(int fourcc, int word) {
        if (fourcc == Fourcc.ARGB8888) return word;
        if (fourcc == Fourcc.XRGB8888) return word | 0xff000000;
        if (fourcc == Fourcc.ABGR8888 || fourcc == Fourcc.XBGR8888) {
            int a = fourcc == Fourcc.XBGR8888 ? 0xff : word >>> 24;
            return (a << 24) | ((word & 0xff) << 16) | (word & 0xff00) | ((word >>> 16) & 0xff);
        }
        if (fourcc == Fourcc.ARGB2101010) {
            int a = (word >>> 30) * 85;
            int r = ((word >>> 20) & 0x3ff) >>> 2, g = ((word >>> 10) & 0x3ff) >>> 2, b = (word & 0x3ff) >>> 2;
            return (a << 24) | (r << 16) | (g << 8) | b;
        }
        throw new IllegalArgumentException("not a packed 32-bit format: " + Fourcc.name(fourcc));
    }

    /** 8-bit to 10-bit by bit replication, so 0xff becomes 0x3ff and decode gives 0xff back. */
    private static int widen10(int c) {
        return (c << 2) | (c >>> 6);
    }

    public static int readWord(MemorySegment s, long offset) {
        return s.get(WORD, offset);
    }

    public static void writeWord(MemorySegment s, long offset, int word) {
        s.set(WORD, offset, word);
    }

    /** YCbCr to ARGB (opaque) and back, as a plane decodes it by default: see {@link Bt709}. */
    public static int yuvToArgb(int y, int cb, int cr) {
        return Bt709.toArgb(y, cb, cr);
    }

    public static int lumaOf(int argb) {
        return Bt709.luma(argb);
    }

    public static int cbOf(int argb) {
        return Bt709.cb(argb);
    }

    public static int crOf(int argb) {
        return Bt709.cr(argb);
    }

    /** Parses "ARGB8888" or a raw fourcc string such as "AR24". */
    public static int parse(String name) {
        return switch (name.toUpperCase(java.util.Locale.ROOT)) {
            case "ARGB8888" -> Fourcc.ARGB8888;
            case "XRGB8888" -> Fourcc.XRGB8888;
            case "ABGR8888" -> Fourcc.ABGR8888;
            case "XBGR8888" -> Fourcc.XBGR8888;
            case "ARGB2101010" -> Fourcc.ARGB2101010;
            case "XRGB2101010" -> Fourcc.XRGB2101010;
            case "NV12" -> Fourcc.NV12;
            default -> {
                if (name.length() != 4) throw new IllegalArgumentException("unknown format " + name);
                yield Fourcc.code(name.charAt(0), name.charAt(1), name.charAt(2), name.charAt(3));
            }
        };
    }
}
