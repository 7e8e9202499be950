package dev.ferry.drm;

import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * fake-drm's {@link SyncobjOps}: a device's DRM sync objects, as its DRM fd offers them, on
 * handles that belong to this process. The objects themselves are shared (see
 * {@link SyncobjState}): export one as an fd, pass it to another process, import it there, and
 * both see the same points, as with the kernel's syncobjs.
 *
 * <p>Devices with a render engine support syncobjs (binary and timeline); a display-only device
 * refuses every call with {@link SyncobjRejection#NOT_SUPPORTED}. Each refusal is a
 * {@link SyncobjException} naming its {@link SyncobjRejection}. Points are unsigned 64-bit.
 *
 * <p>Ownership: a handle owns its mapping and fd until {@link #destroy}; fds from
 * {@link #exportFd} and sync files from {@link #exportSyncFile} belong to the caller; an eventfd
 * given to {@link #eventfd} stays the caller's (the registration holds its own duplicate, closed
 * when it fires or when its handle is destroyed).
 */
public final class Syncobjs implements SyncobjOps, AutoCloseable {
    private static final AtomicLong SERIAL = new AtomicLong();

    private final FakeDevice device;
    private final FakeKernel kernel;
    private final Map<Integer, SyncobjState> handles = new HashMap<>();
    private int nextHandle = 1;

    Syncobjs(FakeDevice device, FakeKernel kernel) {
        this.device = device;
        this.kernel = kernel;
    }

    /** Whether the device has syncobjs at all (a render engine). */
    public boolean supported() { return device.spec().canRender(); }

    private void requireSupport() throws SyncobjException {
        if (!supported()) throw new SyncobjException(SyncobjRejection.NOT_SUPPORTED, device.info().name());
    }

    private synchronized SyncobjState state(int handle) throws SyncobjException {
        requireSupport();
        SyncobjState s = handles.get(handle);
        if (s == null) throw new SyncobjException(SyncobjRejection.UNKNOWN_HANDLE, "handle " + handle);
        return s;
    }

    private synchronized int add(SyncobjState s) {
        int h = nextHandle++;
        handles.put(h, s);
        return h;
    }

    private static long serial() {
        return (ProcessHandle.current().pid() << 32) | SERIAL.incrementAndGet();
    }

    /** DRM_IOCTL_SYNCOBJ_CREATE of a timeline syncobj (no points yet). */
    public int createTimeline() throws SyncobjException, PosixException {
        requireSupport();
        return add(SyncobjState.create(serial(), false));
    }

    /** DRM_IOCTL_SYNCOBJ_CREATE of a binary syncobj (flags: {@link #CREATE_SIGNALED}). */
    public int createBinary(int flags) throws SyncobjException, PosixException {
        requireSupport();
        SyncobjState s = SyncobjState.create(serial(), true);
        if ((flags & CREATE_SIGNALED) != 0) {
            try {
                s.add(0, ImplicitFence.NO_FENCE, ImplicitFence.NO_FENCE, kernel.clock().nowNs());
            } catch (SyncobjException e) {
                s.close();
                throw new IllegalStateException(e);
            }
        }
        return add(s);
    }

    /** DRM_IOCTL_SYNCOBJ_DESTROY; its eventfd registrations go with it, unsignalled. */
    public void destroy(int handle) throws SyncobjException {
        SyncobjState s;
        synchronized (this) {
            state(handle);
            s = handles.remove(handle);
        }
        kernel.syncobjNotifier().forget(s);
        s.close();
    }

    /** DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD: an fd any process can import; the caller owns it. */
    public OwnedFd exportFd(int handle) throws SyncobjException, PosixException {
        return state(handle).exportFd();
    }

    /** DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE: a new handle for the syncobj behind fd (which stays the caller's). */
    public int importFd(OwnedFd fd) throws SyncobjException, PosixException {
        requireSupport();
        SyncobjState s = fd.isOpen() ? SyncobjState.open(fd) : null;
        if (s == null) throw new SyncobjException(SyncobjRejection.NOT_A_SYNCOBJ, fd.toString());
        return add(s);
    }

    /** Whether the syncobj behind a handle is binary. */
    public boolean isBinary(int handle) throws SyncobjException {
        return state(handle).binary();
    }

    private static void checkPoint(SyncobjState s, long point) throws SyncobjException {
        if (s.binary() && point != 0) throw new SyncobjException(SyncobjRejection.BINARY_POINT, "point " + Long.toUnsignedString(point));
    }

    /** Signal time of a point's fence, refusing one not yet submitted. */
    private static long fence(SyncobjState s, long point) throws SyncobjException {
        checkPoint(s, point);
        long t = s.fenceAt(point);
        if (t == SyncobjState.UNMATERIALISED) throw new SyncobjException(SyncobjRejection.NO_FENCE, s + " point " + Long.toUnsignedString(point));
        return t;
    }

    /**
     * DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL (DRM_IOCTL_SYNCOBJ_SIGNAL for a binary one, at point 0):
     * adds a signalled fence at the point. A timeline point at or below its last point is a
     * {@link SyncobjRejection#POINT_REGRESSION}.
     */
    public void signal(int handle, long point) throws SyncobjException {
        SyncobjState s = state(handle);
        long now = kernel.clock().nowNs();
        s.add(point, now, now, now);
        kernel.syncobjNotifier().changed();
    }

    /** DRM_IOCTL_SYNCOBJ_RESET: the syncobj holds no fence (a binary one waits for the next). */
    public void reset(int handle) throws SyncobjException {
        state(handle).reset();
    }

    /** DRM_IOCTL_SYNCOBJ_QUERY: the last point that signalled (binary: 1 if signalled, else 0). */
    public long query(int handle) throws SyncobjException {
        return state(handle).lastSignalled(kernel.clock().nowNs());
    }

    /** Whether the point has signalled; false for one not yet submitted. */
    public boolean signalled(int handle, long point) throws SyncobjException {
        SyncobjState s = state(handle);
        checkPoint(s, point);
        long t = s.fenceAt(point);
        return t != SyncobjState.UNMATERIALISED && ImplicitFence.signalled(t, kernel.clock().nowNs());
    }

    /**
     * When the point's fence signals (or signalled) on the kernel clock: {@link ImplicitFence#NEVER}
     * if never, -1 if nothing was submitted for it yet.
     */
    public long signalTimeNs(int handle, long point) throws SyncobjException {
        SyncobjState s = state(handle);
        checkPoint(s, point);
        return s.fenceAt(point);
    }

    /** Whether something was submitted for the point (its fence exists, signalled or not). */
    public boolean materialised(int handle, long point) throws SyncobjException {
        SyncobjState s = state(handle);
        checkPoint(s, point);
        return s.fenceAt(point) != SyncobjState.UNMATERIALISED;
    }

    /**
     * A fake GPU job on this device (a client's render) that signals the point after durationNs,
     * or after fastestNs if a deadline hint asks it to hurry; never, by fault injection
     * ({@link FaultKind#FENCE_NEVER_SIGNALS}) or with durationNs = {@link ImplicitFence#NEVER}.
     * Returns when it signals.
     */
    public long submitJob(int handle, long point, long durationNs, long fastestNs) throws SyncobjException {
        SyncobjState s = state(handle);
        long now = kernel.clock().nowNs();
        long at = durationNs == ImplicitFence.NEVER ? ImplicitFence.NEVER : device.jobSignalAt(durationNs);
        // The fastest end counts from the same start as the normal one (at - durationNs).
        long earliest = at == ImplicitFence.NEVER ? at : at - Math.max(1, durationNs) + Math.max(1, Math.min(fastestNs, durationNs));
        s.add(point, at, earliest, now);
        kernel.syncobjNotifier().changed();
        return at;
    }

    /** DRM_IOCTL_SYNCOBJ_TRANSFER: the fence at srcPoint becomes the fence at dstPoint. */
    public void transfer(int src, long srcPoint, int dst, long dstPoint) throws SyncobjException {
        long t = fence(state(src), srcPoint);
        SyncobjState d = state(dst);
        d.add(dstPoint, t, t, kernel.clock().nowNs());
        kernel.syncobjNotifier().changed();
    }

    /** DRM_IOCTL_SYNCOBJ_IMPORT_SYNC_FILE at a point: the sync file's fence becomes the point's. */
    public void importSyncFile(int handle, long point, SyncFile sync) throws SyncobjException {
        SyncobjState s = state(handle);
        s.add(point, sync.signalAtNs(), sync.signalAtNs(), kernel.clock().nowNs());
        kernel.syncobjNotifier().changed();
    }

    /**
     * DRM_IOCTL_SYNCOBJ_EXPORT_SYNC_FILE at a point: a pollable fd for the point's fence (the
     * caller owns it). A deadline hint on it reaches the job.
     */
    public SyncFile exportSyncFile(int handle, long point) throws SyncobjException {
        SyncobjState s = state(handle);
        long t = fence(s, point);
        return new FakeSyncFile(kernel.clock(), t, deadline -> {
            boostPoint(s, point, deadline);
            long now = s.fenceAt(point);
            return now == SyncobjState.UNMATERIALISED ? t : now;
        });
    }

    /**
     * A deadline hint for a point (DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE, or SYNC_IOC_SET_DEADLINE
     * on its sync file): jobs it waits for that would finish later are hurried where they can be.
     * True if one was; counted in {@link FakeKernel#deadlineBoosts}.
     */
    public boolean setDeadline(int handle, long point, long deadlineNs) throws SyncobjException {
        SyncobjState s = state(handle);
        checkPoint(s, point);
        return boostPoint(s, point, deadlineNs);
    }

    private boolean boostPoint(SyncobjState s, long point, long deadlineNs) {
        boolean b = s.boost(point, deadlineNs, kernel.clock().nowNs());
        if (b) {
            kernel.boostCounted();
            kernel.syncobjNotifier().changed();
        }
        return b;
    }

    /** How many deadline hints, from any process, hurried a job on this syncobj (the job's owner asks). */
    public long boosts(int handle) throws SyncobjException {
        return state(handle).boosts();
    }

    /**
     * DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT: waits until the points have signalled (all of them with
     * {@link #WAIT_ALL}, else the first) or timeoutNs, an absolute time on the kernel clock,
     * passes ({@link SyncobjRejection#TIMED_OUT}). A point with no fence is
     * {@link SyncobjRejection#NO_FENCE} unless {@link #WAIT_FOR_SUBMIT} is given;
     * {@link #WAIT_AVAILABLE} is satisfied by a fence existing. Returns the index of the first
     * point that satisfied the wait. Blocks the calling thread: an event loop uses
     * {@link #eventfd} instead.
     */
    public int wait(int[] handleList, long[] points, long timeoutNs, int flags) throws SyncobjException {
        if (handleList.length != points.length || handleList.length == 0) throw new IllegalArgumentException("handles and points disagree");
        SyncobjState[] s = new SyncobjState[handleList.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = state(handleList[i]);
            checkPoint(s[i], points[i]);
        }
        while (true) {
            long now = kernel.clock().nowNs();
            int first = -1;
            boolean all = true;
            for (int i = 0; i < s.length; i++) {
                long t = s[i].fenceAt(points[i]);
                if (t == SyncobjState.UNMATERIALISED && (flags & WAIT_FOR_SUBMIT) == 0) {
                    throw new SyncobjException(SyncobjRejection.NO_FENCE, s[i] + " point " + Long.toUnsignedString(points[i]));
                }
                boolean done = t != SyncobjState.UNMATERIALISED && ((flags & WAIT_AVAILABLE) != 0 || ImplicitFence.signalled(t, now));
                if (done && first < 0) first = i;
                all &= done;
            }
            if ((flags & WAIT_ALL) != 0 ? all : first >= 0) return first < 0 ? 0 : first;
            if (now >= timeoutNs) throw new SyncobjException(SyncobjRejection.TIMED_OUT, null);
            // The kernel would sleep on the fences; this model re-checks each millisecond of
            // real time (the virtual clock moves only when its test moves it).
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
            if (Thread.interrupted()) throw new SyncobjException(SyncobjRejection.TIMED_OUT, "interrupted");
        }
    }

    /**
     * DRM_IOCTL_SYNCOBJ_EVENTFD: the eventfd (which stays the caller's) is written once the point
     * signals, or with {@link #WAIT_AVAILABLE} once it has a fence, so an event loop polls for it
     * and never blocks. One-shot, like the kernel's.
     */
    public void eventfd(int handle, long point, int flags, OwnedFd eventFd) throws SyncobjException, PosixException {
        SyncobjState s = state(handle);
        checkPoint(s, point);
        kernel.syncobjNotifier().register(s, point, (flags & WAIT_AVAILABLE) != 0, eventFd.dup());
    }

    /** Destroys every handle (the device is closing). */
    @Override
    public synchronized void close() {
        for (SyncobjState s : handles.values()) {
            kernel.syncobjNotifier().forget(s);
            s.close();
        }
        handles.clear();
    }
}
