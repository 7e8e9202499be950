package dev.ferry.renderer.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.ferry.renderer.RendererUnavailableException;
import dev.ferry.renderer.gles.GlesRenderer;

/**
 * Starts the GLES renderer for a test, failing (never skipping) when EGL cannot: CI machines
 * have Mesa, so a missing context is a broken environment or a broken renderer, and either
 * must show up red.
 */
public final class GlesFixture {
    private GlesFixture() {}

    public static GlesRenderer start() {
        return start(GlesRenderer.DEFAULT_QUEUE_CAPACITY);
    }

    public static GlesRenderer start(int queueCapacity) {
        try {
            return GlesRenderer.start(queueCapacity);
        } catch (RendererUnavailableException e) {
            return fail("GLES renderer could not start: " + e.getMessage()
                    + " — these tests need EGL with EGL_MESA_platform_surfaceless and GLES 3 (Debian: libegl1, libgles2, libegl-mesa0, mesa llvmpipe)", e);
        }
    }
}
