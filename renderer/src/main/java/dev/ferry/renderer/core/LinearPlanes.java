package dev.ferry.renderer.core;

import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.renderer.CpuAccess;
import dev.ferry.renderer.PixelSource;
import dev.ferry.renderer.Region;
import dev.ferry.renderer.TileLayout;
import dev.ferry.renderer.TileLayouts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A source's pixels as linear planes: the client's own memory when the buffer is LINEAR, or
 * a shadow copy de-tiled through the modifier's {@link TileLayout}, which this object owns and
 * frees on close and refreshes from the client's buffer where it is damaged. Both renderers
 * read sources only through this.
 */
public final class LinearPlanes implements AutoCloseable {
    public final MemorySegment plane0;
    public final int stride0;
    /** NV12's chroma plane, else null. */
    public final MemorySegment plane1;
    public final int stride1;
    private final PixelSource source;
    private final TileLayout tileLayout;
    private final Arena shadowArena;

    /** The source must have passed {@link SourceCheck}. */
    public LinearPlanes(PixelSource source) {
        this.source = source;
        if (source.modifier() == Modifiers.LINEAR) {
            tileLayout = null;
            shadowArena = null;
            plane0 = source.plane(0).memory();
            stride0 = source.plane(0).stride();
            plane1 = source.planes().size() > 1 ? source.plane(1).memory() : null;
            stride1 = source.planes().size() > 1 ? source.plane(1).stride() : 0;
        } else {
            // SourceCheck has already refused tiled NV12 and modifiers without a layout.
            tileLayout = TileLayouts.find(source.modifier()).orElseThrow();
            shadowArena = Arena.ofShared();
            stride0 = source.width() * 4;
            plane0 = shadowArena.allocate((long) stride0 * source.height(), 64);
            plane1 = null;
            stride1 = 0;
            refresh(Region.full(source.width(), source.height()));
        }
    }

    /** Brings the shadow copy up to date where the buffer was damaged; nothing to do for linear buffers. */
    public void refresh(Region damage) {
        if (tileLayout == null || damage.isEmpty()) return;
        CpuAccess access = source.access();
        access.begin();
        try {
            int bpp = SourceCheck.planeBytesPerPixel(source.fourcc(), 0);
            for (int i = 0; i < damage.count(); i++) {
                int x0 = Math.max(0, damage.x(i));
                int y0 = Math.max(0, damage.y(i));
                int x1 = (int) Math.min(source.width(), (long) damage.x(i) + damage.width(i));
                int y1 = (int) Math.min(source.height(), (long) damage.y(i) + damage.height(i));
                if (x1 <= x0 || y1 <= y0) continue;
                tileLayout.copyToLinear(source.plane(0).memory(), source.plane(0).stride(), bpp,
                        x0, y0, x1 - x0, y1 - y0, plane0, stride0);
            }
        } finally {
            access.end();
        }
    }

    /** True when the memory read can still be read (the client's mapping may be gone). */
    public boolean isReadable() {
        for (var p : source.planes()) if (!p.memory().scope().isAlive()) return false;
        return shadowArena == null || shadowArena.scope().isAlive();
    }

    /** True when this holds a shadow copy of its own (a tiled buffer's), which {@link #close} frees. */
    public boolean ownsShadow() {
        return shadowArena != null;
    }

    /** True when reads go to client memory directly, so CPU access must be bracketed around them. */
    public boolean readsClientMemory() {
        return tileLayout == null;
    }

    public PixelSource source() {
        return source;
    }

    @Override
    public void close() {
        if (shadowArena != null && shadowArena.scope().isAlive()) shadowArena.close();
    }
}
