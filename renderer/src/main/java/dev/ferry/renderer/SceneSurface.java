package dev.ferry.renderer;

import java.util.Objects;

/**
 * One surface of a scene, bottom to top in the list handed to {@link Composer#compose}.
 *
 * @param texture       what to sample
 * @param destination   where it lands on the output, in output pixels (may extend past the output)
 * @param crop          wp_viewport source rectangle, or null for the whole buffer
 * @param bufferScale   wl_surface.set_buffer_scale (1 or more)
 * @param transform     wl_surface.set_buffer_transform
 * @param opaque        the opaque region in output pixels relative to {@code destination}'s
 *                      top-left; a hint that lets surfaces below be skipped and blending be
 *                      turned off (content there must really be opaque, as the protocol says)
 * @param premultiplied true when colour is already multiplied by alpha (wl_shm and dma-buf
 *                      formats always are); false makes the renderer multiply
 * @param filter        how to sample when scaled
 * @param bufferDamage  what changed in the buffer since the last compose that named this
 *                      texture, in buffer pixels: a GPU renderer uploads just that
 */
public record SceneSurface(Texture texture, Rect destination, SourceCrop crop, int bufferScale, BufferTransform transform,
                           Region opaque, boolean premultiplied, Filter filter, Region bufferDamage) {
    public SceneSurface {
        Objects.requireNonNull(texture, "texture");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(transform, "transform");
        Objects.requireNonNull(filter, "filter");
        if (opaque == null) opaque = Region.EMPTY;
        if (bufferDamage == null) bufferDamage = Region.EMPTY;
        if (bufferScale < 1) throw new IllegalArgumentException("buffer scale " + bufferScale);
    }

    /** A surface shown at (x, y) at its natural size: no crop, scale 1, no transform, no damage. */
    public static SceneSurface at(Texture texture, int x, int y) {
        return new SceneSurface(texture, new Rect(x, y, texture.width(), texture.height()), null, 1,
                BufferTransform.NORMAL, Region.EMPTY, true, Filter.BILINEAR, Region.EMPTY);
    }

    public SceneSurface withDestination(Rect d) {
        return new SceneSurface(texture, d, crop, bufferScale, transform, opaque, premultiplied, filter, bufferDamage);
    }

    public SceneSurface withCrop(SourceCrop c) {
        return new SceneSurface(texture, destination, c, bufferScale, transform, opaque, premultiplied, filter, bufferDamage);
    }

    public SceneSurface withBufferScale(int s) {
        return new SceneSurface(texture, destination, crop, s, transform, opaque, premultiplied, filter, bufferDamage);
    }

    public SceneSurface withTransform(BufferTransform t) {
        return new SceneSurface(texture, destination, crop, bufferScale, t, opaque, premultiplied, filter, bufferDamage);
    }

    public SceneSurface withOpaque(Region o) {
        return new SceneSurface(texture, destination, crop, bufferScale, transform, o, premultiplied, filter, bufferDamage);
    }

    /** Opaque everywhere it is drawn. */
    public SceneSurface opaqueEverywhere() {
        return withOpaque(Region.full(destination.width(), destination.height()));
    }

    public SceneSurface withPremultiplied(boolean p) {
        return new SceneSurface(texture, destination, crop, bufferScale, transform, opaque, p, filter, bufferDamage);
    }

    public SceneSurface withFilter(Filter f) {
        return new SceneSurface(texture, destination, crop, bufferScale, transform, opaque, premultiplied, f, bufferDamage);
    }

    public SceneSurface withBufferDamage(Region d) {
        return new SceneSurface(texture, destination, crop, bufferScale, transform, opaque, premultiplied, filter, d);
    }
}
