package dev.ferry.renderer;

/** An integer rectangle in pixels; width and height are never negative. */
public record Rect(int x, int y, int width, int height) {
    public Rect {
        if (width < 0 || height < 0) throw new IllegalArgumentException("negative size " + width + "x" + height);
    }

    public static Rect of(int x, int y, int width, int height) {
        return new Rect(x, y, width, height);
    }

    public boolean isEmpty() {
        return width == 0 || height == 0;
    }

    /** Exclusive right edge, computed in 64 bits by callers that need overflow safety. */
    public int right() {
        return x + width;
    }

    public int bottom() {
        return y + height;
    }

    public boolean contains(int ox, int oy, int ow, int oh) {
        return ox >= x && oy >= y && (long) ox + ow <= (long) x + width && (long) oy + oh <= (long) y + height;
    }
}
