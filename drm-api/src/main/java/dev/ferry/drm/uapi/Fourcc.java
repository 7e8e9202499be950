package dev.ferry.drm.uapi;

/**
 * DRM pixel format codes (drm_fourcc.h values): four ASCII characters, little-endian.
 * The names describe the 32-bit word in native (little-endian) order, most significant
 * channel first: ARGB8888 is bytes B, G, R, A in memory.
 */
public final class Fourcc {
    private Fourcc() {}

    public static int code(char a, char b, char c, char d) {
        return a | (b << 8) | (c << 16) | (d << 24);
    }

    public static final int ARGB8888 = code('A', 'R', '2', '4');
    public static final int XRGB8888 = code('X', 'R', '2', '4');
    public static final int ABGR8888 = code('A', 'B', '2', '4');
    public static final int XBGR8888 = code('X', 'B', '2', '4');
    public static final int ARGB2101010 = code('A', 'R', '3', '0');
    public static final int XRGB2101010 = code('X', 'R', '3', '0');
    public static final int NV12 = code('N', 'V', '1', '2');

    /** wl_shm encodes ARGB8888 as 0 and XRGB8888 as 1; every other wl_shm format is its fourcc. */
    public static int fromWlShm(int wlShmFormat) {
        return switch (wlShmFormat) {
            case 0 -> ARGB8888;
            case 1 -> XRGB8888;
            default -> wlShmFormat;
        };
    }

    public static int toWlShm(int fourcc) {
        if (fourcc == ARGB8888) return 0;
        if (fourcc == XRGB8888) return 1;
        return fourcc;
    }

    public static String name(int fourcc) {
        if (fourcc == ARGB8888) return "ARGB8888";
        if (fourcc == XRGB8888) return "XRGB8888";
        if (fourcc == ABGR8888) return "ABGR8888";
        if (fourcc == XBGR8888) return "XBGR8888";
        if (fourcc == ARGB2101010) return "ARGB2101010";
        if (fourcc == XRGB2101010) return "XRGB2101010";
        if (fourcc == NV12) return "NV12";
        StringBuilder sb = new StringBuilder(4);
        for (int i = 0; i < 4; i++) {
            char ch = (char) ((fourcc >>> (8 * i)) & 0xff);
            sb.append(ch >= 0x20 && ch < 0x7f ? ch : '?');
        }
        return sb.toString();
    }

    /** True for formats whose alpha channel is meaningful. */
    public static boolean hasAlpha(int fourcc) {
        return fourcc == ARGB8888 || fourcc == ABGR8888 || fourcc == ARGB2101010;
    }

    /** Bytes per pixel of plane 0 (NV12's luma plane: 1). */
    public static int bytesPerPixel(int fourcc) {
        return fourcc == NV12 ? 1 : 4;
    }

    public static int planeCount(int fourcc) {
        return fourcc == NV12 ? 2 : 1;
    }
}
