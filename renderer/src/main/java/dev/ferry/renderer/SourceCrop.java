package dev.ferry.renderer;

/**
 * The part of a buffer a surface shows, as wp_viewport.set_source gives it: fractional, in the
 * buffer's coordinates after buffer_transform and buffer_scale have been applied (that is, in
 * surface-local units before the viewport's destination scaling).
 */
public record SourceCrop(double x, double y, double width, double height) {
    public SourceCrop {
        if (!(width > 0) || !(height > 0) || !(x >= 0) || !(y >= 0)) {
            throw new IllegalArgumentException("bad source crop " + x + "," + y + " " + width + "x" + height);
        }
    }
}
