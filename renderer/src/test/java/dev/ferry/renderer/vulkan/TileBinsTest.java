package dev.ferry.renderer.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The words the binned shader reads: which tiles get a record, and each tile's list. */
class TileBinsTest {
    private static final int TW = BinnedShader.TILE_WIDTH, TH = BinnedShader.TILE_HEIGHT;

    private record Tile(int x0, int y0, int x1, int y1, List<Integer> surfaces, boolean opaqueStart) {}

    private static List<Tile> tiles(TileBins bins, int at) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment words = arena.allocate(4 * (at + bins.maxWords()));
            int n = bins.write(words, at);
            int base = bins.tileBase(at);
            List<Tile> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int o = base + TileBins.TILE_WORDS * i;
                int list = word(words, o + 4), header = word(words, o + 5);
                List<Integer> surfaces = new ArrayList<>();
                // Back from the record word to the surface's index in the order added.
                for (int e = 0; e < (header & 0xffff); e++) surfaces.add((word(words, list + e) - at) / TileBins.SURFACE_WORDS);
                out.add(new Tile(word(words, o), word(words, o + 1), word(words, o + 2), word(words, o + 3), surfaces, header >>> 16 != 0));
            }
            return out;
        }
    }

    private static int word(MemorySegment m, int i) {
        return m.get(ValueLayout.JAVA_INT_UNALIGNED, 4L * i);
    }

    @Test
    void onlyTilesASurfaceOverlapsGetARecordClippedToTheRectangle() {
        TileBins bins = new TileBins();
        bins.begin(10, 5, 10 + TW + 20, 5 + TH + 3);
        bins.add(10 + TW + 2, 5 + TH, 10 + TW + 20, 5 + TH + 3, 0, 400, 0, false);
        List<Tile> tiles = tiles(bins, 7);
        assertEquals(List.of(new Tile(10 + TW, 5 + TH, 10 + TW + 20, 5 + TH + 3, List.of(0), false)), tiles);
    }

    @Test
    void aTilesListIsInStackingOrderAndStartsAtTheTopmostOpaqueSurfaceCoveringIt() {
        TileBins bins = new TileBins();
        bins.begin(0, 0, 2 * TW, TH);
        bins.add(0, 0, 2 * TW, TH, 0, 400, 0, false);          // 0: translucent, everywhere
        bins.add(0, 0, TW, TH, 0, 400, 0xff000000, true);      // 1: opaque over all of tile 0
        bins.add(5, 2, 2 * TW - 5, 9, 0, 400, 0, false);       // 2: translucent, over both
        bins.add(TW, 0, TW + 4, TH, 0, 400, 0xff000000, true); // 3: opaque but covers tile 1 only in part
        List<Tile> tiles = tiles(bins, 0);
        assertEquals(List.of(new Tile(0, 0, TW, TH, List.of(1, 2), true), new Tile(TW, 0, 2 * TW, TH, List.of(0, 2, 3), false)), tiles);
    }

    @Test
    void surfaceRecordsNameTheirClipAndTexels() {
        TileBins bins = new TileBins();
        bins.begin(0, 0, 100, 100);
        bins.add(3, 4, 50, 60, 0x1_2345_6788L, 132, 0xff000000, true);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment words = arena.allocate(4 * bins.maxWords());
            bins.write(words, 0);
            int[] record = new int[TileBins.SURFACE_WORDS];
            for (int i = 0; i < record.length; i++) record[i] = word(words, i);
            assertEquals(List.of(3 | 50 << 16, 4 | 60 << 16, 0x2345_6788, 1, 132 | 1 << 31), java.util.Arrays.stream(record).boxed().toList());
        }
    }
}
