package dev.ferry.renderer.gles;

import static org.lwjgl.egl.EGL10.EGL_EXTENSIONS;
import static org.lwjgl.egl.EGL10.EGL_NONE;
import static org.lwjgl.egl.EGL10.EGL_NO_CONTEXT;
import static org.lwjgl.egl.EGL10.EGL_NO_SURFACE;
import static org.lwjgl.egl.EGL10.EGL_SURFACE_TYPE;
import static org.lwjgl.egl.EGL10.EGL_VENDOR;
import static org.lwjgl.egl.EGL10.EGL_RED_SIZE;
import static org.lwjgl.egl.EGL10.EGL_GREEN_SIZE;
import static org.lwjgl.egl.EGL10.EGL_BLUE_SIZE;
import static org.lwjgl.egl.EGL14.EGL_OPENGL_ES_API;
import static org.lwjgl.egl.EGL14.EGL_PBUFFER_BIT;
import static org.lwjgl.egl.EGL14.EGL_RENDERABLE_TYPE;
import static org.lwjgl.egl.EGL15.EGL_CONTEXT_MAJOR_VERSION;
import static org.lwjgl.egl.EGL15.EGL_OPENGL_ES3_BIT;

import dev.ferry.renderer.RendererUnavailableException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.lwjgl.PointerBuffer;
import org.lwjgl.egl.EGL;
import org.lwjgl.egl.EGL10;
import org.lwjgl.egl.EGL12;
import org.lwjgl.egl.EGLCapabilities;
import org.lwjgl.system.JNI;
import org.lwjgl.system.MemoryStack;

/**
 * An EGL display and a GLES 3 context with no window surface: Mesa's surfaceless platform
 * (llvmpipe here, a render node's driver on a real GPU). Made current on, used on and closed
 * on the render thread only.
 *
 * <p>LWJGL's generated wrappers refuse the legal null arguments that this needs
 * (native_display = 0, EGL_NO_CONTEXT for dma-buf images), so those calls go through
 * {@link JNI} with the function pointers LWJGL resolved.
 */
final class EglContext implements AutoCloseable {
    /** EGL_MESA_platform_surfaceless; LWJGL does not name it. */
    static final int EGL_PLATFORM_SURFACELESS_MESA = 0x31DD;

    final long display;
    final long context;
    final EGLCapabilities caps;
    final String vendor;
    final String extensions;

    private EglContext(long display, long context, EGLCapabilities caps, String vendor, String extensions) {
        this.display = display;
        this.context = context;
        this.caps = caps;
        this.vendor = vendor;
        this.extensions = extensions;
    }

