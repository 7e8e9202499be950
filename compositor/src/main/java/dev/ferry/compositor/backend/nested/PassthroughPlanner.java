package dev.ferry.compositor.backend.nested;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.compositor.buffer.ShmShare;
import dev.ferry.compositor.core.RectSet;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.core.SurfaceState;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.drm.DmaBuf;
import dev.ferry.kms.FallbackReason;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which surfaces of a nested output go to the host as they are (host-passthrough) and why the
 * others are composed: the nested planner. A host subsurface sits above the window's composed
 * buffer, so a surface can go only where nothing composed lies above it; one reaching past the
 * window would show outside it (the host does not clip subsurfaces); the host must take its
 * buffer unchanged (a sealed wl_shm pool, a format the host's wl_shm lists; or a dma-buf whose
 * format and modifier the host's linux-dmabuf feedback offers and whose import the host
 * accepted; no buffer transform; a viewport only where the host has wp_viewporter); and an output has at most
 * {@code limit} host subsurfaces. Decided from the top of the stack down; when more surfaces
 * could go than there are subsurfaces, the largest take them.
 */
final class PassthroughPlanner {
    /** The decision for one frame: what goes to the host (bottom to top) and why the rest is composed. */
    record Plan(List<Scene.Placed> passthrough, Map<Surface, Set<FallbackReason>> reasons, RectSet opaqueArea) {}

    private final Set<Integer> hostShmFormats;
    private final boolean hostViewporter;
    private final int limit;
    /** The host's linux-dmabuf, or null: then dma-bufs are composed. */
    private final HostDmabuf hostDmabuf;
    private final HostBuffers buffers;

    PassthroughPlanner(Set<Integer> hostShmFormats, boolean hostViewporter, int limit, HostDmabuf hostDmabuf, HostBuffers buffers) {
        this.hostShmFormats = hostShmFormats;
        this.hostViewporter = hostViewporter;
        this.limit = limit;
        this.hostDmabuf = hostDmabuf;
        this.buffers = buffers;
    }

    Plan plan(List<Scene.Placed> visible, int outputWidth, int outputHeight) {
        Plan all = plan(visible, outputWidth, outputHeight, null);
        if (all.passthrough().size() <= limit) return all;
        // More could go than the host has subsurfaces for: the largest take them (a terminal's
        // own decorations, four borders and a title bar, would otherwise take a window's slots
        // before the window itself), the rest are composed, and what lies under those is
        // decided again.
        List<Scene.Placed> byArea = new ArrayList<>(all.passthrough());
        byArea.sort((a, b) -> Long.compare((long) b.width() * b.height(), (long) a.width() * a.height()));
        Set<Surface> chosen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < limit; i++) chosen.add(byArea.get(i).surface());
        return plan(visible, outputWidth, outputHeight, chosen);
    }

    /** Decides top down; with chosen null, as if the host had subsurfaces for all; else only those chosen may take one. */
    private Plan plan(List<Scene.Placed> visible, int outputWidth, int outputHeight, Set<Surface> chosen) {
        List<Scene.Placed> through = new ArrayList<>();
        Map<Surface, Set<FallbackReason>> reasons = new IdentityHashMap<>();
        RectSet composedAbove = RectSet.EMPTY;
        RectSet opaque = RectSet.EMPTY;
        for (int i = visible.size() - 1; i >= 0; i--) {
            Scene.Placed p = visible.get(i);
            Set<FallbackReason> why = EnumSet.noneOf(FallbackReason.class);
            bufferReasons(p.surface(), why);
            if (p.x() < 0 || p.y() < 0 || p.x() + p.width() > outputWidth || p.y() + p.height() > outputHeight) {
                why.add(FallbackReason.PAST_OUTPUT_EDGE);
            }
            if (!composedAbove.intersect(p.x(), p.y(), p.width(), p.height()).isEmpty()) why.add(FallbackReason.OCCLUDED);
            // Only a dma-buf that would go through otherwise is offered to the host (an import costs the host).
            if (why.isEmpty() && p.surface().buffer().shmShare() == null) hostTake(p.surface().buffer(), why);
            if (why.isEmpty() && chosen != null && !chosen.contains(p.surface())) why.add(FallbackReason.HOST_SUBSURFACE_LIMIT);
            if (why.isEmpty()) {
                through.addFirst(p);
                if (opaque(p.surface())) opaque = opaque.add(p.x(), p.y(), p.width(), p.height());
            } else {
                reasons.put(p.surface(), why);
                composedAbove = composedAbove.add(p.x(), p.y(), p.width(), p.height()).simplified();
            }
        }
        return new Plan(through, reasons, opaque.simplified());
    }

    private void bufferReasons(Surface s, Set<FallbackReason> why) {
        ClientBuffer b = s.buffer();
        SurfaceState st = s.state();
        ShmShare share = b == null ? null : b.shmShare();
        DmaBuf dma = b == null ? null : b.dmaBuf();
        if (share == null && (dma == null || hostDmabuf == null)) {
            why.add(FallbackReason.HOST_CANNOT_TAKE_BUFFER);
        } else if (share == null) {
            if (!hostDmabuf.takes(dma.fourcc(), dma.modifier())) why.add(FallbackReason.HOST_LACKS_FORMAT);
        } else {
            // A host mapping an unsealed file faults when the client shrinks it.
            if (!share.sealed()) why.add(FallbackReason.SHM_UNSEALED);
            if (!hostShmFormats.contains(share.wlShmFormat())) why.add(FallbackReason.HOST_LACKS_FORMAT);
        }
        if (st.transform() != 0) why.add(FallbackReason.TRANSFORMED);
        if ((st.hasSource() || st.dstW() > 0) && !hostViewporter) why.add(FallbackReason.SCALED);
    }

    /** A dma-buf the host takes by its feedback: whether the host has a buffer for it yet, or refused it. */
    private void hostTake(ClientBuffer b, Set<FallbackReason> why) {
        switch (buffers.take(b)) {
            case READY -> { }
            case PENDING -> why.add(FallbackReason.HOST_BUFFER_PENDING);
            case REFUSED -> why.add(FallbackReason.HOST_REFUSED_BUFFER);
        }
    }

    /** Whether nothing under the surface shows through it. */
    static boolean opaque(Surface s) {
        ClientBuffer b = s.buffer();
        if (b == null) return false;
        if (!b.hasAlpha()) return true;
        return RectSet.of(0, 0, s.width(), s.height()).subtract(s.state().opaque()).isEmpty();
    }
}
