package dev.ferry.compositor.committiming;

import dev.ferry.compositor.core.PresentationTiming;
import dev.ferry.compositor.core.Surface;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.WpCommitTimerV1;
import dev.ferry.protocol.interfaces.WpCommitTimingManagerV1;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

/**
 * wp_commit_timing_manager_v1 and wp_commit_timer_v1: a commit with a target time is held until
 * the frame that would present it at or after that time can start; a time already due (or in the
 * past) applies at once. Times are on the presentation clock (CLOCK_MONOTONIC, the devices' clock),
 * and when frames present comes from the backend ({@link PresentationTiming}); where it does not
 * know (no output yet), commits apply at once.
 */
public final class CommitTimingGlobal implements WpCommitTimingManagerV1.Requests {
    private final PresentationTiming timing;

    public CommitTimingGlobal(Display display, PresentationTiming timing) {
        this.timing = timing;
        display.addGlobal(WpCommitTimingManagerV1.INTERFACE, 1,
                (client, version, id) -> client.createResource(id, WpCommitTimingManagerV1.INTERFACE, version, this));
    }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void getTimer(Resource self, int id, Resource surfaceRes) {
        Surface surface = surfaceRes.implementation(Surface.class);
        if (surface.commitTimer() != null) {
            throw new ProtocolException(self.id(), WpCommitTimingManagerV1.ERROR_COMMIT_TIMER_EXISTS,
                    surfaceRes + " already has a wp_commit_timer_v1");
        }
        Resource r = self.client().createResource(id, WpCommitTimerV1.INTERFACE, 1, null);
        r.setImplementation(new Timer(surface));
        surface.setCommitTimer(r);
    }

    /** One surface's commit timer; inert (surface_destroyed) once the surface is gone. */
    private final class Timer implements WpCommitTimerV1.Requests, Resource.DestroyListener {
        private Surface surface;

        Timer(Surface surface) {
            this.surface = surface;
        }

        @Override
        public void setTimestamp(Resource self, int secHi, int secLo, int nsec) {
            if (surface == null || surface.destroyed()) {
                throw new ProtocolException(self.id(), WpCommitTimerV1.ERROR_SURFACE_DESTROYED, "the wl_surface is gone");
            }
            if (Integer.compareUnsigned(nsec, 1_000_000_000) >= 0) {
                throw new ProtocolException(self.id(), WpCommitTimerV1.ERROR_INVALID_TIMESTAMP,
                        "tv_nsec " + Integer.toUnsignedString(nsec) + " is not below one second");
            }
            if (surface.pendingHasTarget()) {
                throw new ProtocolException(self.id(), WpCommitTimerV1.ERROR_TIMESTAMP_EXISTS, "the next commit already has a timestamp");
            }
            long sec = ((long) secHi << 32) | Integer.toUnsignedLong(secLo);
            // Seconds past what nanoseconds in a long can hold are "never before the end of time".
            long targetNs = sec >= Long.MAX_VALUE / 1_000_000_000L ? Long.MAX_VALUE : sec * 1_000_000_000L + nsec;
            surface.setPendingTarget(Math.max(1, targetNs), timing);
        }

        @Override
        public void destroy(Resource self) {}

        @Override
        public void destroyed(Resource r) {
            if (surface != null && surface.commitTimer() == r) surface.setCommitTimer(null);
            surface = null;
        }
    }
}
