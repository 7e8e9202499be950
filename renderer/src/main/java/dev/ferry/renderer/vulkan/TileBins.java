package dev.ferry.renderer.vulkan;

import dev.ferry.renderer.SceneSurface;
import dev.ferry.renderer.core.BufferMapping;
import dev.ferry.renderer.cpu.TexelKind;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The words {@link BinnedShader} reads for one damage rectangle: a record per surface (its
 * clip, where its texels lie), then a record per tile of the rectangle that some surface
 * overlaps, then each tile's list of surfaces in stacking order. A tile's list starts at the
 * topmost surface that is opaque over the whole tile: what lies below it never shows, so it
 * is neither fetched nor blended, and the target is not even loaded there. Tiles no surface
 * overlaps get no record (they keep what is already drawn). Made on the render thread and
 * reused frame after frame; it allocates only to grow.
 */
final class TileBins {
    static final int SURFACE_WORDS = 5, TILE_WORDS = 6;

    private int rx0, ry0, rx1, ry1;
    private int surfaces;
    private int[] clip = new int[4 * 16];
    private long[] origins = new long[16];
    private int[] texels = new int[2 * 16];
    private boolean[] opaque = new boolean[16];
    private int[] list = new int[16];

    /** Starts the bins of one damage rectangle [x0, x1) x [y0, y1). */
    void begin(int x0, int y0, int x1, int y1) {
        rx0 = x0;
        ry0 = y0;
        rx1 = x1;
        ry1 = y1;
        surfaces = 0;
    }

    /**
     * Adds the next surface up the stack, over its clip [x0, x1) x [y0, y1) (inside the
     * rectangle): target pixel (x, y) takes the 32-bit texel at device address
     * {@code origin + y * stride + 4 * x}, with its alpha forced to 255 when {@code alphaMask}
     * is not 0 (an X format). {@code opaque}: every pixel it draws over its clip is opaque.
     */
    void add(int x0, int y0, int x1, int y1, long origin, int stride, int alphaMask, boolean opaque) {
        if (surfaces == this.opaque.length) grow();
        int s = surfaces++;
        clip[4 * s] = x0;
        clip[4 * s + 1] = y0;
        clip[4 * s + 2] = x1;
        clip[4 * s + 3] = y1;
        origins[s] = origin;
        texels[2 * s] = stride;
        texels[2 * s + 1] = alphaMask;
        this.opaque[s] = opaque;
    }

    int surfaces() {
        return surfaces;
    }

    /** The most words {@link #write} can take for what was added. */
    long maxWords() {
        long tiles = (long) tilesX() * tilesY();
        return (long) SURFACE_WORDS * surfaces + tiles * (TILE_WORDS + surfaces);
    }

    private int tilesX() {
        return (rx1 - rx0 + BinnedShader.TILE_WIDTH - 1) / BinnedShader.TILE_WIDTH;
    }

    private int tilesY() {
        return (ry1 - ry0 + BinnedShader.TILE_HEIGHT - 1) / BinnedShader.TILE_HEIGHT;
    }

