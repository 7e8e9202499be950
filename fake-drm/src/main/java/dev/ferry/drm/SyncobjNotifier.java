package dev.ferry.drm;

import dev.ferry.posix.Fds;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The kernel side of DRM_IOCTL_SYNCOBJ_EVENTFD for one fake kernel: registrations (a syncobj, a
 * point, whether a fence merely existing is enough, and a duplicate of the caller's eventfd) that
 * are written and dropped once their condition holds.
 *
 * <p>The kernel runs fence callbacks; this model checks instead. On a {@link VirtualClock} it
 * checks on every advance and after every local change, so tests see exact times. On the real
 * clock a daemon thread sleeps until the earliest known signal time; while some registration
 * waits for a point nothing has been submitted for yet (which another process may add at any
 * moment, unseen here) it re-checks every {@link #UNKNOWN_POLL_NS}. A boost made in this process
 * re-checks at once.
 */
final class SyncobjNotifier implements VirtualClock.Listener, AutoCloseable {
    static final long UNKNOWN_POLL_NS = 1_000_000L;

    private record Registration(SyncobjState state, long point, boolean available, OwnedFd eventFd) {}

    private final KernelClock clock;
    private final List<Registration> registrations = new ArrayList<>();
    private Thread thread;
    private boolean closed;

    SyncobjNotifier(KernelClock clock) {
        this.clock = clock;
        if (clock instanceof VirtualClock v) v.addListener(this);
    }

    synchronized void register(SyncobjState state, long point, boolean available, OwnedFd eventFd) {
        if (closed) {
            eventFd.close();
            return;
        }
        registrations.add(new Registration(state, point, available, eventFd));
        check();
        wakeThread();
    }

    /** A syncobj handle is going away: its registrations are dropped unsignalled. */
    synchronized void forget(SyncobjState state) {
        registrations.removeIf(r -> {
            if (r.state != state) return false;
            r.eventFd.close();
            return true;
        });
    }

    /** A point was added or moved in this process. */
    synchronized void changed() {
        check();
        wakeThread();
    }

    @Override
    public void timeAdvanced(long nowNs) {
        synchronized (this) {
            check();
        }
    }

    /** Fires what is due; returns when to look again (NEVER: nothing known to wait for). */
    private long check() {
        long now = clock.nowNs();
        long next = Wakeup.NEVER;
        for (int i = registrations.size() - 1; i >= 0; i--) {
            Registration r = registrations.get(i);
            if (!r.state.isOpen()) {
                registrations.remove(i).eventFd.close();
                continue;
            }
            long t = r.state.fenceAt(r.point);
            boolean due = t != SyncobjState.UNMATERIALISED && (r.available || ImplicitFence.signalled(t, now));
            if (due) {
                registrations.remove(i);
                try {
                    Fds.writeCounter(r.eventFd, 1);
                } catch (PosixException e) {
                    // The caller's eventfd is full or broken: nothing more a kernel could do.
                }
                r.eventFd.close();
            } else if (t == SyncobjState.UNMATERIALISED) {
                next = Math.min(next, now + UNKNOWN_POLL_NS);
            } else if (t != ImplicitFence.NEVER) {
                next = Math.min(next, t);
            }
        }
        return next;
    }

    private void wakeThread() {
        if (clock instanceof VirtualClock || registrations.isEmpty()) return;
        if (thread == null) {
            thread = Thread.ofPlatform().daemon().name("fake-drm-syncobj").start(this::runThread);
        } else {
            LockSupport.unpark(thread);
        }
    }

    private void runThread() {
        while (true) {
            long next;
            synchronized (this) {
                if (closed) return;
                next = check();
            }
            long now = clock.nowNs();
            // Nothing pending: sleep until a registration or change unparks us (bounded anyway).
            long sleep = next == Wakeup.NEVER ? 1_000_000_000L : Math.max(0, next - now);
            if (sleep > 0) LockSupport.parkNanos(sleep);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (Registration r : registrations) r.eventFd.close();
        registrations.clear();
        if (clock instanceof VirtualClock v) v.removeListener(this);
        if (thread != null) LockSupport.unpark(thread);
    }
}
