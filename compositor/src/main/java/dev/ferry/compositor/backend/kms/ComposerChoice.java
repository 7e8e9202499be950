package dev.ferry.compositor.backend.kms;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.drm.DrmDevice;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.Swapchain;
import dev.ferry.renderer.Renderer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Which renderer composes one output's frame, and why a dearer one where it is not the render
 * GPU. The render GPU composes unless a buffer is out of its reach. Then, on another device's
 * output, that device's own GPU composes if it reaches every buffer (no copy needed at all, into
 * a swapchain of its own made on first need); otherwise the CPU does the frame through system
 * RAM. A GPU renderer that lost its device (CONTEXT_LOST) fails every later frame, so from then
 * on the CPU composes. Each miss is added to the surface's reasons.
 */
final class ComposerChoice {
    private static final Logger LOG = LoggerFactory.getLogger(ComposerChoice.class);

    private final Output output;
    /** The output's display device. */
    private final DrmDevice display;
    private final Renderer gpu;
    private final Renderer cpu;
    /** What the render GPU can read. */
    private final RenderReach reach;
    /** For another device's output whose device can render: what its own GPU can read; else null. */
    private final RenderReach displayReach;
    /** Every client buffer with a dma-buf that was asked about: the driver forgets state with it. */
    private final Consumer<ClientBuffer> watch;
    private Swapchain localChain;
    private boolean localChainFailed;
    private boolean gpuLost;
    private boolean local;
    private boolean cpuFrame;

    ComposerChoice(Output output, DrmDevice display, boolean crossDevice, Renderer gpu, Renderer cpu, RenderReach reach,
                   Consumer<ClientBuffer> watch) {
        this.output = output;
        this.display = display;
        this.gpu = gpu;
        this.cpu = cpu;
        this.reach = reach;
        this.displayReach = crossDevice && display.info().canRender() ? new RenderReach(display) : null;
        this.watch = watch;
    }

    /** Chooses for a frame composing these surfaces, adding each miss to its reasons. */
    void choose(List<Scene.Placed> visible, Map<Surface, EnumSet<FallbackReason>> reasons) {
        boolean unreachable = false;
        for (Scene.Placed p : visible) {
            ClientBuffer b = p.surface().buffer();
            if (b == null) continue;
            if (gpu == null) reasons.get(p.surface()).add(FallbackReason.NO_RENDER_DEVICE);
            else if (!gpuReads(b)) unreachable = true;
        }
        local = !gpuLost && unreachable && displayReaches(visible);
        cpuFrame = gpu == null || gpuLost || (unreachable && !local);
        if (cpuFrame && gpu != null) {
            for (Scene.Placed p : visible) {
                ClientBuffer b = p.surface().buffer();
                if (b == null) continue;
                Set<FallbackReason> r = reasons.get(p.surface());
                r.add(gpuLost ? FallbackReason.RENDERER_LOST
                        : gpuReads(b) ? FallbackReason.FRAME_SHARED_WITH_CPU_COPY : FallbackReason.RENDERER_IMPORT_FAILED);
                // The output's own GPU would compose everything locally if it could read this one.
                if (displayReach != null && !displayReach.gpuCanRead(b)) r.add(FallbackReason.OUTPUT_GPU_UNREACHABLE);
            }
        }
    }

    /** The last choice: the output's own GPU composes, into {@link #localChain}. */
    boolean local() { return local; }

    /** The last choice: the CPU composes. */
    boolean cpuFrame() { return cpuFrame; }

    /** The last choice's renderer. */
    Renderer renderer() { return cpuFrame ? cpu : gpu; }

    String renderDeviceName() { return reach.renderDevice().info().name(); }

    /** Whether the CPU can read b (bracketed) for a CPU frame. */
    boolean cpuCanRead(ClientBuffer b) { return reach.cpuCanRead(b); }

    boolean gpuLost() { return gpuLost; }

    /** The GPU renderer lost its device: every later frame here is the CPU's. */
    void gpuLost(boolean lost) { gpuLost = lost; }

    /** The display device's GPU (when it has one) can read every buffer shown. */
    private boolean displayReaches(List<Scene.Placed> visible) {
        if (displayReach == null) return false;
        for (Scene.Placed p : visible) {
            ClientBuffer b = p.surface().buffer();
            if (b != null && !displayReach.gpuCanRead(b)) return false;
        }
        return localChain() != null;
    }

    /** Scanout buffers on the display device for frames its own GPU composes, made on first need. */
    Swapchain localChain() {
        if (localChain == null && !localChainFailed) {
            try {
                localChain = new Swapchain(display, output.width(), output.height(), Fourcc.XRGB8888, 3, false);
            } catch (dev.ferry.drm.AllocationException | dev.ferry.posix.PosixException e) {
                LOG.info("{}: {} cannot compose locally: {}", output.name(), display.info().name(), e.getMessage());
                localChainFailed = true;
            }
        }
        return localChain;
    }

    private boolean gpuReads(ClientBuffer b) {
        if (b.dmaBuf() != null) watch.accept(b);
        return reach.gpuCanRead(b);
    }

    /** The client destroyed b: what both GPUs knew of it goes. */
    void forget(ClientBuffer b) {
        reach.forget(b);
        if (displayReach != null) displayReach.forget(b);
    }

    void close() {
        if (localChain != null) localChain.close();
    }
}
