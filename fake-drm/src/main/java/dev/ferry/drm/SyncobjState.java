package dev.ferry.drm;

import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One DRM sync object as every process holding it sees it: a sealed one-page memfd (its name,
 * {@code ferry-syncobj:1;id=HEX;bin=0|1}, says what it is, as a dma-buf's does) mapped shared, so
 * a point a client's job adds is seen by the compositor, and a release point the compositor
 * signals is seen by the client. This object owns its fd and mapping (one per handle).
 *
 * <p>The page models the kernel's dma_fence_chain: points in ascending order, each with the time
 * its fence signals on the kernel clock; a point has signalled once its own fence and every
 * earlier one have (the chain's rule), so the effective time of a point is the running maximum.
 * A wait for point P is answered by the first point at or above P; with none, P has not
 * materialised. Leading points that have signalled are folded into a floor (the kernel's chain
 * garbage collection), so a long video never fills the page. A binary syncobj holds at most one
 * fence, at point 0.
 *
 * <pre>
 * 0   lock word (a spin lock shared between processes: CAS 0 -> 1)
 * 8   points in use                 16  floor: every point at or below it has signalled
 * 24  change counter                32  deadline hints that hurried a job on it
 * 64  points, 32 bytes each:
 *     +0 point  +8 signal time (ns; NEVER: never)  +16 earliest the job can finish (a deadline
 *     hint may bring the signal time down to it)   +24 1 if a deadline hint did
 * </pre>
 */
final class SyncobjState implements AutoCloseable {
    static final String PREFIX = "ferry-syncobj:1;";
    static final int PAGE = 4096;
    /** fenceAt's answer for a point nothing has been submitted for yet. */
    static final long UNMATERIALISED = -1;

    private static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();
    private static final long LOCK = 0, COUNT = 8, FLOOR = 16, CHANGES = 24, BOOSTS = 32, ENTRIES = 64;
    private static final int ENTRY = 32;
    static final int CAPACITY = (int) ((PAGE - ENTRIES) / ENTRY);
    private static final long POINT = 0, SIGNAL_AT = 8, EARLIEST = 16, BOOSTED = 24;

    private final long id;
    private final boolean binary;
    private final OwnedFd fd;
    private MemorySegment page;

    private SyncobjState(long id, boolean binary, OwnedFd fd, MemorySegment page) {
        this.id = id;
        this.binary = binary;
        this.fd = fd;
        this.page = page;
    }

    /** A new syncobj, unsignalled (or, with signalled, holding a signalled fence at point 0). */
    static SyncobjState create(long id, boolean binary) throws PosixException {
        OwnedFd fd = Memfd.create(PREFIX + "id=" + Long.toHexString(id) + ";bin=" + (binary ? 1 : 0), PAGE);
        try {
            Memfd.addSeals(fd, Memfd.F_SEAL_SHRINK | Memfd.F_SEAL_GROW | Memfd.F_SEAL_SEAL);
            return new SyncobjState(id, binary, fd, Memfd.map(fd, 0, PAGE, Memfd.PROT_READ | Memfd.PROT_WRITE));
        } catch (PosixException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** The syncobj behind someone else's fd (the fd stays theirs), or null if it is not one. */
    static SyncobjState open(OwnedFd theirs) throws PosixException {
        String name = BufferIdentity.memfdNameOf(theirs.fd());
        if (name == null || !name.startsWith(PREFIX)) return null;
        long id;
        boolean binary;
        try {
            String[] f = name.substring(PREFIX.length()).split(";");
            if (f.length != 2 || !f[0].startsWith("id=") || !f[1].startsWith("bin=")) return null;
            id = Long.parseUnsignedLong(f[0].substring(3), 16);
            binary = f[1].equals("bin=1");
        } catch (RuntimeException e) {
            return null;
        }
        if ((Memfd.seals(theirs) & Memfd.F_SEAL_SHRINK) == 0 || Memfd.size(theirs) != PAGE) return null;
        OwnedFd mine = theirs.dup();
        try {
            return new SyncobjState(id, binary, mine, Memfd.map(mine, 0, PAGE, Memfd.PROT_READ | Memfd.PROT_WRITE));
        } catch (PosixException | RuntimeException e) {
            mine.close();
            throw e;
        }
    }

    long id() { return id; }

    boolean binary() { return binary; }

    /** A new fd for the same syncobj (HANDLE_TO_FD); the caller owns it. */
    OwnedFd exportFd() throws PosixException {
        return fd.dup();
    }

    synchronized boolean isOpen() { return page != null; }

    // ---- the page, under its lock ----

    private void lock() {
        while (!WORD.compareAndSet(page, LOCK, 0L, 1L)) Thread.onSpinWait();
    }

    private void unlock() {
        WORD.setVolatile(page, LOCK, 0L);
    }

    private long at(int i, long field) { return (long) WORD.get(page, ENTRIES + (long) i * ENTRY + field); }

    private void put(int i, long field, long v) { WORD.set(page, ENTRIES + (long) i * ENTRY + field, v); }

    private int count() { return (int) (long) WORD.get(page, COUNT); }

    /**
     * When the fence answering this point signals: 0 if long since, NEVER if never,
     * UNMATERIALISED if nothing was submitted for it yet.
     */
    synchronized long fenceAt(long point) {
        if (page == null) return UNMATERIALISED;
        lock();
        try {
            int n = count();
            if (binary) return n == 0 ? UNMATERIALISED : at(0, SIGNAL_AT);
            if (Long.compareUnsigned(point, (long) WORD.get(page, FLOOR)) <= 0) return 0;
            long effective = 0;
            for (int i = 0; i < n; i++) {
                long s = at(i, SIGNAL_AT);
                effective = Math.max(effective, s);
                if (Long.compareUnsigned(at(i, POINT), point) >= 0) return effective;
            }
            return UNMATERIALISED;
        } finally {
            unlock();
        }
    }

    /** DRM_IOCTL_SYNCOBJ_QUERY: the last point that has signalled (a binary syncobj: 1 or 0). */
    synchronized long lastSignalled(long nowNs) {
        if (page == null) return 0;
        lock();
        try {
            int n = count();
            if (binary) return n > 0 && ImplicitFence.signalled(at(0, SIGNAL_AT), nowNs) ? 1 : 0;
            long last = (long) WORD.get(page, FLOOR);
            long effective = 0;
            for (int i = 0; i < n; i++) {
                effective = Math.max(effective, at(i, SIGNAL_AT));
                if (!ImplicitFence.signalled(effective, nowNs)) break;
                last = at(i, POINT);
            }
            return last;
        } finally {
            unlock();
        }
    }

    /** Adds a fence at a point (a binary syncobj replaces its fence). */
    synchronized void add(long point, long signalAtNs, long earliestNs, long nowNs) throws SyncobjException {
        if (page == null) throw new SyncobjException(SyncobjRejection.UNKNOWN_HANDLE, "closed");
        if (binary && point != 0) throw new SyncobjException(SyncobjRejection.BINARY_POINT, "point " + point);
        if (!binary && point == 0) throw new SyncobjException(SyncobjRejection.POINT_REGRESSION, "point 0 is below every timeline point");
        lock();
        try {
            if (binary) {
                write(0, 0, signalAtNs, earliestNs);
                WORD.set(page, COUNT, 1L);
            } else {
                compact(nowNs);
                int n = count();
                long last = n == 0 ? (long) WORD.get(page, FLOOR) : at(n - 1, POINT);
                if (Long.compareUnsigned(point, last) <= 0) {
                    throw new SyncobjException(SyncobjRejection.POINT_REGRESSION, "point " + Long.toUnsignedString(point)
                            + " after " + Long.toUnsignedString(last));
                }
                if (n == CAPACITY) throw new SyncobjException(SyncobjRejection.TIMELINE_FULL, CAPACITY + " points pending");
                write(n, point, signalAtNs, earliestNs);
                WORD.set(page, COUNT, (long) n + 1);
            }
            WORD.getAndAdd(page, CHANGES, 1L);
        } finally {
            unlock();
        }
    }

    private void write(int i, long point, long signalAtNs, long earliestNs) {
        put(i, POINT, point);
        put(i, SIGNAL_AT, signalAtNs);
        put(i, EARLIEST, Math.min(earliestNs, signalAtNs));
        put(i, BOOSTED, 0);
    }

    /** Folds the leading points that have signalled into the floor. Under the lock. */
    private void compact(long nowNs) {
        int n = count();
        int done = 0;
        long effective = 0;
        while (done < n) {
            effective = Math.max(effective, at(done, SIGNAL_AT));
            if (!ImplicitFence.signalled(effective, nowNs)) break;
            done++;
        }
        if (done == 0) return;
        WORD.set(page, FLOOR, at(done - 1, POINT));
        MemorySegment.copy(page, ENTRIES + (long) done * ENTRY, page, ENTRIES, (long) (n - done) * ENTRY);
        WORD.set(page, COUNT, (long) (n - done));
    }

    /** DRM_IOCTL_SYNCOBJ_RESET: drops the fences (a binary syncobj becomes unsignalled). */
    synchronized void reset() {
        if (page == null) return;
        lock();
        try {
            WORD.set(page, COUNT, 0L);
            WORD.getAndAdd(page, CHANGES, 1L);
        } finally {
            unlock();
        }
    }

    /**
     * A deadline hint on the fence answering this point (SYNC_IOC_SET_DEADLINE): every job the
     * point waits for that would finish after the deadline and can finish earlier is brought down
     * to the deadline, or to the earliest it can finish. True if any job was boosted.
     */
    synchronized boolean boost(long point, long deadlineNs, long nowNs) {
        if (page == null) return false;
        lock();
        try {
            int n = count();
            boolean boosted = false;
            for (int i = 0; i < n; i++) {
                long s = at(i, SIGNAL_AT);
                if (s != ImplicitFence.NEVER && s > deadlineNs && s > nowNs) {
                    long to = Math.max(deadlineNs, at(i, EARLIEST));
                    if (to < s) {
                        put(i, SIGNAL_AT, to);
                        put(i, BOOSTED, 1);
                        boosted = true;
                    }
                }
                if (binary || Long.compareUnsigned(at(i, POINT), point) >= 0) break;
            }
            if (boosted) {
                WORD.getAndAdd(page, CHANGES, 1L);
                WORD.getAndAdd(page, BOOSTS, 1L);
            }
            return boosted;
        } finally {
            unlock();
        }
    }

    /** How many deadline hints (from any process) hurried a job on this syncobj. */
    synchronized long boosts() {
        return page == null ? 0 : (long) WORD.getVolatile(page, BOOSTS);
    }

    @Override
    public synchronized void close() {
        if (page != null) Memfd.unmap(page);
        page = null;
        fd.close();
    }

    @Override
    public String toString() {
        return (binary ? "binary" : "timeline") + " syncobj " + Long.toHexString(id);
    }
}
