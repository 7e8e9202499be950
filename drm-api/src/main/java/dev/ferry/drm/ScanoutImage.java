package dev.ferry.drm;

/** What a CRTC sends to the monitor: width x height opaque ARGB pixels, row-major. */
public record ScanoutImage(int width, int height, int[] argb) {
    public int pixel(int x, int y) {
        return argb[y * width + x];
    }
}
