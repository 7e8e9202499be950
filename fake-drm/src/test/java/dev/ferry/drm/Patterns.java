package dev.ferry.drm;

import dev.ferry.drm.uapi.Fourcc;

/** Test images that make layout mistakes obvious: every pixel differs from its neighbours. */
final class Patterns {
    private Patterns() {}

    /** A distinct opaque colour per pixel; for NV12, uniform 2x2 blocks (chroma is shared). */
    static int[] image(int width, int height, int fourcc) {
        int[] px = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int bx = fourcc == Fourcc.NV12 ? x / 2 : x, by = fourcc == Fourcc.NV12 ? y / 2 : y;
                int r = (bx * 37 + by * 11) & 0xff, g = (by * 53 + bx * 3) & 0xff, b = (bx * by + 91) & 0xff;
                px[y * width + x] = 0xff000000 | (r << 16) | (g << 8) | b;
            }
        }
        return px;
    }

    /** Max per-channel difference. */
    static int distance(int a, int b) {
        int d = 0;
        for (int s = 0; s < 32; s += 8) d = Math.max(d, Math.abs(((a >>> s) & 0xff) - ((b >>> s) & 0xff)));
        return d;
    }

    /** How many pixels of the region differ from the image by more than tolerance. */
    static int mismatches(ScanoutImage shot, int x0, int y0, int[] image, int width, int height, int tolerance) {
        int n = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (distance(shot.pixel(x0 + x, y0 + y), image[y * width + x]) > tolerance) n++;
            }
        }
        return n;
    }
}
