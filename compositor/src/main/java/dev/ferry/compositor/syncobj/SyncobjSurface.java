package dev.ferry.compositor.syncobj;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.compositor.core.Surface;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.WpLinuxDrmSyncobjSurfaceV1;
import dev.ferry.protocol.server.Resource;

import java.util.concurrent.CompletionStage;

/**
 * wp_linux_drm_syncobj_surface_v1: the acquire and release points of a surface's next commit.
 * They are pending state: each commit checks them against its buffer (the protocol's errors are
 * raised at commit, on this object) and hands them to the surface's pending state, which carries
 * them through a synchronized subsurface's cache or a held commit like any other field. Inert once
 * the surface is gone: every request is then no_surface.
 */
final class SyncobjSurface implements WpLinuxDrmSyncobjSurfaceV1.Requests, Surface.ExplicitSync, Resource.DestroyListener {
    private final LinuxDrmSyncobjGlobal global;
    private final Resource resource;
    private Surface surface;
    private SyncobjTimeline acquireTimeline;
    private long acquirePoint;
    private SyncobjTimeline releaseTimeline;
    private long releasePoint;

    SyncobjSurface(LinuxDrmSyncobjGlobal global, Resource resource, Surface surface) {
        this.global = global;
        this.resource = resource;
        this.surface = surface;
    }

    private Surface live(Resource self) {
        if (surface == null || surface.destroyed()) {
            throw new ProtocolException(self.id(), WpLinuxDrmSyncobjSurfaceV1.ERROR_NO_SURFACE, "the wl_surface is gone");
        }
        return surface;
    }

    private static long point(int hi, int lo) {
        return ((long) hi << 32) | Integer.toUnsignedLong(lo);
    }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void setAcquirePoint(Resource self, Resource timeline, int pointHi, int pointLo) {
        live(self);
        acquireTimeline = timeline.implementation(SyncobjTimeline.class);
        acquirePoint = point(pointHi, pointLo);
    }

    @Override
    public void setReleasePoint(Resource self, Resource timeline, int pointHi, int pointLo) {
        live(self);
        releaseTimeline = timeline.implementation(SyncobjTimeline.class);
        releasePoint = point(pointHi, pointLo);
    }

    @Override
    public void beforeCommit(Surface s) {
        boolean points = acquireTimeline != null || releaseTimeline != null;
        ClientBuffer buffer = s.pendingBuffer();
        if (buffer == null) {
            if (points) {
                clear();
                throw error(WpLinuxDrmSyncobjSurfaceV1.ERROR_NO_BUFFER, "acquire or release point set, but no buffer attached");
            }
            return;
        }
        if (buffer.dmaBuf() == null) {
            throw error(WpLinuxDrmSyncobjSurfaceV1.ERROR_UNSUPPORTED_BUFFER, buffer.kind() + " buffers cannot be explicitly synchronized (only dma-bufs)");
        }
        if (acquireTimeline == null) throw error(WpLinuxDrmSyncobjSurfaceV1.ERROR_NO_ACQUIRE_POINT, "buffer attached without an acquire point");
        if (releaseTimeline == null) throw error(WpLinuxDrmSyncobjSurfaceV1.ERROR_NO_RELEASE_POINT, "buffer attached without a release point");
        if (acquireTimeline == releaseTimeline && Long.compareUnsigned(acquirePoint, releasePoint) >= 0) {
            throw error(WpLinuxDrmSyncobjSurfaceV1.ERROR_CONFLICTING_POINTS, "acquire point " + Long.toUnsignedString(acquirePoint)
                    + " is not below release point " + Long.toUnsignedString(releasePoint) + " on the same timeline");
        }
        s.setPendingSyncPoints(new Acquire(acquireTimeline, acquirePoint), new Release(releaseTimeline, releasePoint));
        clear();
    }

    private ProtocolException error(int code, String message) {
        return new ProtocolException(resource.id(), code, message);
    }

    private void clear() {
        acquireTimeline = releaseTimeline = null;
        acquirePoint = releasePoint = 0;
    }

    /** One commit's acquire point: the commit waits for it instead of the buffer's implicit fence. */
    private final class Acquire implements Surface.ReadinessGate {
        final SyncobjTimeline timeline;
        final long point;

        Acquire(SyncobjTimeline timeline, long point) {
            this.timeline = timeline;
            this.point = point;
        }

        @Override
        public CompletionStage<Boolean> whenReady(Surface s) {
            return global.acquires().whenSignalled(timeline, point, s);
        }
    }

    /** One commit's release point; holds its timeline until signalled. */
    private final class Release implements dev.ferry.compositor.buffer.ReleasePoint {
        final SyncobjTimeline timeline;
        final long point;
        boolean signalled;

        Release(SyncobjTimeline timeline, long point) {
            this.timeline = timeline;
            this.point = point;
            timeline.retain();
        }

        @Override
        public void signal() {
            if (signalled) return;
            signalled = true;
            global.released(timeline, point);
            timeline.release();
        }
    }

    @Override
    public void destroyed(Resource r) {
        if (surface != null && surface.explicitSync() == this) surface.setExplicitSync(null);
        surface = null;
        clear();
    }
}
