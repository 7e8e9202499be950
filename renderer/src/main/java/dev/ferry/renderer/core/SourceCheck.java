package dev.ferry.renderer.core;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.renderer.ImportRejection;
import dev.ferry.renderer.ImportResult;
import dev.ferry.renderer.PixelPlane;
import dev.ferry.renderer.PixelSource;
import dev.ferry.renderer.TileLayout;
import dev.ferry.renderer.TileLayouts;

/**
 * Checks a {@link PixelSource} before any renderer reads it: everything after this may index
 * the planes without bounds surprises. Sizes are computed in 64 bits.
 */
public final class SourceCheck {
    private SourceCheck() {}

    /**
     * Null when the thread that reads a renderer's textures can read every plane of the source,
     * else the rejection: memory confined to another thread, or already closed.
     */
    public static ImportResult.Rejected unreadableBy(PixelSource s, Thread reader) {
        for (var p : s.planes()) {
            if (!p.memory().isAccessibleBy(reader)) {
                return reject(ImportRejection.SOURCE_UNREADABLE, "memory is confined to another thread or closed; the render thread reads it");
            }
        }
        return null;
    }

    /** Null when the source can be sampled, else the rejection. */
    public static ImportResult.Rejected problem(PixelSource s, int maxSize) {
        int f = s.fourcc();
        if (!SampledFormats.isSampled(f)) {
            return reject(ImportRejection.UNSUPPORTED_FORMAT, "format " + Fourcc.name(f) + " is not sampled");
        }
        if (s.width() <= 0 || s.height() <= 0 || s.width() > maxSize || s.height() > maxSize) {
            return reject(ImportRejection.BAD_DIMENSIONS, s.width() + "x" + s.height() + " (1.." + maxSize + " per side)");
        }
        if (s.planes().size() != Fourcc.planeCount(f)) {
            return reject(ImportRejection.BAD_PLANE_COUNT, Fourcc.name(f) + " needs " + Fourcc.planeCount(f) + " planes, got " + s.planes().size());
        }
        TileLayout layout = null;
        if (s.modifier() != Modifiers.LINEAR) {
            layout = TileLayouts.find(s.modifier()).orElse(null);
            if (layout == null) {
                return reject(ImportRejection.UNSUPPORTED_MODIFIER, "no TileLayout registered for modifier " + Modifiers.name(s.modifier()));
            }
            if (f == Fourcc.NV12) {
                return reject(ImportRejection.UNSUPPORTED_MODIFIER, "tiled NV12 (" + Modifiers.name(s.modifier()) + ") is not sampled");
            }
        }
        for (int i = 0; i < s.planes().size(); i++) {
            PixelPlane p = s.plane(i);
            int bpp = planeBytesPerPixel(f, i);
            long w = planeWidth(f, i, s.width());
            long h = planeHeight(f, i, s.height());
            if (p.stride() < w * bpp || p.stride() % bpp != 0) {
                return reject(ImportRejection.BAD_STRIDE, "plane " + i + " stride " + p.stride() + " for " + w + " pixels of " + bpp + " bytes");
            }
            long need = layout == null ? (long) p.stride() * (h - 1) + w * bpp
                    : layout.planeBytes((int) w, (int) h, p.stride(), bpp);
            if (need < 0) {
                return reject(ImportRejection.BAD_DIMENSIONS, Modifiers.name(s.modifier()) + " cannot hold " + w + "x" + h + " at stride " + p.stride());
            }
            if (p.memory().byteSize() < need) {
                return reject(ImportRejection.SOURCE_TOO_SMALL, "plane " + i + " has " + p.memory().byteSize() + " bytes, needs " + need);
            }
        }
        return null;
    }

    public static int planeBytesPerPixel(int fourcc, int plane) {
        if (fourcc == Fourcc.NV12) return plane == 0 ? 1 : 2;
        return 4;
    }

    /** Plane width in that plane's pixels (NV12 chroma: one CbCr pair per 2x2 luma pixels, rounded up). */
    public static int planeWidth(int fourcc, int plane, int width) {
        return fourcc == Fourcc.NV12 && plane == 1 ? (width + 1) / 2 : width;
    }

    public static int planeHeight(int fourcc, int plane, int height) {
        return fourcc == Fourcc.NV12 && plane == 1 ? (height + 1) / 2 : height;
    }

    private static ImportResult.Rejected reject(ImportRejection reason, String detail) {
        return new ImportResult.Rejected(reason, detail);
    }
}
