package dev.ferry.renderer.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.renderer.Rect;
import org.junit.jupiter.api.Test;

/** The clip every renderer draws a surface through: overlap, edges that only touch, and 32-bit overflow. */
class DamageClipTest {
    private static int[] clipped(DamageClip c) {
        return new int[] {c.x0, c.y0, c.x1, c.y1};
    }

    @Test
    void overlapIsTheIntersection() {
        DamageClip c = new DamageClip();
        assertTrue(c.of(Rect.of(10, 20, 100, 50), 0, 0, 64, 64));
        assertArrayEquals(new int[] {10, 20, 64, 64}, clipped(c));
        assertTrue(c.of(Rect.of(-5, -5, 10, 10), 0, 0, 64, 64));
        assertArrayEquals(new int[] {0, 0, 5, 5}, clipped(c));
    }

    @Test
    void edgesThatOnlyTouchDoNotOverlap() {
        DamageClip c = new DamageClip();
        assertFalse(c.of(Rect.of(64, 0, 10, 10), 0, 0, 64, 64));
        assertFalse(c.of(Rect.of(0, 64, 10, 10), 0, 0, 64, 64));
        assertFalse(c.of(Rect.of(-10, 0, 10, 10), 0, 0, 64, 64));
        assertFalse(c.of(Rect.of(5, 5, 0, 10), 0, 0, 64, 64));
    }

    @Test
    void farEdgesDoNotWrapRound() {
        DamageClip c = new DamageClip();
        // x + width wraps to a negative int in 32 bits; the clip must still be [MAX-10, MAX).
        assertTrue(c.of(Rect.of(Integer.MAX_VALUE - 10, 0, 100, 10), 0, 0, Integer.MAX_VALUE, 64));
        assertArrayEquals(new int[] {Integer.MAX_VALUE - 10, 0, Integer.MAX_VALUE, 10}, clipped(c));
    }
}
