package dev.ferry.compositor.syncobj;

import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.fence.FenceDeadlines;
import dev.ferry.drm.DeviceSet;
import dev.ferry.drm.ImplicitFence;
import dev.ferry.drm.SyncFile;
import dev.ferry.drm.SyncobjException;
import dev.ferry.drm.SyncobjOps;
import dev.ferry.posix.Epoll;
import dev.ferry.posix.EventFd;
import dev.ferry.posix.MonotonicClock;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.loop.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Waits for explicit-sync acquire points on the event loop, never blocking it. As wlroots does: a
 * point already submitted is exported as a sync file (DRM_IOCTL_SYNCOBJ_EXPORT_SYNC_FILE) whose fd
 * joins the loop's epoll set; one not yet submitted first waits, through an eventfd registered
 * with the syncobj (DRM_IOCTL_SYNCOBJ_EVENTFD, WAIT_AVAILABLE), for its fence to exist. Before
 * waiting, the fence gets a deadline hint for the surface's repaint deadline ({@link FenceDeadlines}).
 *
 * <p>The wait is bounded by the same deadline as implicit fences
 * ({@link dev.ferry.compositor.dmabuf.FenceWaiter}): past it the commit applies without its
 * buffer, the surface keeps its previous one, and the timeout is counted. The deadline runs on the
 * devices' clock (the one fences run on: the real monotonic clock, or a test's virtual one). Every
 * wait's deadline is its start plus the same bound, so they expire in the order they began: one
 * timer fd, armed for the oldest wait, serves them all (a timer per frame would cost three system
 * calls a frame for a bound that is almost never reached).
 */
final class AcquireWaiter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AcquireWaiter.class);

    /** Acquire points: committed, already signalled at commit, waited and signalled, waits that hit the deadline. */
    record Counts(long points, long readyAtCommit, long signalled, long timeouts) {}

    private final EventLoop loop;
    private final DeviceSet devices;
    private final long deadlineNs;
    private final FenceDeadlines deadlines;
    /** Waits in progress, oldest (earliest deadline) first. */
    private final ArrayDeque<Wait> active = new ArrayDeque<>();
    private SyncFile timer;
    private EventLoop.Source timerSource;
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

    private dev.ferry.compositor.stats.FaultLog faults;

    /** Where an acquire point that outlived its deadline is named (fence-never-signals); null: nowhere. */
    void recordFaultsIn(dev.ferry.compositor.stats.FaultLog f) { faults = f; }

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
        Wait w = new Wait(timeline, point, surface, devices.clock().nowNs() + deadlineNs);
        try {
            w.start();
        } catch (PosixException | SyncobjException e) {
            LOG.warn("{}: cannot wait for acquire point {}: {}", surface, Long.toUnsignedString(point), e.getMessage());
            w.finish(false);
            return w.done;
        }
        active.addLast(w);
        if (timer == null) armTimer(w.deadlineAtNs);
        return w.done;
    }

    private void armTimer(long atNs) {
        timer = devices.timerAt(atNs);
        try {
            timerSource = loop.add(timer.fd().fd(), Epoll.EPOLLIN, events -> timerFired());
        } catch (PosixException e) {
            // Without a timer the waits still end when their fences signal, or at close.
            LOG.warn("cannot arm the acquire deadline: {}", e.getMessage());
            timer.close();
            timer = null;
        }
    }

    private void disarmTimer() {
        if (timerSource != null) timerSource.remove();
        if (timer != null) timer.close();
        timerSource = null;
        timer = null;
    }

    /** The oldest waits reached their deadline: they end (signalled or not); the timer moves to the next. */
    private void timerFired() {
        disarmTimer();
        long now = devices.clock().nowNs();
        while (!active.isEmpty() && active.peekFirst().deadlineAtNs <= now) {
            Wait w = active.peekFirst();
            boolean late = !w.isSignalled();
            w.finish(!late);
            if (late && faults != null) {
                faults.record(dev.ferry.compositor.stats.FaultLog.lateFence(w.surface.toString(), deadlineNs,
                        "acquire point " + Long.toUnsignedString(w.point)));
            }
        }
        if (!active.isEmpty()) armTimer(active.peekFirst().deadlineAtNs);
    }

    private final class Wait {
        final SyncobjTimeline timeline;
        final long point;
        final Surface surface;
        final long deadlineAtNs;
        final CompletableFuture<Boolean> done = new CompletableFuture<>();
        /** Waiting for the point to be submitted (WAIT_AVAILABLE), before there is a fence to poll. */
        EventFd available;
        SyncFile fence;
        EventLoop.Source source;
        long hintNs;

        Wait(SyncobjTimeline timeline, long point, Surface surface, long deadlineAtNs) {
            this.timeline = timeline;
            this.point = point;
            this.surface = surface;
            this.deadlineAtNs = deadlineAtNs;
            timeline.retain();
        }

        void start() throws PosixException, SyncobjException {
            if (timeline.syncobjs().materialised(timeline.handle(), point)) {
                pollFence();
            } else {
                available = new EventFd();
                timeline.syncobjs().eventfd(timeline.handle(), point, SyncobjOps.WAIT_AVAILABLE, available.fd());
                source = loop.add(available.fd().fd(), Epoll.EPOLLIN, events -> submitted());
            }
        }

        /** The point has a fence: hint its deadline, then poll its sync file. */
        private void pollFence() throws PosixException, SyncobjException {
            hintNs = deadlines.deadlineFor(surface);
            if (hintNs > 0) deadlines.hinted(timeline.syncobjs().setDeadline(timeline.handle(), point, hintNs));
            fence = timeline.syncobjs().exportSyncFile(timeline.handle(), point);
            source = loop.add(fence.fd().fd(), Epoll.EPOLLIN, events -> finish(true));
        }

        private void submitted() {
            source.remove();
            source = null;
            available.close();
            available = null;
            try {
                pollFence();
            } catch (PosixException | SyncobjException e) {
                LOG.warn("{}: cannot wait for acquire point {}: {}", surface, Long.toUnsignedString(point), e.getMessage());
                finish(false);
            }
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
            if (available != null) available.close();
            long signalNs = fence == null ? -1 : fence.signalAtNs();
            if (fence != null) fence.close();
            if (active.remove(this)) {
                if (ok) {
                    signalled++;
                    if (hintNs > 0) deadlines.finished(hintNs, signalNs == ImplicitFence.NEVER ? -1 : signalNs);
                } else {
                    timeouts++;
                    long now = MonotonicClock.nowNs();
                    if (now - lastTimeoutLogNs > 1_000_000_000L) {
                        lastTimeoutLogNs = now;
                        LOG.info("{}: acquire point {} did not signal within {} ms; keeping the previous buffer ({} timeouts so far)",
                                surface, Long.toUnsignedString(point), deadlineNs / 1_000_000, timeouts);
                    }
                }
                // The timer stays armed when no wait is left: the next wait reuses it, so a
                // client playing at display rate costs one timer per deadline period, not per frame.
            }
            timeline.release();
            done.complete(ok);
        }
    }

    /** Gives up every wait (the surfaces keep their previous buffers) and closes the fds. */
    @Override
    public void close() {
        for (Wait w : List.copyOf(active)) w.finish(false);
        disarmTimer();
    }
}
