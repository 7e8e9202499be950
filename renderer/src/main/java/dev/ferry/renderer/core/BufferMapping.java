package dev.ferry.renderer.core;

import dev.ferry.renderer.SceneSurface;
import dev.ferry.renderer.SourceCrop;

/**
 * The affine map from output coordinates to buffer pixel coordinates for one surface:
 * {@code bx = a*ox + b*oy + c}, {@code by = d*ox + e*oy + f}, composed from the destination
 * rectangle, the viewport crop, the inverse buffer transform and the buffer scale, in that
 * order. Sampling a pixel means evaluating it at the pixel's centre (x + 0.5, y + 0.5).
 *
 * <p>Both renderers derive their sampling from this one map (the GPU one at the quad's
 * corners), which is what makes their pictures agree. Mutable so that a renderer can keep one
 * per scene slot and refill it each frame without allocating.
 */
public final class BufferMapping {
    public double a, b, c, d, e, f;

    public BufferMapping set(SceneSurface s) {
        int bufW = s.texture().width();
        int bufH = s.texture().height();
        int scale = s.bufferScale();
        boolean swap = s.transform().swapsAxes();
        // Surface size in viewport-source space: the buffer after transform, divided by scale.
        double w = (double) (swap ? bufH : bufW) / scale;
        double h = (double) (swap ? bufW : bufH) / scale;
        SourceCrop crop = s.crop();
        double cx = crop == null ? 0 : crop.x();
        double cy = crop == null ? 0 : crop.y();
        double cw = crop == null ? w : crop.width();
        double ch = crop == null ? h : crop.height();
        // Output to viewport-source space: sx = kx * ox + sx0, sy = ky * oy + sy0.
        double kx = cw / s.destination().width();
        double ky = ch / s.destination().height();
        double sx0 = cx - s.destination().x() * kx;
        double sy0 = cy - s.destination().y() * ky;
        // Viewport-source space to (unscaled) buffer space: the inverse of the client's transform.
        switch (s.transform()) {
            case NORMAL ->      { a = kx;  b = 0;   c = sx0;     d = 0;   e = ky;  f = sy0; }
            case FLIPPED ->     { a = -kx; b = 0;   c = w - sx0; d = 0;   e = ky;  f = sy0; }
            case ROTATE_90 ->   { a = 0;   b = ky;  c = sy0;     d = -kx; e = 0;   f = w - sx0; }
            case FLIPPED_90 ->  { a = 0;   b = ky;  c = sy0;     d = kx;  e = 0;   f = sx0; }
            case ROTATE_180 ->  { a = -kx; b = 0;   c = w - sx0; d = 0;   e = -ky; f = h - sy0; }
            case FLIPPED_180 -> { a = kx;  b = 0;   c = sx0;     d = 0;   e = -ky; f = h - sy0; }
            case ROTATE_270 ->  { a = 0;   b = -ky; c = h - sy0; d = kx;  e = 0;   f = sx0; }
            case FLIPPED_270 -> { a = 0;   b = -ky; c = h - sy0; d = -kx; e = 0;   f = w - sx0; }
        }
        a *= scale; b *= scale; c *= scale;
        d *= scale; e *= scale; f *= scale;
        return this;
    }

    public double bufferX(double ox, double oy) {
        return a * ox + b * oy + c;
    }

    public double bufferY(double ox, double oy) {
        return d * ox + e * oy + f;
    }

    /**
     * True when output pixel (x, y) samples exactly buffer texel (x + offsetX(), y + offsetY()):
     * no rotation, no scaling, an integer offset. Then nearest and bilinear agree and a row can
     * be copied.
     */
    public boolean isIntegerTranslation() {
        return a == 1 && e == 1 && b == 0 && d == 0 && c == Math.rint(c) && f == Math.rint(f);
    }

    public int offsetX() {
        return (int) c;
    }

    public int offsetY() {
        return (int) f;
    }
}
