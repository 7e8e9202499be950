package dev.ferry.compositor.backend.kms;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.plan.PlanSurface;
import dev.ferry.compositor.plan.UpdateRate;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.drm.DmaBuf;
import dev.ferry.drm.UdmabufDevice;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.kms.FallbackReason;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What one output's planner is told of each visible surface (a reused {@link PlanSurface} per
 * place): geometry, buffer (a wl_shm buffer wrapped as a udmabuf where it can be), opacity,
 * transform, scaling and source crop, and the update rate measured on the loop's clock. Every
 * buffer with a dma-buf for the display is handed to watch, so the driver forgets it with it.
 */
final class PlanInputs {
    private final Output output;
    /** Wraps wl_shm pools as dma-bufs for the planes. */
    private final UdmabufDevice udmabuf;
    private final Consumer<ClientBuffer> watch;
    private PlanSurface[] inputs = new PlanSurface[0];
    private final Map<Surface, UpdateRate> rates = new java.util.IdentityHashMap<>();

    PlanInputs(Output output, UdmabufDevice udmabuf, Consumer<ClientBuffer> watch) {
        this.output = output;
        this.udmabuf = udmabuf;
        this.watch = watch;
    }

    /** Describes the visible surfaces at nowNs: the first visible.size() entries of the array returned. */
    PlanSurface[] describe(List<Scene.Placed> visible, long nowNs) {
        int n = visible.size();
        if (inputs.length < n) {
            PlanSurface[] grown = java.util.Arrays.copyOf(inputs, Math.max(n, inputs.length * 2));
            for (int i = inputs.length; i < grown.length; i++) grown[i] = new PlanSurface();
            inputs = grown;
        }
        for (int i = 0; i < n; i++) describe(visible.get(i), nowNs, inputs[i]);
        if (rates.size() > 4 * n + 16) rates.keySet().retainAll(surfacesOf(visible));
        return inputs;
    }

    /** The last frame's descriptions (what {@link #describe} returned). */
    PlanSurface[] described() { return inputs; }

    private static java.util.Set<Surface> surfacesOf(List<Scene.Placed> visible) {
        java.util.Set<Surface> set = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Scene.Placed p : visible) set.add(p.surface());
        return set;
    }

    /** What the planner needs to know of one placed surface. */
    private void describe(Scene.Placed p, long nowNs, PlanSurface in) {
        Surface s = p.surface();
        ClientBuffer b = s.buffer();
        in.set(s, b, p.x(), p.y(), p.width(), p.height());
        in.root = p.root();
        in.treeSize = s.stack().size();
        UpdateRate rate = rates.computeIfAbsent(s, k -> new UpdateRate());
        rate.sample(s.commitCount(), nowNs);
        // No surface shows more often than the output refreshes: a burst of commits is not a faster video.
        in.updateHz = Math.min(rate.hz(nowNs), output.refreshMilliHz() / 1000.0);
        if (b == null) return;
        // A wl_shm buffer is wrapped as a udmabuf (once): then it is a dma-buf like a client's own.
        DmaBuf buf = b.scanoutDmaBuf(udmabuf);
        in.dmabuf = buf != null;
        if (buf == null) in.noDmabuf = shmMiss(b.udmabufRefusal());
        in.fourcc = b.fourcc();
        in.modifier = buf != null ? buf.modifier() : Modifiers.LINEAR;
        in.bufferWidth = b.width();
        in.bufferHeight = b.height();
        in.alpha = b.hasAlpha();
        in.opaque = s.state().opaque();
        in.transform = s.state().transform();
        var st = s.state();
        in.scaled = scaledOrCropped(st, b) || b.width() != p.width() || b.height() != p.height();
        if (st.hasSource()) {
            in.srcX = (int) st.srcX();
            in.srcY = (int) st.srcY();
            in.srcWidth = (int) st.srcW();
            in.srcHeight = (int) st.srcH();
        } else {
            in.srcX = in.srcY = 0;
            in.srcWidth = b.width();
            in.srcHeight = b.height();
        }
        if (buf != null) watch.accept(b);
    }

    /** A viewport that changes nothing (waylandsink sets a destination of the buffer's own size) is no scaling. */
    private static boolean scaledOrCropped(dev.ferry.compositor.core.SurfaceState st, ClientBuffer b) {
        boolean cropped = st.hasSource() && (st.srcX() != 0 || st.srcY() != 0 || st.srcW() != b.width() || st.srcH() != b.height());
        boolean scaled = st.dstW() > 0 && (st.dstW() != b.width() || st.dstH() != b.height());
        return cropped || scaled;
    }

    /** Why a wl_shm buffer has no dma-buf for the display: the udmabuf refusal, as a fallback reason. */
    private static FallbackReason shmMiss(dev.ferry.drm.UdmabufRefusal refusal) {
        if (refusal == null) return FallbackReason.SHM_BUFFER;
        return switch (refusal) {
            case NOT_SHRINK_SEALED -> FallbackReason.SHM_UNSEALED;
            case OUT_OF_BOUNDS, OFFSET_UNALIGNED, SIZE_UNALIGNED, EMPTY -> FallbackReason.SHM_PAGES_PAST_POOL;
            case NOT_A_MEMFD, WRITE_SEALED, TOO_LARGE -> FallbackReason.SHM_BUFFER;
        };
    }

}
