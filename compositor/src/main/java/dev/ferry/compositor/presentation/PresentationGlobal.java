package dev.ferry.compositor.presentation;

import dev.ferry.compositor.core.PresentationListener;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.output.Output;
import dev.ferry.posix.MonotonicClock;
import dev.ferry.protocol.interfaces.WpPresentation;
import dev.ferry.protocol.interfaces.WpPresentationFeedback;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

/** wp_presentation: when each commit reached the screen, on CLOCK_MONOTONIC. */
public final class PresentationGlobal implements WpPresentation.Requests {
    public static final int VERSION = 2;

    public PresentationGlobal(Display display) {
        display.addGlobal(WpPresentation.INTERFACE, VERSION, (client, version, id) -> {
            Resource r = client.createResource(id, WpPresentation.INTERFACE, version, this);
            WpPresentation.sendClockId(r, MonotonicClock.CLOCK_MONOTONIC);
        });
    }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void feedback(Resource self, Resource surfaceRes, int callback) {
        Resource r = self.client().createResource(callback, WpPresentationFeedback.INTERFACE, self.version(), null);
        Feedback f = new Feedback(r);
        r.setImplementation(f);
        surfaceRes.implementation(Surface.class).addPendingFeedback(f);
    }

    /** One wp_presentation_feedback: answered once, then destroyed (it has no requests). */
    private static final class Feedback implements PresentationListener {
        private final Resource resource;

        Feedback(Resource resource) {
            this.resource = resource;
        }

        @Override
        public void presented(Output output, long timeNs, long refreshNs, long sequence, int flags) {
            if (resource.destroyed()) return;
            for (Resource o : output.resourcesOf(resource.client())) WpPresentationFeedback.sendSyncOutput(resource, o);
            long sec = timeNs / 1_000_000_000L;
            WpPresentationFeedback.sendPresented(resource, (int) (sec >>> 32), (int) sec, (int) (timeNs % 1_000_000_000L),
                    (int) refreshNs, (int) (sequence >>> 32), (int) sequence, flags);
            resource.destroy();
        }

        @Override
        public void discarded() {
            if (resource.destroyed()) return;
            WpPresentationFeedback.sendDiscarded(resource);
            resource.destroy();
        }
    }
}