    /**
     * Writes the records from word {@code at} of {@code bins}; returns the number of tile
     * records (the dispatch's workgroup count), whose first word is {@link #tileBase}{@code (at)}.
     */
    int write(MemorySegment bins, int at) {
        for (int s = 0; s < surfaces; s++) {
            // Five words a surface (the shader reads them per pixel group, so fewer is cheaper): x0 | x1 << 16,
            // y0 | y1 << 16 (coordinates are below 2^16: the renderer's size limit), origin low, origin high,
            // stride | 1 << 31 for an X format (alpha forced to 255).
            long o = 4L * (at + SURFACE_WORDS * s);
            bins.set(ValueLayout.JAVA_INT_UNALIGNED, o, clip[4 * s] | clip[4 * s + 2] << 16);
            bins.set(ValueLayout.JAVA_INT_UNALIGNED, o + 4, clip[4 * s + 1] | clip[4 * s + 3] << 16);
            bins.set(ValueLayout.JAVA_INT_UNALIGNED, o + 8, (int) origins[s]);
            bins.set(ValueLayout.JAVA_INT_UNALIGNED, o + 12, (int) (origins[s] >>> 32));
            bins.set(ValueLayout.JAVA_INT_UNALIGNED, o + 16, texels[2 * s] | (texels[2 * s + 1] != 0 ? 1 << 31 : 0));
        }
        int tileAt = tileBase(at);
        int tiles = 0;
        // Lists go after the tile records, whose number is known only at the end: write them from the far end of the room.
        int listAt = tileAt + TILE_WORDS * tilesX() * tilesY();
        for (int ty = ry0; ty < ry1; ty += BinnedShader.TILE_HEIGHT) {
            int ty1 = Math.min(ry1, ty + BinnedShader.TILE_HEIGHT);
            for (int tx = rx0; tx < rx1; tx += BinnedShader.TILE_WIDTH) {
                int tx1 = Math.min(rx1, tx + BinnedShader.TILE_WIDTH);
                int n = 0;
                boolean opaqueStart = false;
                for (int s = surfaces - 1; s >= 0; s--) {
                    int sx0 = clip[4 * s], sy0 = clip[4 * s + 1], sx1 = clip[4 * s + 2], sy1 = clip[4 * s + 3];
                    if (sx1 <= tx || sx0 >= tx1 || sy1 <= ty || sy0 >= ty1) continue;
                    list[n++] = s;
                    if (opaque[s] && sx0 <= tx && sy0 <= ty && sx1 >= tx1 && sy1 >= ty1) {
                        opaqueStart = true;
                        break;
                    }
                }
                if (n == 0) continue;
                long o = 4L * (tileAt + TILE_WORDS * tiles);
                bins.set(ValueLayout.JAVA_INT_UNALIGNED, o, tx);
                bins.set(ValueLayout.JAVA_INT_UNALIGNED, o + 4, ty);
                bins.set(ValueLayout.JAVA_INT_UNALIGNED, o + 8, tx1);
                bins.set(ValueLayout.JAVA_INT_UNALIGNED, o + 12, ty1);
                bins.set(ValueLayout.JAVA_INT_UNALIGNED, o + 16, listAt);
                bins.set(ValueLayout.JAVA_INT_UNALIGNED, o + 20, n | (opaqueStart ? 1 << 16 : 0));
                // Bottom to top: the list was gathered top down.
                for (int i = 0; i < n; i++) bins.set(ValueLayout.JAVA_INT_UNALIGNED, 4L * (listAt + i), at + SURFACE_WORDS * list[n - 1 - i]);
                listAt += n;
                tiles++;
            }
        }
        return tiles;
    }

    /** The first tile record's word, for records written from word {@code at}. */
    int tileBase(int at) {
        return at + SURFACE_WORDS * surfaces;
    }

    private void grow() {
        int n = opaque.length * 2;
        clip = java.util.Arrays.copyOf(clip, 4 * n);
        origins = java.util.Arrays.copyOf(origins, n);
        texels = java.util.Arrays.copyOf(texels, 2 * n);
        opaque = java.util.Arrays.copyOf(opaque, n);
        list = java.util.Arrays.copyOf(list, n);
    }

    /**
     * Whether the binned shader draws this surface as the per-surface path would over a clip:
     * a packed premultiplied ARGB8888 or an XRGB8888 buffer, linear, placed by an integer
     * translation, with the clip wholly inside the buffer (no edge clamping), its texels
     * 4-byte aligned.
     */
    static boolean binnable(SceneSurface s, BufferMapping m, int cx0, int cy0, int cx1, int cy1) {
        VulkanTexture t = (VulkanTexture) s.texture();
        boolean argb = t.kind == TexelKind.ARGB8888 && s.premultiplied();
        if (!(argb || t.kind == TexelKind.XRGB8888) || t.tiling != 0 || !m.isIntegerTranslation()) return false;
        if ((t.strides[0] & 3) != 0 || (t.offsets[0] & 3) != 0) return false;
        return cx0 + m.offsetX() >= 0 && cy0 + m.offsetY() >= 0 && cx1 + m.offsetX() <= t.width() && cy1 + m.offsetY() <= t.height();
    }
}
