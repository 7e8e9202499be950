package dev.ferry.client;

import dev.ferry.drm.CpuMapping;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Where a client draws one frame: XRGB8888 pixels in a buffer's own layout. A whole-buffer fill
 * is a bulk copy whatever the layout (tiling only permutes pixels, so a uniform colour is the
 * same bytes in every layout); rectangles go through the layout's pixel addressing.
 */
public interface Canvas {
    int width();

    int height();

    /** Fills the whole buffer with one colour. */
    void fill(int xrgb);

    /** Fills a rectangle, clipped to the buffer. */
    void fillRect(int x, int y, int w, int h, int xrgb);

    /** Fills [offset, offset+length) of seg with a 32-bit value in native order, in bulk. */
    static void fillInts(MemorySegment seg, long offset, long length, int value) {
        int[] pattern = new int[4096];
        java.util.Arrays.fill(pattern, value);
        MemorySegment src = MemorySegment.ofArray(pattern);
        long done = 0;
        while (done < length) {
            long n = Math.min(src.byteSize(), length - done);
            MemorySegment.copy(src, 0, seg, offset + done, n);
            done += n;
        }
    }

    /** A linear canvas over memory (a wl_shm buffer). */
    static Canvas linear(MemorySegment pixels, int width, int height, int stride) {
        return new Canvas() {
            @Override public int width() { return width; }
            @Override public int height() { return height; }

            @Override
            public void fill(int xrgb) {
                fillInts(pixels, 0, (long) stride * height, xrgb);
            }

            @Override
            public void fillRect(int x0, int y0, int w, int h, int xrgb) {
                int x1 = Math.min(width, x0 + w), y1 = Math.min(height, y0 + h);
                x0 = Math.max(0, x0);
                for (int y = Math.max(0, y0); y < y1; y++) {
                    if (x1 > x0) fillInts(pixels, (long) y * stride + 4L * x0, 4L * (x1 - x0), xrgb);
                }
            }
        };
    }

    /** A canvas over a dma-buf's CPU mapping (its modifier's layout); the caller brackets. */
    static Canvas mapped(CpuMapping map, int width, int height, int plane0Offset) {
        return new Canvas() {
            @Override public int width() { return width; }
            @Override public int height() { return height; }

            @Override
            public void fill(int xrgb) {
                fillInts(map.view(), plane0Offset, map.plane0Bytes(), xrgb);
            }

            @Override
            public void fillRect(int x, int y, int w, int h, int xrgb) {
                map.fillRect(x, y, w, h, xrgb);
            }
        };
    }

    /** A canvas over a mapping written pixel by pixel in its format (NV12: luma, and the chroma of each 2x2 block); the caller brackets. */
    static Canvas pixelwise(CpuMapping map, int width, int height) {
        return new Canvas() {
            @Override public int width() { return width; }
            @Override public int height() { return height; }

            @Override
            public void fill(int xrgb) {
                map.fill(0xff000000 | xrgb);
            }

            @Override
            public void fillRect(int x, int y, int w, int h, int xrgb) {
                map.fillRect(x, y, w, h, 0xff000000 | xrgb);
            }
        };
    }

    /** Reads one pixel of a linear XRGB buffer (tests). */
    static int linearPixel(MemorySegment pixels, int stride, int x, int y) {
        return pixels.get(JAVA_INT, (long) y * stride + 4L * x);
    }
}
