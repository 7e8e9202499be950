package dev.ferry.compositor.syncobj;

import dev.ferry.drm.SyncobjException;
import dev.ferry.drm.SyncobjOps;
import dev.ferry.protocol.interfaces.WpLinuxDrmSyncobjTimelineV1;
import dev.ferry.protocol.server.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * wp_linux_drm_syncobj_timeline_v1: a client's timeline syncobj imported on the compositor's
 * device. The handle lives as long as the resource or any point committed on it, whichever is
 * last: a client may destroy the timeline object right after committing, and its release point
 * must still be signalled.
 */
final class SyncobjTimeline implements WpLinuxDrmSyncobjTimelineV1.Requests, Resource.DestroyListener {
    private static final Logger LOG = LoggerFactory.getLogger(SyncobjTimeline.class);

    private final SyncobjOps syncobjs;
    private final int handle;
    private final Resource resource;
    private int refs = 1;

    SyncobjTimeline(SyncobjOps syncobjs, int handle, Resource resource) {
        this.syncobjs = syncobjs;
        this.handle = handle;
        this.resource = resource;
    }

    SyncobjOps syncobjs() { return syncobjs; }

    int handle() { return handle; }

    void retain() { refs++; }

    void release() {
        if (--refs > 0) return;
        try {
            syncobjs.destroy(handle);
        } catch (SyncobjException e) {
            LOG.debug("{}: destroying syncobj handle {}: {}", resource, handle, e.getMessage());
        }
    }

    /**
     * Signals a release point. A client that reused a point (so this one is not above the
     * timeline's last) has broken its own timeline; after the commit was accepted that is no
     * protocol error, only logged.
     */
    void signal(long point) {
        try {
            syncobjs.signal(handle, point);
        } catch (SyncobjException e) {
            LOG.info("{}: release point {} not signalled: {}", resource, Long.toUnsignedString(point), e.getMessage());
        }
    }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void destroyed(Resource r) {
        release();
    }

    @Override
    public String toString() { return resource.toString(); }
}
