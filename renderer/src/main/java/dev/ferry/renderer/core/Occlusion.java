package dev.ferry.renderer.core;

import dev.ferry.renderer.SceneSurface;
import java.util.List;

/**
 * Which surfaces a damage rectangle needs. Decided at rectangle granularity: the topmost
 * surface that is opaque over the whole rectangle hides everything below it, and a surface
 * opaque over the rectangle is drawn without blending. Both renderers ask this class, so they
 * skip and blend the same surfaces.
 */
public final class Occlusion {
    private Occlusion() {}

    /** Index of the first surface to draw for the rectangle; -1 means clear it first and draw from 0. */
    public static int firstVisible(List<SceneSurface> surfaces, int x, int y, int w, int h) {
        for (int i = surfaces.size() - 1; i >= 0; i--) {
            if (isOpaqueOver(surfaces.get(i), x, y, w, h)) return i;
        }
        return -1;
    }

    /** True when the surface covers the rectangle and every pixel it puts there is opaque. */
    public static boolean isOpaqueOver(SceneSurface s, int x, int y, int w, int h) {
        if (!s.destination().contains(x, y, w, h)) return false;
        if (SampledFormats.isOpaqueFormat(s.texture().fourcc())) return true;
        return s.opaque().anyContainsTranslated(s.destination().x(), s.destination().y(), x, y, w, h);
    }

    /**
     * True when the surface needs no blending inside the clip (its part of a damage rectangle
     * within the destination): an opaque format or an opaque region over the clip.
     */
    public static boolean drawsOpaque(SceneSurface s, int x, int y, int w, int h) {
        if (SampledFormats.isOpaqueFormat(s.texture().fourcc())) return true;
        return s.opaque().anyContainsTranslated(s.destination().x(), s.destination().y(), x, y, w, h);
    }
}
