package dev.ferry.compositor.cursorshape;

/**
 * One cursor picture: premultiplied ARGB8888 pixels row by row (what wl_shm ARGB8888 holds on a
 * little-endian machine), and the hotspot, the pixel that sits on the pointer.
 */
public record CursorImage(String name, int width, int height, int hotspotX, int hotspotY, int[] argb) {
    public CursorImage {
        if (width <= 0 || height <= 0 || argb.length != width * height) {
            throw new IllegalArgumentException("cursor " + name + ": " + width + "x" + height + " with " + argb.length + " pixels");
        }
        if (hotspotX < 0 || hotspotX >= width || hotspotY < 0 || hotspotY >= height) {
            throw new IllegalArgumentException("cursor " + name + ": hotspot " + hotspotX + "," + hotspotY + " outside " + width + "x" + height);
        }
    }

    public int at(int x, int y) {
        return argb[y * width + x];
    }
}
