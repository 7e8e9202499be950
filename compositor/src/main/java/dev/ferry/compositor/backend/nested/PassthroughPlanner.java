package dev.ferry.compositor.backend.nested;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.compositor.buffer.ShmShare;
import dev.ferry.compositor.core.RectSet;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.core.SurfaceState;
import dev.ferry.compositor.scene.Scene;
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
 * buffer unchanged (a sealed wl_shm pool, a format the host's wl_shm lists, no buffer
 * transform; a viewport only where the host has wp_viewporter); and an output has at most
 * {@code limit} host subsurfaces. Decided from the top of the stack down, so the topmost
 * surfaces take the subsurfaces first.
 */
final class PassthroughPlanner {
    /** The decision for one frame: what goes to the host (bottom to top) and why the rest is composed. */
    record Plan(List<Scene.Placed> passthrough, Map<Surface, Set<FallbackReason>> reasons, RectSet opaqueArea) {}

    private final Set<Integer> hostShmFormats;
    private final boolean hostViewporter;
    private final int limit;

    PassthroughPlanner(Set<Integer> hostShmFormats, boolean hostViewporter, int limit) {
        this.hostShmFormats = hostShmFormats;
        this.hostViewporter = hostViewporter;
        this.limit = limit;
    }

    Plan plan(List<Scene.Placed> visible, int outputWidth, int outputHeight) {
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
            if (why.isEmpty() && through.size() >= limit) why.add(FallbackReason.HOST_SUBSURFACE_LIMIT);
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
        if (share == null) {
            why.add(FallbackReason.HOST_CANNOT_TAKE_BUFFER);
        } else {
            // A host mapping an unsealed file faults when the client shrinks it.
            if (!share.sealed()) why.add(FallbackReason.SHM_UNSEALED);
            if (!hostShmFormats.contains(share.wlShmFormat())) why.add(FallbackReason.HOST_LACKS_FORMAT);
        }
        if (st.transform() != 0) why.add(FallbackReason.TRANSFORMED);
        if ((st.hasSource() || st.dstW() > 0) && !hostViewporter) why.add(FallbackReason.SCALED);
    }

    /** Whether nothing under the surface shows through it. */
    static boolean opaque(Surface s) {
        ClientBuffer b = s.buffer();
        if (b == null) return false;
        if (!b.hasAlpha()) return true;
        return RectSet.of(0, 0, s.width(), s.height()).subtract(s.state().opaque()).isEmpty();
    }
}
