package dev.ferry.client;

import dev.ferry.drm.FakeDevice;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.SyncobjException;
import dev.ferry.drm.Syncobjs;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WpLinuxDrmSyncobjManagerV1;
import dev.ferry.protocol.interfaces.WpLinuxDrmSyncobjSurfaceV1;
import dev.ferry.protocol.interfaces.WpLinuxDrmSyncobjTimelineV1;

import java.io.IOException;

/**
 * A client's side of wp_linux_drm_syncobj_v1 for one surface: timelines made on a device of the
 * client's fake kernel and imported into the compositor, and the points of each commit. As Mesa's
 * WSI does, each buffer gets a timeline of its own, so its points always rise: use k of a buffer
 * acquires at 2k+1 (its render job's fence) and is released at 2k+2 (signalled by the compositor).
 *
 * <p>Ownership: each {@link Timeline} owns its syncobj handle and its protocol object.
 */
public final class ExplicitSync implements AutoCloseable {
    private final WaylandClient client;
    private final Proxy manager;
    private final Proxy syncSurface;
    private final Syncobjs syncobjs;

    /** Null when the compositor has no wp_linux_drm_syncobj_manager_v1. */
    public static ExplicitSync forSurface(WaylandClient client, Proxy surface, FakeKernel kernel) throws IOException {
        if (client.global(WpLinuxDrmSyncobjManagerV1.NAME) == null) return null;
        FakeDevice device = null;
        for (FakeDevice d : kernel.devices()) {
            if (d.syncobjs().supported()) {
                device = d;
                break;
            }
        }
        if (device == null) throw new IOException("no device of " + kernel.topology().name() + " has syncobjs");
        return new ExplicitSync(client, surface, device.syncobjs());
    }

    private ExplicitSync(WaylandClient client, Proxy surface, Syncobjs syncobjs) throws IOException {
        this.client = client;
        this.syncobjs = syncobjs;
        manager = client.bind(WpLinuxDrmSyncobjManagerV1.INTERFACE, 1);
        syncSurface = WpLinuxDrmSyncobjManagerV1.getSurface(manager, surface);
    }

    /** A new timeline, imported into the compositor. */
    public Timeline timeline() throws IOException {
        try {
            int handle = syncobjs.createTimeline();
            try (OwnedFd fd = syncobjs.exportFd(handle)) {
                return new Timeline(handle, WpLinuxDrmSyncobjManagerV1.importTimeline(manager, fd));
            }
        } catch (SyncobjException | PosixException e) {
            throw new IOException("cannot make a timeline: " + e.getMessage(), e);
        }
    }

    public Syncobjs syncobjs() { return syncobjs; }

    /** One buffer's timeline. */
    public final class Timeline implements AutoCloseable {
        private final int handle;
        private final Proxy proxy;
        private long uses;

        private Timeline(int handle, Proxy proxy) {
            this.handle = handle;
            this.proxy = proxy;
        }

        public int handle() { return handle; }

        /**
         * The next use: a fake render job of durationNs (fastestNs if a deadline hint hurries it)
         * at the acquire point, and both points set for the coming commit. Returns the release point.
         */
        public long render(long durationNs, long fastestNs) throws IOException {
            uses++;
            long acquire = 2 * uses - 1, release = 2 * uses;
            try {
                syncobjs.submitJob(handle, acquire, durationNs, fastestNs);
            } catch (SyncobjException e) {
                throw new IOException(e.getMessage(), e);
            }
            WpLinuxDrmSyncobjSurfaceV1.setAcquirePoint(syncSurface, proxy, (int) (acquire >>> 32), (int) acquire);
            WpLinuxDrmSyncobjSurfaceV1.setReleasePoint(syncSurface, proxy, (int) (release >>> 32), (int) release);
            return release;
        }

        /** Whether the compositor has signalled this release point. */
        public boolean released(long point) {
            try {
                return syncobjs.signalled(handle, point);
            } catch (SyncobjException e) {
                return false;
            }
        }

        /** When the point signalled on the kernel clock (-1 if not yet). */
        public long signalledAtNs(long point) {
            try {
                long t = syncobjs.signalTimeNs(handle, point);
                return released(point) ? t : -1;
            } catch (SyncobjException e) {
                return -1;
            }
        }

        /** Deadline hints that hurried this timeline's jobs (the compositor's, seen through the shared syncobj). */
        public long boosts() {
            try {
                return syncobjs.boosts(handle);
            } catch (SyncobjException e) {
                return 0;
            }
        }

        @Override
        public void close() {
            if (!proxy.isDestroyed()) WpLinuxDrmSyncobjTimelineV1.destroy(proxy);
            try {
                syncobjs.destroy(handle);
            } catch (SyncobjException e) {
                // Already gone.
            }
        }
    }

    @Override
    public void close() {
        if (!syncSurface.isDestroyed()) WpLinuxDrmSyncobjSurfaceV1.destroy(syncSurface);
        if (!manager.isDestroyed()) WpLinuxDrmSyncobjManagerV1.destroy(manager);
        try {
            client.flush();
        } catch (IOException ignored) {
            // The compositor may already be gone.
        }
    }
}
