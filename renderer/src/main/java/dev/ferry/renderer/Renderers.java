package dev.ferry.renderer;

import dev.ferry.renderer.cpu.CpuRenderer;
import dev.ferry.renderer.gles.GlesRenderer;
import dev.ferry.renderer.vulkan.VulkanRenderer;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks a renderer by name: "gles", "vulkan", "cpu", "dummy", or "auto" (Vulkan on a hardware
 * Vulkan device, else GLES on a hardware GPU, else CPU: on software drivers, lavapipe and
 * llvmpipe, the CPU renderer is several times cheaper per frame, see BENCHMARKS.md).
 */
public final class Renderers {
    private static final Logger LOG = LoggerFactory.getLogger(Renderers.class);

    private Renderers() {}

    /**
     * Creates the named renderer. "gles" fails if EGL cannot start, "vulkan" if no Vulkan device can; "auto" never fails and logs
     * one line saying which renderer it chose and why.
     */
    public static Renderer create(String name) throws RendererUnavailableException {
        return choose(name).renderer();
    }

    /** A renderer and why it was the one: what the start-up line says. */
    public record Choice(Renderer renderer, String reason) {}

    /** As {@link #create}, with the reason; "auto" logs it as one line. */
    public static Choice choose(String name) throws RendererUnavailableException {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "gles" -> new Choice(GlesRenderer.start(), "asked for");
            case "vulkan" -> new Choice(VulkanRenderer.start(), "asked for");
            case "cpu" -> new Choice(cpu(), "asked for");
            case "dummy" -> new Choice(new DummyRenderer(), "asked for");
            case "auto" -> announced(auto());
            default -> throw new IllegalArgumentException("unknown renderer '" + name + "' (gles, vulkan, cpu, dummy, auto)");
        };
    }

    /**
     * The CPU renderer as the compositor runs it: composing on a thread of its own, or with
     * {@code -Dferry.cpu.composeThread=false} on the event loop as before (for A/B measurements).
     */
    private static CpuRenderer cpu() {
        return Boolean.parseBoolean(System.getProperty("ferry.cpu.composeThread", "true")) ? CpuRenderer.onItsOwnThread() : new CpuRenderer();
    }

    private static Choice auto() {
        // Without a GPU device node no driver can reach hardware: Mesa would start llvmpipe and
        // lavapipe, which auto passes over anyway. Probing them costs a second of start-up on a
        // loaded two-core machine (loading and linking LLVM, compiling shaders), all before the
        // first frame, so the nodes are looked at first.
        var nodes = GpuNodes.in(java.nio.file.Path.of("/dev"));
        if (nodes.isEmpty()) {
            return new Choice(cpu(), "no GPU device node (/dev/dri/renderD*, /dev/dri/card*, /dev/nvidia*), so EGL and Vulkan"
                    + " could offer only a software rasterizer (llvmpipe, lavapipe), dearer per frame than composing on the CPU directly;"
                    + " --renderer gles or vulkan forces one");
        }
        // Vulkan first, on hardware only: it samples client memory and writes the scanout buffer in
        // place, so it has neither the upload nor the read-back that GLES pays (unmeasured on a GPU:
        // none is lent to CI); on lavapipe it measured 1.6-4.3x dearer than the CPU renderer (BENCHMARKS.md, issue 17).
        var vulkan = VulkanRenderer.probe();
        if (vulkan.isPresent() && !vulkan.get().software()) {
            try {
                VulkanRenderer r = VulkanRenderer.start();
                return new Choice(r, "a hardware Vulkan device: " + r.description());
            } catch (RendererUnavailableException | LinkageError e) {
                LOG.info("renderer auto: Vulkan device {} did not start: {}", vulkan.get().name(), e.getMessage());
            }
        }
        String noVulkan = vulkan.isEmpty() ? "; no Vulkan device" : vulkan.get().software()
                ? "; Vulkan only on the software device " + vulkan.get().name() + ", dearer still (--renderer vulkan forces it)" : "";
        Choice c = autoWithoutVulkan();
        return new Choice(c.renderer(), c.reason() + noVulkan);
    }

    private static Choice autoWithoutVulkan() {
        GlesRenderer gles;
        try {
            gles = GlesRenderer.start();
        } catch (RendererUnavailableException | LinkageError e) {
            return new Choice(cpu(), "GLES unavailable: " + e.getMessage());
        }
        if (gles.softwareRasterizer()) {
            String why = "EGL offers only a software rasterizer (" + gles.description()
                    + "), dearer per frame than composing on the CPU directly; --renderer gles forces it";
            gles.close();
            return new Choice(cpu(), why);
        }
        return new Choice(gles, "a hardware GPU: " + gles.description());
    }

    /** The one line at start saying which renderer auto chose and why (the log shows it by default). */
    private static Choice announced(Choice c) {
        LOG.info("renderer auto: {} — {}", c.renderer().name(), c.reason());
        return c;
    }
}
