package dev.ferry.renderer;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Client pixels described without Wayland: size, DRM fourcc and modifier, and one
 * {@link PixelPlane} per format plane (NV12: luma, then interleaved CbCr at half resolution).
 *
 * <p>Ownership: the caller owns the memory. A renderer reads it during import, during every
 * compose whose scene names the texture with buffer damage, and (CPU renderer) whenever it
 * composes the texture; the caller keeps it mapped until the texture is closed.
 */
public record PixelSource(int width, int height, int fourcc, long modifier, List<PixelPlane> planes, CpuAccess access) {
    public PixelSource {
        planes = List.copyOf(planes);
        if (access == null) access = CpuAccess.NONE;
    }

    /** A single-plane, linear buffer such as a wl_shm buffer. */
    public static PixelSource packed(MemorySegment memory, int width, int height, int stride, int fourcc) {
        return new PixelSource(width, height, fourcc, Modifiers.LINEAR, List.of(new PixelPlane(memory, stride)), CpuAccess.NONE);
    }

    /** A linear NV12 buffer: a luma plane and an interleaved CbCr plane. */
    public static PixelSource nv12(MemorySegment luma, int lumaStride, MemorySegment chroma, int chromaStride, int width, int height) {
        return new PixelSource(width, height, Fourcc.NV12, Modifiers.LINEAR,
                List.of(new PixelPlane(luma, lumaStride), new PixelPlane(chroma, chromaStride)), CpuAccess.NONE);
    }

    public PixelSource withModifier(long newModifier) {
        return new PixelSource(width, height, fourcc, newModifier, planes, access);
    }

    public PixelSource withAccess(CpuAccess newAccess) {
        return new PixelSource(width, height, fourcc, modifier, planes, newAccess);
    }

    public PixelPlane plane(int i) {
        return planes.get(i);
    }

    @Override
    public String toString() {
        return "PixelSource[" + width + "x" + height + " " + Fourcc.name(fourcc) + " " + Modifiers.name(modifier) + "]";
    }
}
