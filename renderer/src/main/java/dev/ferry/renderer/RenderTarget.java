package dev.ferry.renderer;

import dev.ferry.drm.uapi.Fourcc;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Where a composed frame goes: memory the display device scans out (a fake-drm buffer, a
 * mapped dumb buffer), in XRGB8888 or ARGB8888. Only pixels inside {@code damage} are
 * written; the rest keep what the previous frames left, so the caller passes the damage
 * accumulated over the buffer's age.
 *
 * <p>{@code damage} is clipped to the target here, once, wherever the target is made: every
 * renderer (and whatever reads the damage back) walks rectangles that lie inside it and
 * none that is empty. A damage already inside, as a frame's is, is kept as it is.
 *
 * <p>For XRGB8888 the X byte of a written pixel is undefined, as DRM defines it.
 *
 * @param clearArgb premultiplied 0xAARRGGBB shown where no surface covers the output
 * @param readBackOnDemand nothing reads the memory on the CPU side after each frame (a headless
 *        output, read only for a screenshot): a GPU renderer may keep the frame in its own
 *        buffer, and the memory is brought up to date by {@link Composer#readBack} when asked
 */
public record RenderTarget(int width, int height, int fourcc, MemorySegment memory, int stride, Region damage, int clearArgb,
                           boolean readBackOnDemand) {
    public static final int OPAQUE_BLACK = 0xff000000;

    /** Memory that holds every frame once its compose completes (a scanout buffer, a host window's). */
    public RenderTarget(int width, int height, int fourcc, MemorySegment memory, int stride, Region damage, int clearArgb) {
        this(width, height, fourcc, memory, stride, damage, clearArgb, false);
    }

    public RenderTarget {
        Objects.requireNonNull(memory, "memory");
        damage = damage == null ? Region.EMPTY : damage.clippedTo(width, height);
    }

    /** A target whose whole area is redrawn, cleared to opaque black. */
    public static RenderTarget full(MemorySegment memory, int width, int height, int stride, int fourcc) {
        return new RenderTarget(width, height, fourcc, memory, stride, Region.full(width, height), OPAQUE_BLACK);
    }

    public RenderTarget withDamage(Region newDamage) {
        return new RenderTarget(width, height, fourcc, memory, stride, newDamage, clearArgb, readBackOnDemand);
    }

    public RenderTarget withClear(int argb) {
        return new RenderTarget(width, height, fourcc, memory, stride, damage, argb, readBackOnDemand);
    }

    /** The same target, its memory read only after {@link Composer#readBack} (see readBackOnDemand). */
    public RenderTarget readingBackOnDemand() {
        return new RenderTarget(width, height, fourcc, memory, stride, damage, clearArgb, true);
    }

    /** Null when the target can be drawn, else why not. */
    public String problem() {
        if (fourcc != Fourcc.XRGB8888 && fourcc != Fourcc.ARGB8888) return "target format " + Fourcc.name(fourcc) + " (XRGB8888 or ARGB8888 only)";
        if (width <= 0 || height <= 0) return "target size " + width + "x" + height;
        if (stride < 4L * width || stride % 4 != 0) return "target stride " + stride + " for width " + width;
        long need = (long) stride * (height - 1) + 4L * width;
        if (memory.byteSize() < need) return "target memory " + memory.byteSize() + " bytes, needs " + need;
        return null;
    }
}
