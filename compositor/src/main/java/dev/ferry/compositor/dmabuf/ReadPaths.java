package dev.ferry.compositor.dmabuf;

import dev.ferry.drm.BufferIdentity;
import dev.ferry.drm.DrmDevice;
import dev.ferry.drm.MemoryDomain;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.renderer.DmaBufFormats;
import dev.ferry.renderer.TileLayouts;
import dev.ferry.renderer.core.SampledFormats;

/**
 * Which paths can read a dma-buf's pixels: the renderer importing it directly (EGL dma-buf
 * import, where the driver offers it) or the CPU mapping it and handing the renderer memory
 * (the system-RAM copy path). A pair is only advertised when one of them can, so every pair
 * a client is told about has a fallback.
 */
public final class ReadPaths {
    private ReadPaths() {}

    /** Whether the renderer imports this pair as a dma-buf (a GPU with EGL_EXT_image_dma_buf_import). */
    public static boolean rendererImports(DmaBufFormats formats, int fourcc, long modifier) {
        if (formats == null || !formats.importable()) return false;
        long[] mods = formats.modifiersByFourcc().get(fourcc);
        if (mods == null) return false;
        for (long m : mods) if (m == modifier) return true;
        return false;
    }

    /**
     * Whether the CPU path can read pixels of this format in this real layout: the renderers
     * sample the format and know the layout (LINEAR, or a registered {@link TileLayouts} entry;
     * tiled NV12 is not sampled).
     */
    public static boolean cpuReadsLayout(int fourcc, long layout) {
        if (!SampledFormats.isSampled(fourcc)) return false;
        if (layout == Modifiers.LINEAR) return true;
        if (layout == Modifiers.INVALID || fourcc == Fourcc.NV12) return false;
        return TileLayouts.find(layout).isPresent();
    }

    /**
     * The layout the compositor reads a buffer with: its modifier, or for the implicit modifier
     * what the main device would assume (its driver's own layout for a buffer of the same
     * driver, LINEAR for any other, as the kernel's drivers do).
     */
    public static long readLayout(long modifier, BufferIdentity id, DrmDevice main) {
        if (modifier != Modifiers.INVALID) return modifier;
        if (id != null && main != null && id.driver().equals(main.info().driver())) return id.layout();
        return Modifiers.LINEAR;
    }

    /** The layout the main device's driver gives implicit-modifier buffers it allocates. */
    public static long implicitLayout(DrmDevice main) {
        return main.info().implicitLayout();
    }

    /**
     * Whether the CPU path may map this buffer at all: anything but protected memory. Video
     * memory is readable too, through the slow BAR window (fake-drm accounts the cost): for a
     * buffer in another GPU's vram that the render device cannot reach, the system-RAM copy is
     * the way out that is left, and a slow picture beats none (issue 6: never a dead end).
     */
    public static boolean cpuMayMap(BufferIdentity id) {
        return id != null && !id.protectedMemory();
    }
}
