package dev.ferry.compositor.syncobj;

import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.fence.FenceDeadlines;
import dev.ferry.drm.DeviceSet;
import dev.ferry.drm.ImplicitFence;
import dev.ferry.drm.SyncFile;
import dev.ferry.drm.SyncobjException;
import dev.ferry.posix.Epoll;
import dev.ferry.posix.EventFd;
import dev.ferry.posix.MonotonicClock;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.loop.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Waits for explicit-sync acquire points on the event loop, never blocking it: an eventfd is
 * registered with the syncobj for the point (DRM_IOCTL_SYNCOBJ_EVENTFD, which also covers a point
 * not yet submitted, as WAIT_FOR_SUBMIT would) and joins the loop's epoll set; a timer bounds the
 * wait with the same deadline as implicit fences ({@link dev.ferry.compositor.dmabuf.FenceWaiter}):
 * past it the commit applies without its buffer, the surface keeps its previous one, and the
 * timeout is counted. The deadline runs on the kernel clock (the one the fences run on: the real
 * monotonic clock, or a test's virtual one), as the devices' timer fd for the deadline. Before waiting, the fence gets a deadline hint for the vblank the surface
 * aims for ({@link FenceDeadlines}).
 */
final class AcquireWaiter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AcquireWaiter.class);

    /** Acquire points: committed, already signalled at commit, waited and signalled, waits that hit the deadline. */
    record Counts(long points, long readyAtCommit, long signalled, long timeouts) {}

    private final EventLoop loop;
    private final DeviceSet devices;
    private final long deadlineNs;
    private final FenceDeadlines deadlines;
    private final List<Wait> active = new ArrayList<>();
    private long points;
    private long readyAtCommit;
    private long signalled;
    private long timeouts;
    private long lastTimeoutLogNs;

    AcquireWaiter(EventLoop loop, DeviceSet devices, long deadlineNs, FenceDeadlines deadlines) {
        if (deadlineNs <= 0) throw new IllegalArgumentException("acquire deadline must be positive: " + deadlineNs);
        this.loop = loop;
        this.devices = devices;
        this.deadlineNs = deadlineNs;
        this.deadlines = deadlines;
    }

    Counts counts() { return new Counts(points, readyAtCommit, signalled, timeouts); }

    int pending() { return active.size(); }

    /** Null when the point has signalled; otherwise a stage completing on the loop (true: signalled, false: gave up). */
    CompletionStage<Boolean> whenSignalled(SyncobjTimeline timeline, long point, Surface surface) {
        points++;
        try {
            if (timeline.syncobjs().signalled(timeline.handle(), point)) {
                readyAtCommit++;
                return null;
            }
        } catch (SyncobjException e) {
            // The client destroyed the timeline before committing a point on it: nothing to wait
            // for, so nothing to show; the surface keeps its previous buffer.
            LOG.info("{}: acquire point {} on a destroyed timeline: {}", surface, Long.toUnsignedString(point), e.getMessage());
            timeouts++;
            return CompletableFuture.completedFuture(false);
        }
        Wait w = new Wait(timeline, point, surface);
        try {
            w.start();
        } catch (PosixException | SyncobjException e) {
            LOG.warn("{}: cannot wait for acquire point {}: {}", surface, Long.toUnsignedString(point), e.getMessage());
            w.finish(false);
            return w.done;
        }
        active.add(w);
        return w.done;
    }

    private final class Wait {
        final SyncobjTimeline timeline;
        final long point;
        final Surface surface;
        final CompletableFuture<Boolean> done = new CompletableFuture<>();
        EventFd event;
        EventLoop.Source source;
        SyncFile timeout;
        EventLoop.Source timeoutSource;
        long hintNs;

        Wait(SyncobjTimeline timeline, long point, Surface surface) {
            this.timeline = timeline;
            this.point = point;
            this.surface = surface;
            timeline.retain();
        }

        void start() throws PosixException, SyncobjException {
            hintNs = deadlines.deadlineFor(surface);
            if (hintNs > 0) deadlines.hinted(timeline.syncobjs().setDeadline(timeline.handle(), point, hintNs));
            event = new EventFd();
            timeline.syncobjs().eventfd(timeline.handle(), point, 0, event.fd());
            source = loop.add(event.fd().fd(), Epoll.EPOLLIN, events -> finish(true));
            timeout = devices.timerAt(devices.clock().nowNs() + deadlineNs);
            timeoutSource = loop.add(timeout.fd().fd(), Epoll.EPOLLIN, events -> finish(isSignalled()));
        }

        boolean isSignalled() {
            try {
                return timeline.syncobjs().signalled(timeline.handle(), point);
            } catch (SyncobjException e) {
                return false;
            }
        }

        void finish(boolean ok) {
            if (done.isDone()) return;
            if (source != null) source.remove();
            if (timeoutSource != null) timeoutSource.remove();
            if (timeout != null) timeout.close();
            if (event != null) event.close();
            if (active.remove(this)) {
                if (ok) {
                    signalled++;
                    if (hintNs > 0) {
                        try {
                            long at = timeline.syncobjs().signalTimeNs(timeline.handle(), point);
                            deadlines.finished(hintNs, at == ImplicitFence.NEVER ? -1 : at);
                        } catch (SyncobjException e) {
                            // Gone with the handle: nothing to count.
                        }
                    }
                } else {
                    timeouts++;
                    long now = MonotonicClock.nowNs();
                    if (now - lastTimeoutLogNs > 1_000_000_000L) {
                        lastTimeoutLogNs = now;
                        LOG.info("{}: acquire point {} did not signal within {} ms; keeping the previous buffer ({} timeouts so far)",
                                surface, Long.toUnsignedString(point), deadlineNs / 1_000_000, timeouts);
                    }
                }
            }
            timeline.release();
            done.complete(ok);
        }
    }

    /** Gives up every wait (the surfaces keep their previous buffers) and closes the fds. */
    @Override
    public void close() {
        for (Wait w : List.copyOf(active)) w.finish(false);
    }
}
