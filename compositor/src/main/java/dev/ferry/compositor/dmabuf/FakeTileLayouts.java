package dev.ferry.compositor.dmabuf;

import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.drm.uapi.Tiling;
import dev.ferry.renderer.TileLayout;
import dev.ferry.renderer.TileLayouts;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * fake-drm's tiled layouts as renderer {@link TileLayout}s, so both renderers de-tile fake
 * dma-bufs through {@link Tiling}, the one place that knows the layouts. fake-drm cannot
 * register them itself (it does not depend on the renderer); the compositor, which uses both,
 * does, before it builds the linux-dmabuf format table (a tiled pair is advertised only when
 * some path can read it). Idempotent.
 */
public final class FakeTileLayouts {
    private FakeTileLayouts() {}

    public static void registerAll() {
        for (long m : new long[] {Modifiers.FAKE_TILED_4X4, Modifiers.FAKE_TILED_16X16_COLUMN}) {
            if (TileLayouts.find(m).isEmpty()) TileLayouts.register(new FakeTiling(m));
        }
    }

    private record FakeTiling(long modifier) implements TileLayout {
        @Override
        public long planeBytes(int width, int height, int stride, int bytesPerPixel) {
            if (!Tiling.strideFitsLayout(modifier, stride, bytesPerPixel)) return -1;
            if (stride < Tiling.minStride(modifier, width, bytesPerPixel)) return -1;
            return Tiling.planeBytes(modifier, stride, height);
        }

        @Override
        public void copyToLinear(MemorySegment tiled, int tiledStride, int bytesPerPixel, int x, int y, int width,
                                 int height, MemorySegment linear, int linearStride) {
            for (int row = y; row < y + height; row++) {
                long dst = (long) row * linearStride + (long) x * bytesPerPixel;
                for (int col = x; col < x + width; col++, dst += bytesPerPixel) {
                    long src = Tiling.byteOffset(modifier, col, row, tiledStride, bytesPerPixel);
                    if (bytesPerPixel == 4) {
                        linear.set(ValueLayout.JAVA_INT_UNALIGNED, dst, tiled.get(ValueLayout.JAVA_INT_UNALIGNED, src));
                    } else {
                        MemorySegment.copy(tiled, src, linear, dst, bytesPerPixel);
                    }
                }
            }
        }
    }
}
