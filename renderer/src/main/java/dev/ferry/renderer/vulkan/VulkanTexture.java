package dev.ferry.renderer.vulkan;

import dev.ferry.renderer.PixelSource;
import dev.ferry.renderer.Texture;
import dev.ferry.renderer.core.LinearPlanes;

/**
 * A client buffer as the compose shader reads it: per plane, a {@link GpuBuffer} and the byte
 * offset of the plane's first pixel in it. Either the client's memory imported in place (then
 * the shader reads the client's pixels at every compose and {@code copied} is null), or a copy
 * in renderer memory refreshed from {@link LinearPlanes} where the buffer is damaged.
 * {@link #close()} may be called from any thread; the Vulkan objects die on the render thread.
 */
final class VulkanTexture implements Texture {
    final VulkanRenderer owner;
    final PixelSource source;
    /** The CPU renderer's texel kind numbers (the shader switches on them). */
    final int kind;
    /** 0 linear, 1 FAKE_TILED_4X4, 2 FAKE_TILED_16X16_COLUMN: what the shader de-tiles. */
    final int tiling;
    /** Why this buffer is a copy, or null when it is sampled in place. */
    final CopyReason copied;
    /** The copy's source (linear, de-tiled where needed); null in place. */
    final LinearPlanes planes;
    // Render-thread state.
    final GpuBuffer[] buffers = new GpuBuffer[2];
    final int[] offsets = new int[2];
    final int[] strides = new int[2];
    private volatile boolean open = true;

    VulkanTexture(VulkanRenderer owner, PixelSource source, int kind, int tiling, CopyReason copied, LinearPlanes planes) {
        this.owner = owner;
        this.source = source;
        this.kind = kind;
        this.tiling = tiling;
        this.copied = copied;
        this.planes = planes;
    }

    @Override public int width() { return source.width(); }
    @Override public int height() { return source.height(); }
    @Override public int fourcc() { return source.fourcc(); }
    @Override public long modifier() { return source.modifier(); }
    @Override public boolean isOpen() { return open; }

    /** True when the pixels the shader reads are the client's memory itself. */
    public boolean inPlace() {
        return copied == null;
    }

    boolean isReadable() {
        if (planes != null) return planes.isReadable();
        for (var p : source.planes()) if (!p.memory().scope().isAlive()) return false;
        return true;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (!open) return;
            open = false;
        }
        owner.releaseTexture(this);
    }

    @Override
    public String toString() {
        return "VulkanTexture[" + source + (copied == null ? " in place" : " copied: " + copied) + "]";
    }
}
