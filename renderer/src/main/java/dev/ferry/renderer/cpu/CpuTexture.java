package dev.ferry.renderer.cpu;

import dev.ferry.renderer.PixelSource;
import dev.ferry.renderer.Texture;
import dev.ferry.renderer.core.LinearPlanes;

/**
 * A client buffer as the CPU renderer samples it: its {@link LinearPlanes}, read at compose
 * time (no import copy for linear buffers). Closed on the thread that composes.
 */
final class CpuTexture implements Texture {
    final CpuRenderer owner;
    final PixelSource source;
    final int kind;
    final LinearPlanes planes;
    /** Copies of {@code planes}' fields, read in hot loops. */
    final java.lang.foreign.MemorySegment plane0, plane1;
    final int stride0, stride1;
    private volatile boolean open = true;

    CpuTexture(CpuRenderer owner, PixelSource source) {
        this.owner = owner;
        this.source = source;
        this.kind = TexelKind.of(source.fourcc());
        this.planes = new LinearPlanes(source);
        this.plane0 = planes.plane0;
        this.plane1 = planes.plane1;
        this.stride0 = planes.stride0;
        this.stride1 = planes.stride1;
    }

    @Override public int width() { return source.width(); }
    @Override public int height() { return source.height(); }
    @Override public int fourcc() { return source.fourcc(); }
    @Override public long modifier() { return source.modifier(); }
    @Override public boolean isOpen() { return open; }

    @Override
    public synchronized void close() {
        if (!open) return;
        open = false;
        // Only a shadow copy (a tiled buffer's) is freed; a frame may be reading it, so it goes
        // after the frames queued before. A linear buffer's planes are the client's: nothing to
        // free, and no wake-up of the composing thread per buffer a client destroys.
        if (planes.ownsShadow()) owner.release(planes::close);
    }

    @Override
    public String toString() {
        return "CpuTexture[" + source + "]";
    }
}
