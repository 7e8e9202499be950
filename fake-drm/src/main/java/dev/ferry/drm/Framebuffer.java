package dev.ferry.drm;

/** A framebuffer: how KMS reads an imported buffer. Holds a reference on it. */
final class Framebuffer {
    final int id;
    final ImportedBuffer buffer;
    final int width;
    final int height;
    final int fourcc;
    final long modifier;
    final long layout;
    final int[] offsets;
    final int[] pitches;

    Framebuffer(int id, ImportedBuffer buffer, int width, int height, int fourcc, long modifier, long layout,
                int[] offsets, int[] pitches) {
        this.id = id;
        this.buffer = buffer;
        this.width = width;
        this.height = height;
        this.fourcc = fourcc;
        this.modifier = modifier;
        this.layout = layout;
        this.offsets = offsets;
        this.pitches = pitches;
    }
}
