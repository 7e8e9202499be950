package dev.ferry.testclients.video;

import dev.ferry.client.Canvas;

/**
 * The video client's picture, with the frame number in the pixels so a screenshot says which
 * frame is on screen:
 * <ul>
 * <li>a background colour that changes with the frame ({@link #background});
 * <li>at the top-left, the frame number as a 16-bit counter: a row of 16 blocks of 8x8 pixels
 *     starting at (8, 8), most significant bit first, white for 1 and black for 0;
 * <li>a 16-pixel vertical bar below the counter row (from y = 24), moving 4 pixels a frame, in
 *     the background's complement.
 * </ul>
 * {@link #expected} gives the colour any pixel must have, so a test can check the whole picture.
 */
public final class FramePattern {
    public static final int BLOCK = 8;
    public static final int BITS = 16;
    public static final int COUNTER_X = 8;
    public static final int COUNTER_Y = 8;
    public static final int BAR_TOP = COUNTER_Y + BLOCK + 8;
    public static final int BAR_WIDTH = 16;
    public static final int BAR_STEP = 4;

    private FramePattern() {}

    public static int background(long frame) {
        int r = (int) ((frame * 37 + 40) & 0xff);
        int g = (int) ((frame * 11 + 90) & 0xff);
        int b = (int) (0x40 + ((frame * 5) & 0x7f));
        return (r << 16) | (g << 8) | b;
    }

    public static int barX(long frame, int width) {
        int span = Math.max(1, width - BAR_WIDTH);
        return (int) ((frame * BAR_STEP) % span);
    }

    /** Draws frame number {@code frame} into the canvas. */
    public static void draw(Canvas c, long frame) {
        int bg = background(frame);
        c.fill(bg);
        c.fillRect(barX(frame, c.width()), BAR_TOP, BAR_WIDTH, c.height() - BAR_TOP, ~bg & 0xffffff);
        for (int i = 0; i < BITS; i++) {
            boolean one = ((frame >>> (BITS - 1 - i)) & 1) != 0;
            c.fillRect(COUNTER_X + i * BLOCK, COUNTER_Y, BLOCK, BLOCK, one ? 0xffffff : 0x000000);
        }
    }

    /** The colour (0xRRGGBB) of pixel (x, y) of a width x height picture of frame {@code frame}. */
    public static int expected(long frame, int width, int height, int x, int y) {
        int bg = background(frame);
        if (y >= COUNTER_Y && y < COUNTER_Y + BLOCK && x >= COUNTER_X && x < COUNTER_X + BITS * BLOCK) {
            int i = (x - COUNTER_X) / BLOCK;
            return ((frame >>> (BITS - 1 - i)) & 1) != 0 ? 0xffffff : 0x000000;
        }
        int bx = barX(frame, width);
        if (y >= BAR_TOP && x >= bx && x < bx + BAR_WIDTH) return ~bg & 0xffffff;
        return bg;
    }

    /** Reads the counter from pixels (0xRRGGBB in the low bits) whose picture starts at (ox, oy). */
    public static int decode(PixelReader px, int ox, int oy) {
        int v = 0;
        for (int i = 0; i < BITS; i++) {
            int p = px.at(ox + COUNTER_X + i * BLOCK + BLOCK / 2, oy + COUNTER_Y + BLOCK / 2);
            int lum = ((p >> 16) & 0xff) + ((p >> 8) & 0xff) + (p & 0xff);
            v = (v << 1) | (lum > 3 * 128 ? 1 : 0);
        }
        return v;
    }

    /**
     * Compares a picture of frame {@code frame} at (ox, oy) against what it should be at a grid
     * of sample points (every {@code step} pixels, plus each counter block and the bar); returns
     * a description of the first few mismatches, or null if it matches.
     */
    public static String mismatches(PixelReader px, int ox, int oy, int width, int height, long frame, int step) {
        StringBuilder out = new StringBuilder();
        int bad = 0;
        java.util.List<int[]> points = new java.util.ArrayList<>();
        for (int y = step / 2; y < height; y += step) for (int x = step / 2; x < width; x += step) points.add(new int[] {x, y});
        for (int i = 0; i < BITS; i++) points.add(new int[] {COUNTER_X + i * BLOCK + 3, COUNTER_Y + 3});
        int bx = barX(frame, width);
        points.add(new int[] {bx + BAR_WIDTH / 2, BAR_TOP + 4});
        points.add(new int[] {bx + BAR_WIDTH / 2, height - 2});
        for (int[] p : points) {
            int want = expected(frame, width, height, p[0], p[1]);
            int got = px.at(ox + p[0], oy + p[1]) & 0xffffff;
            if (got != want) {
                if (bad++ < 5) out.append(String.format("(%d,%d) want %06x got %06x; ", p[0], p[1], want, got));
            }
        }
        return bad == 0 ? null : bad + " of " + points.size() + " sample points differ: " + out;
    }

    /** Pixel access for decoding (a screenshot, a buffer). */
    public interface PixelReader {
        int at(int x, int y);
    }
}
