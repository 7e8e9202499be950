package dev.ferry.compositor.syncobj;

import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.fence.FenceDeadlines;
import dev.ferry.drm.DeviceSet;
import dev.ferry.drm.DrmDevice;
import dev.ferry.drm.SyncobjException;
import dev.ferry.drm.SyncobjOps;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.WpLinuxDrmSyncobjManagerV1;
import dev.ferry.protocol.interfaces.WpLinuxDrmSyncobjSurfaceV1;
import dev.ferry.protocol.interfaces.WpLinuxDrmSyncobjTimelineV1;
import dev.ferry.protocol.loop.EventLoop;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Global;
import dev.ferry.protocol.server.Resource;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * wp_linux_drm_syncobj_manager_v1: explicit sync with DRM timeline syncobjs. Timelines are
 * imported on the compositor's render device (whose syncobjs any process's fd reaches); a surface's
 * commits then wait for their acquire point on the event loop ({@link AcquireWaiter}) and signal
 * their release point once the buffer's last reader lets go ({@link
 * dev.ferry.compositor.buffer.ClientBuffer#addReleasePoint}): after the frame that composed it is
 * replaced, after the flip that took it off a plane, or at once for a buffer replaced before it was
 * ever shown. Advertised only where the device has syncobjs ({@link #advertisable}).
 */
public final class LinuxDrmSyncobjGlobal implements WpLinuxDrmSyncobjManagerV1.Requests, AutoCloseable {
    /** Same bound as implicit fences (FenceWaiter.DEFAULT_DEADLINE_NS). */
    public static final long DEFAULT_ACQUIRE_DEADLINE_NS = dev.ferry.compositor.dmabuf.FenceWaiter.DEFAULT_DEADLINE_NS;

    private final Display display;
    private final SyncobjOps syncobjs;
    private final AcquireWaiter acquires;
    private final Global global;
    private long releasesSignalled;

    /** Whether a device can back the global: it must have syncobjs. */
    public static boolean advertisable(DrmDevice device) {
        return device != null && device.syncobjs().supported();
    }

    public LinuxDrmSyncobjGlobal(Display display, EventLoop loop, DeviceSet devices, DrmDevice device, long acquireDeadlineNs,
                                 FenceDeadlines deadlines) {
        if (!advertisable(device)) throw new IllegalArgumentException(device + " has no syncobjs");
        this.display = display;
        this.syncobjs = device.syncobjs();
        this.acquires = new AcquireWaiter(loop, devices, acquireDeadlineNs, deadlines);
        this.global = display.addGlobal(WpLinuxDrmSyncobjManagerV1.INTERFACE, 1,
                (client, version, id) -> client.createResource(id, WpLinuxDrmSyncobjManagerV1.INTERFACE, version, this));
    }

    AcquireWaiter acquires() { return acquires; }

    /** Where acquire points that outlive their deadline are named (fence-never-signals). */
    public void recordFaultsIn(dev.ferry.compositor.stats.FaultLog faults) { acquires.recordFaultsIn(faults); }

    void released(SyncobjTimeline timeline, long point) {
        timeline.signal(point);
        releasesSignalled++;
    }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void getSurface(Resource self, int id, Resource surfaceRes) {
        Surface surface = surfaceRes.implementation(Surface.class);
        if (surface.explicitSync() != null) {
            throw new ProtocolException(self.id(), WpLinuxDrmSyncobjManagerV1.ERROR_SURFACE_EXISTS,
                    surfaceRes + " already has a wp_linux_drm_syncobj_surface_v1");
        }
        Resource r = self.client().createResource(id, WpLinuxDrmSyncobjSurfaceV1.INTERFACE, 1, null);
        SyncobjSurface s = new SyncobjSurface(this, r, surface);
        r.setImplementation(s);
        surface.setExplicitSync(s);
    }

    @Override
    public void importTimeline(Resource self, int id, OwnedFd fd) {
        int handle;
        try (fd) {
            handle = syncobjs.importFd(fd);
            if (syncobjs.isBinary(handle)) {
                syncobjs.destroy(handle);
                throw new ProtocolException(self.id(), WpLinuxDrmSyncobjManagerV1.ERROR_INVALID_TIMELINE,
                        "the fd is a binary syncobj, not a timeline");
            }
        } catch (SyncobjException | PosixException e) {
            throw new ProtocolException(self.id(), WpLinuxDrmSyncobjManagerV1.ERROR_INVALID_TIMELINE,
                    "the fd is not a timeline syncobj: " + e.getMessage());
        }
        Resource r = self.client().createResource(id, WpLinuxDrmSyncobjTimelineV1.INTERFACE, 1, null);
        r.setImplementation(new SyncobjTimeline(syncobjs, handle, r));
    }

    /** For `ferry ctl stats`: acquire points and how they were met, release points signalled. */
    public Map<String, Object> statsTree() {
        AcquireWaiter.Counts c = acquires.counts();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("acquirePoints", c.points());
        m.put("readyAtCommit", c.readyAtCommit());
        m.put("waitedAndSignalled", c.signalled());
        m.put("timeouts", c.timeouts());
        m.put("waiting", acquires.pending());
        m.put("releasePointsSignalled", releasesSignalled);
        return m;
    }

    public long releasesSignalled() { return releasesSignalled; }

    @Override
    public void close() {
        acquires.close();
        display.removeGlobal(global);
    }
}
