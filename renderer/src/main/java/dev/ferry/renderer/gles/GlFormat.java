package dev.ferry.renderer.gles;

import static org.lwjgl.opengles.GLES30.*;

import dev.ferry.drm.uapi.Fourcc;

/**
 * How a DRM format's bytes go into a GL texture: uploaded as they lie in memory, with the
 * channel order fixed by texture swizzle so that the shader always sees (R, G, B, A) and no
 * CPU conversion is needed. For NV12 this describes the luma plane; chroma is {@link #NV12_CHROMA}.
 */
record GlFormat(int internalFormat, int format, int type, int bytesPerPixel, int swizzleR, int swizzleG, int swizzleB, int swizzleA) {
    static final GlFormat NV12_CHROMA = new GlFormat(GL_RG8, GL_RG, GL_UNSIGNED_BYTE, 2, GL_RED, GL_GREEN, GL_BLUE, GL_ALPHA);

    static GlFormat of(int fourcc) {
        // 8888 formats upload as RGBA bytes: for ARGB8888 (bytes B, G, R, A) the texture's red holds blue.
        if (fourcc == Fourcc.ARGB8888) return new GlFormat(GL_RGBA8, GL_RGBA, GL_UNSIGNED_BYTE, 4, GL_BLUE, GL_GREEN, GL_RED, GL_ALPHA);
        if (fourcc == Fourcc.XRGB8888) return new GlFormat(GL_RGBA8, GL_RGBA, GL_UNSIGNED_BYTE, 4, GL_BLUE, GL_GREEN, GL_RED, GL_ONE);
        if (fourcc == Fourcc.ABGR8888) return new GlFormat(GL_RGBA8, GL_RGBA, GL_UNSIGNED_BYTE, 4, GL_RED, GL_GREEN, GL_BLUE, GL_ALPHA);
        if (fourcc == Fourcc.XBGR8888) return new GlFormat(GL_RGBA8, GL_RGBA, GL_UNSIGNED_BYTE, 4, GL_RED, GL_GREEN, GL_BLUE, GL_ONE);
        // GL's 2_10_10_10_REV puts red in the low bits; DRM's ARGB2101010 puts blue there.
        if (fourcc == Fourcc.ARGB2101010) return new GlFormat(GL_RGB10_A2, GL_RGBA, GL_UNSIGNED_INT_2_10_10_10_REV, 4, GL_BLUE, GL_GREEN, GL_RED, GL_ALPHA);
        if (fourcc == Fourcc.XRGB2101010) return new GlFormat(GL_RGB10_A2, GL_RGBA, GL_UNSIGNED_INT_2_10_10_10_REV, 4, GL_BLUE, GL_GREEN, GL_RED, GL_ONE);
        if (fourcc == Fourcc.NV12) return new GlFormat(GL_R8, GL_RED, GL_UNSIGNED_BYTE, 1, GL_RED, GL_GREEN, GL_BLUE, GL_ONE);
        throw new IllegalArgumentException("no GL format for " + Fourcc.name(fourcc));
    }
}
