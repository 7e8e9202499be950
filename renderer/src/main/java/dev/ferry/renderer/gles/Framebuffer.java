package dev.ferry.renderer.gles;

import static org.lwjgl.opengles.GLES30.*;

/**
 * The offscreen RGBA8 colour buffer a frame is composed into before it is read back into the
 * target. Kept across frames and remade only when the target size changes: only damaged
 * rectangles are drawn and read, so stale pixels elsewhere never escape.
 */
final class Framebuffer implements AutoCloseable {
    int width;
    int height;
    private int fbo;
    private int texture;

    /** Binds a framebuffer of the given size, remaking it if the size differs; false if GL refused it. */
    boolean bind(int w, int h) {
        if (fbo == 0 || w != width || h != height) {
            close();
            texture = glGenTextures();
            glBindTexture(GL_TEXTURE_2D, texture);
            glTexStorage2D(GL_TEXTURE_2D, 1, GL_RGBA8, w, h);
            fbo = glGenFramebuffers();
            glBindFramebuffer(GL_FRAMEBUFFER, fbo);
            glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, texture, 0);
            width = w;
            height = h;
            if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
                close();
                return false;
            }
        }
        glBindFramebuffer(GL_FRAMEBUFFER, fbo);
        glViewport(0, 0, w, h);
        return true;
    }

    @Override
    public void close() {
        if (fbo != 0) glDeleteFramebuffers(fbo);
        if (texture != 0) glDeleteTextures(texture);
        fbo = 0;
        texture = 0;
        width = 0;
        height = 0;
    }
}
