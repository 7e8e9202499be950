package dev.ferry.compositor.dmabuf;

import dev.ferry.compositor.buffer.DmaBufBuffer;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.stats.FaultLog;
import dev.ferry.drm.DmaBuf;
import dev.ferry.drm.SyncFile;
import dev.ferry.drm.SyncFileOps;
import dev.ferry.posix.Epoll;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.loop.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Waits for dma-buf implicit write fences on the event loop, never blocking it: the buffer's
 * fence is exported as a sync file (DMA_BUF_IOCTL_EXPORT_SYNC_FILE) whose fd joins the loop's
 * epoll set and becomes readable when the fence signals; a timer on the monotonic clock bounds
 * the wait. Whichever comes first completes the wait and closes both.
 *
 * <p>The deadline defaults to {@link #DEFAULT_DEADLINE_NS} (100 ms): six refreshes at 60 Hz,
 * several times any sane frame's GPU work (a frame's budget is 16.7 ms), so only a hung or
 * runaway job reaches it; and short enough that the user sees a hitch on that one surface rather
 * than a frozen window (kernel hang detection takes seconds). The surface keeps its previous
 * buffer when the deadline passes; each timeout is counted here for statistics
 * ({@link dev.ferry.kms.FallbackReason#FENCE_TIMEOUT}).
 */
public final class FenceWaiter implements DmaBufBuffer.FenceWait, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FenceWaiter.class);
    public static final long DEFAULT_DEADLINE_NS = 100_000_000L;

    private final EventLoop loop;
    private final SyncFileOps kernel;
    private final long deadlineNs;
    private final Map<Surface, long[]> perSurface = new WeakHashMap<>();
    private final java.util.Set<Wait> active = new java.util.HashSet<>();
    private long waits;
    private long signalled;
    private long timeouts;
    private long lastTimeoutLogNs;

    /** Fence counts: waits started, fences that signalled in time, waits that hit the deadline. */
    public record Counts(long waits, long signalled, long timeouts) {}

    public FenceWaiter(EventLoop loop, SyncFileOps kernel, long deadlineNs) {
        if (deadlineNs <= 0) throw new IllegalArgumentException("fence deadline must be positive: " + deadlineNs);
        this.loop = loop;
        this.kernel = kernel;
        this.deadlineNs = deadlineNs;
    }

    public long deadlineNs() { return deadlineNs; }

    private dev.ferry.compositor.fence.FenceDeadlines deadlines;

    /** Deadline hints for every fence waited on (the vblank the surface aims for); null: none. */
    public void setDeadlines(dev.ferry.compositor.fence.FenceDeadlines d) { deadlines = d; }

    private FaultLog faults;

    /** Where a fence that outlived its deadline is named (fence-never-signals); null: nowhere. */
    public void recordFaultsIn(FaultLog f) { faults = f; }

    @Override
    public CompletionStage<Boolean> whenIdle(DmaBuf buf, Surface surface) {
        SyncFile sync;
        try {
            if (kernel.writeFenceSignalled(buf)) return null;
            sync = kernel.exportSyncFile(buf);
        } catch (PosixException | RuntimeException e) {
            // Not a fence we can read: nothing to wait for (a real kernel would have no fence either).
            return null;
        }
        Wait w = new Wait(sync, surface);
        w.hintNs = deadlines == null ? 0 : deadlines.deadlineFor(surface);
        if (w.hintNs > 0) deadlines.hinted(sync.setDeadline(w.hintNs));
        try {
            w.start();
        } catch (PosixException e) {
            w.finish(sync.isSignalled());
            return w.done;
        }
        waits++;
        counts(surface)[0]++;
        active.add(w);
        return w.done;
    }

    private long[] counts(Surface s) {
        return perSurface.computeIfAbsent(s, k -> new long[3]);
    }

    /** Totals over all surfaces. */
    public Counts totals() { return new Counts(waits, signalled, timeouts); }

    /** Counts for one surface (zeros if it never waited). */
    public Counts countsFor(Surface surface) {
        long[] c = perSurface.get(surface);
        return c == null ? new Counts(0, 0, 0) : new Counts(c[0], c[1], c[2]);
    }

    /** Fence waits in progress. */
    public int pending() { return active.size(); }

    private final class Wait {
        final SyncFile sync;
        final Surface surface;
        final CompletableFuture<Boolean> done = new CompletableFuture<>();
        EventLoop.Source source;
        EventLoop.Timer timer;
        long hintNs;

        Wait(SyncFile sync, Surface surface) {
            this.sync = sync;
            this.surface = surface;
        }

        void start() throws PosixException {
            source = loop.add(sync.fd().fd(), Epoll.EPOLLIN, events -> finish(true));
            timer = loop.timer(() -> {
                boolean late = !sync.isSignalled();
                finish(!late);
                if (late && faults != null) faults.record(FaultLog.lateFence(surface.toString(), deadlineNs, "implicit write fence"));
            });
            timer.armAt(loop.nowNs() + deadlineNs);
        }

        void finish(boolean ok) {
            if (done.isDone()) return;
            if (source != null) source.remove();
            if (timer != null) timer.close();
            sync.close();
            if (active.remove(this)) {
                long[] c = counts(surface);
                if (ok) {
                    signalled++;
                    c[1]++;
                    if (hintNs > 0) deadlines.finished(hintNs, sync.signalAtNs() == dev.ferry.drm.ImplicitFence.NEVER ? -1 : sync.signalAtNs());
                } else {
                    timeouts++;
                    c[2]++;
                    long now = loop.nowNs();
                    if (now - lastTimeoutLogNs > 1_000_000_000L) {
                        lastTimeoutLogNs = now;
                        LOG.info("{}: buffer fence did not signal within {} ms; keeping the previous buffer ({} timeouts so far)",
                                surface, deadlineNs / 1_000_000, timeouts);
                    }
                }
            }
            done.complete(ok);
        }
    }

    /** Gives up every wait (the surfaces keep their previous buffers) and closes the fds. */
    @Override
    public void close() {
        for (Wait w : java.util.List.copyOf(active)) w.finish(false);
    }
}
