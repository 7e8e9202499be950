package dev.ferry.compositor.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BandedRects against the plainest model of a pixel set, a boolean grid, over random adds and
 * subtracts; then the cost of the floods that used to stall the compositor.
 */
class BandedRectsTest {
    private static final int GRID = 48;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void agreesWithAPixelGridOverRandomAddsAndSubtracts(long seed) {
        Random rnd = new Random(seed);
        boolean[][] grid = new boolean[GRID][GRID];
        BandedRects set = new BandedRects();
        for (int op = 0; op < 1500; op++) {
            int x = rnd.nextInt(GRID + 8) - 4, y = rnd.nextInt(GRID + 8) - 4;
            int w = rnd.nextInt(12) + (rnd.nextInt(10) == 0 ? 0 : 1), h = rnd.nextInt(12) + 1;
            boolean add = rnd.nextInt(3) != 0;
            if (add) set.add(x, y, w, h);
            else set.subtract(x, y, w, h);
            for (int j = Math.max(0, y); j < Math.min(GRID, y + h); j++) {
                for (int i = Math.max(0, x); i < Math.min(GRID, x + w); i++) grid[j][i] = add;
            }
            // Keep everything inside the grid so the model sees all of it.
            set.subtract(-100, -100, 100 + GRID + 100, 100);
            set.subtract(-100, GRID, 100 + GRID + 100, 100);
            set.subtract(-100, -100, 100, 100 + GRID + 100);
            set.subtract(GRID, -100, 100, 100 + GRID + 100);
            if (op % 50 == 0 || op == 1499) check(set, grid, seed + "/" + op);
        }
    }

    private static void check(BandedRects set, boolean[][] grid, String where) {
        RectSet r = set.toRectSet();
        assertEquals(set.count(), r.count(), where + ": count");
        boolean[][] seen = new boolean[GRID][GRID];
        for (int k = 0; k < r.count(); k++) {
            assertTrue(r.w(k) > 0 && r.h(k) > 0, where + ": empty rectangle");
            for (int j = r.y(k); j < r.y(k) + r.h(k); j++) {
                for (int i = r.x(k); i < r.x(k) + r.w(k); i++) {
                    assertTrue(i >= 0 && j >= 0 && i < GRID && j < GRID, where + ": pixel outside " + i + "," + j);
                    assertTrue(!seen[j][i], where + ": rectangles overlap at " + i + "," + j);
                    seen[j][i] = true;
                }
            }
        }
        for (int j = 0; j < GRID; j++) {
            for (int i = 0; i < GRID; i++) assertEquals(grid[j][i], seen[j][i], where + ": pixel " + i + "," + j);
        }
        // Banded and coalesced: as many rectangles as the grid's runs per row after merging equal rows.
        assertEquals(minimalBandedCount(grid), set.count(), where + ": not coalesced");
    }

    /** Rectangles in the canonical banded form of the grid: runs per row, equal adjacent rows merged. */
    private static int minimalBandedCount(boolean[][] grid) {
        int total = 0;
        String previous = null;
        for (boolean[] row : grid) {
            StringBuilder runs = new StringBuilder();
            int count = 0;
            for (int i = 0; i < GRID; i++) {
                if (row[i] && (i == 0 || !row[i - 1])) {
                    count++;
                    runs.append(i).append('-');
                }
                if (row[i] && (i == GRID - 1 || !row[i + 1])) runs.append(i).append(',');
            }
            String key = runs.toString();
            if (!key.equals(previous) || count == 0) total += count;
            previous = count == 0 ? null : key;
        }
        return total;
    }

    @Test
    void edgesFarOutDoNotOverflow() {
        BandedRects set = new BandedRects();
        set.add(Integer.MAX_VALUE - 10, Integer.MAX_VALUE - 10, 1000, 1000);
        set.add(Integer.MIN_VALUE, Integer.MIN_VALUE, 10, Integer.MAX_VALUE);
        assertEquals(2, set.count());
        set.subtract(Integer.MIN_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
        assertEquals(1, set.count());
        assertEquals(10L * 10, set.toRectSet().area());
    }

    @Test
    void fortyThousandDisjointAddsAndTwentyFiveThousandHolesCostMillisecondsNotSeconds() {
        // The floods from the robustness issue (4.5-7.1 s and 2.1-3.5 s for every client with
        // the splitting RectSet), in a shuffled order so no add lands at the end of a band.
        int side = 200;
        int[] order = shuffled(side * side, 42);
        BandedRects set = new BandedRects();
        long t0 = System.nanoTime();
        for (int k : order) set.add(2 * (k % side), 2 * (k / side), 1, 1);
        long addsMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(side * side, set.count());

        BandedRects holes = new BandedRects();
        holes.add(0, 0, 4 * 160, 4 * 160);
        int[] holeOrder = shuffled(160 * 160, 7);
        long t1 = System.nanoTime();
        for (int i = 0; i < 25_000; i++) {
            int k = holeOrder[i];
            holes.subtract(4 * (k % 160) + 1, 4 * (k / 160) + 1, 2, 2);
        }
        long holesMs = (System.nanoTime() - t1) / 1_000_000;
        assertEquals(4L * 160 * 160 * 4 * 4 / 4 - 25_000L * 4, holes.toRectSet().area());
        // Generous for a loaded two-core machine; measured ~30-80 ms each on it.
        assertTrue(addsMs < 2000, "40 000 adds took " + addsMs + " ms");
        assertTrue(holesMs < 2000, "25 000 holes took " + holesMs + " ms");
        System.out.println("BandedRects: 40 000 disjoint adds " + addsMs + " ms, 25 000 holes " + holesMs + " ms");
    }

    private static int[] shuffled(int n, long seed) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        Random rnd = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
