package dev.ferry.renderer;

import dev.ferry.renderer.cpu.CpuRenderer;
import dev.ferry.renderer.gles.GlesRenderer;
import dev.ferry.renderer.vulkan.VulkanRenderer;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks a renderer by name: "gles", "vulkan", "cpu", "dummy", or "auto" (GLES when EGL works, else CPU). */
public final class Renderers {
    private static final Logger LOG = LoggerFactory.getLogger(Renderers.class);

    private Renderers() {}

    /**
     * Creates the named renderer. "gles" fails if EGL cannot start, "vulkan" if no Vulkan device can; "auto" never fails and logs
     * one line saying which renderer it chose and why.
     */
    public static Renderer create(String name) throws RendererUnavailableException {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "gles" -> GlesRenderer.start();
            case "vulkan" -> VulkanRenderer.start();
            case "cpu" -> new CpuRenderer();
            case "dummy" -> new DummyRenderer();
            case "auto" -> auto();
            default -> throw new IllegalArgumentException("unknown renderer '" + name + "' (gles, vulkan, cpu, dummy, auto)");
        };
    }

    private static Renderer auto() {
        try {
            GlesRenderer gles = GlesRenderer.start();
            LOG.info("renderer: gles — {}", gles.description());
            return gles;
        } catch (RendererUnavailableException | LinkageError e) {
            LOG.info("renderer: cpu — GLES unavailable: {}", e.getMessage());
            return new CpuRenderer();
        }
    }
}