    static EglContext createSurfaceless() throws RendererUnavailableException {
        EGLCapabilities clientCaps;
        try {
            clientCaps = EGL.getCapabilities();
        } catch (Throwable t) {
            throw new RendererUnavailableException("libEGL could not be loaded: " + t, t);
        }
        if (clientCaps.eglGetPlatformDisplay == 0) throw new RendererUnavailableException("libEGL has no eglGetPlatformDisplay (EGL 1.5 needed)");
        long display = JNI.invokePPP(EGL_PLATFORM_SURFACELESS_MESA, 0L, 0L, clientCaps.eglGetPlatformDisplay);
        if (display == 0) throw new RendererUnavailableException("eglGetPlatformDisplay(EGL_PLATFORM_SURFACELESS_MESA) returned no display: 0x" + Integer.toHexString(EGL10.eglGetError()));
        int[] major = {0}, minor = {0};
        if (!EGL10.eglInitialize(display, major, minor)) {
            throw new RendererUnavailableException("eglInitialize failed on the surfaceless platform: 0x" + Integer.toHexString(EGL10.eglGetError()));
        }
        // The display is process-wide (Mesa hands every caller the same one) and stays
        // initialised: eglTerminate would pull it from under any other renderer in the process.
        {
            EGLCapabilities caps = EGL.createDisplayCapabilities(display, major[0], minor[0]);
            String vendor = EGL10.eglQueryString(display, EGL_VENDOR);
            String extensions = EGL10.eglQueryString(display, EGL_EXTENSIONS);
            if (extensions == null || !extensions.contains("EGL_KHR_surfaceless_context")) {
                throw new RendererUnavailableException("EGL has no EGL_KHR_surfaceless_context (" + vendor + ")");
            }
            if (!EGL12.eglBindAPI(EGL_OPENGL_ES_API)) throw new RendererUnavailableException("eglBindAPI(EGL_OPENGL_ES_API) failed");
            long config;
            try (MemoryStack stack = MemoryStack.stackPush()) {
                PointerBuffer configs = stack.mallocPointer(1);
                int[] count = {0};
                int[] attribs = {
                    EGL_RENDERABLE_TYPE, EGL_OPENGL_ES3_BIT,
                    EGL_SURFACE_TYPE, EGL_PBUFFER_BIT,
                    EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8,
                    EGL_NONE,
                };
                if (!EGL10.eglChooseConfig(display, attribs, configs, count) || count[0] == 0) {
                    throw new RendererUnavailableException("no EGL config with GLES 3 and pbuffer support (" + vendor + ")");
                }
                config = configs.get(0);
            }
            long context = EGL10.eglCreateContext(display, config, EGL_NO_CONTEXT, new int[] {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_NONE});
            if (context == EGL_NO_CONTEXT) {
                throw new RendererUnavailableException("eglCreateContext(GLES 3) failed: 0x" + Integer.toHexString(EGL10.eglGetError()));
            }
            if (!EGL10.eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, context)) {
                EGL10.eglDestroyContext(display, context);
                throw new RendererUnavailableException("eglMakeCurrent(surfaceless) failed: 0x" + Integer.toHexString(EGL10.eglGetError()));
            }
            return new EglContext(display, context, caps, vendor, extensions);
        }
    }

    boolean hasExtension(String name) {
        return (" " + extensions + " ").contains(" " + name + " ");
    }

    /** The dma-buf formats and modifiers the driver imports; empty if it cannot say. */
    Map<Integer, long[]> queryDmaBufModifiers() {
        Map<Integer, long[]> result = new LinkedHashMap<>();
        if (!caps.EGL_EXT_image_dma_buf_import_modifiers) return result;
        try (MemoryStack stack = MemoryStack.stackPush()) {
            var count = stack.mallocInt(1);
            if (JNI.callPPPI(display, 0, 0L, org.lwjgl.system.MemoryUtil.memAddress(count), caps.eglQueryDmaBufFormatsEXT) == 0) return result;
            int n = count.get(0);
            var formats = stack.mallocInt(Math.max(n, 1));
            JNI.callPPPI(display, n, org.lwjgl.system.MemoryUtil.memAddress(formats), org.lwjgl.system.MemoryUtil.memAddress(count), caps.eglQueryDmaBufFormatsEXT);
            for (int i = 0; i < count.get(0); i++) {
                int format = formats.get(i);
                var mcount = stack.mallocInt(1);
                if (JNI.callPPPPI(display, format, 0, 0L, 0L, org.lwjgl.system.MemoryUtil.memAddress(mcount), caps.eglQueryDmaBufModifiersEXT) == 0) continue;
                int m = mcount.get(0);
                long[] modifiers = new long[m];
                if (m > 0) {
                    try (MemoryStack inner = MemoryStack.stackPush()) {
                        var mods = inner.mallocLong(m);
                        JNI.callPPPPI(display, format, m, org.lwjgl.system.MemoryUtil.memAddress(mods), 0L, org.lwjgl.system.MemoryUtil.memAddress(mcount), caps.eglQueryDmaBufModifiersEXT);
                        for (int j = 0; j < m; j++) modifiers[j] = mods.get(j);
                    }
                }
                result.put(format, modifiers);
            }
        }
        return result;
    }

    /** eglCreateImageKHR(display, EGL_NO_CONTEXT, target, NULL, attribs): 0 on failure. */
    long createImage(int target, int[] attribs) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            var list = stack.ints(attribs);
            return JNI.callPPPPP(display, 0L, target, 0L, org.lwjgl.system.MemoryUtil.memAddress(list), caps.eglCreateImageKHR);
        }
    }

    void destroyImage(long image) {
        JNI.callPPI(display, image, caps.eglDestroyImageKHR);
    }

    @Override
    public void close() {
        EGL10.eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
        EGL10.eglDestroyContext(display, context);
    }
}
