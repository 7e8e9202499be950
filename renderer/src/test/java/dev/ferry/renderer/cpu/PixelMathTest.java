package dev.ferry.renderer.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PixelMathTest {
    @Test
    void mul255RoundsExactly() {
        for (int x = 0; x < 256; x++) {
            for (int y = 0; y < 256; y++) assertEquals(Math.round(x * y / 255.0), PixelMath.mul255(x, y), x + "*" + y);
        }
    }

    @Test
    void twoLaneOverEqualsPerChannelOver() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 2_000_000; i++) {
            int a = random.nextInt(256);
            int s = a << 24 | random.nextInt(a + 1) << 16 | random.nextInt(a + 1) << 8 | random.nextInt(a + 1);
            int d = random.nextInt();
            assertEquals(PixelMath.over(s, d), PixelMath.overPremultiplied(s, d), Integer.toHexString(s) + " over " + Integer.toHexString(d));
        }
    }
}
