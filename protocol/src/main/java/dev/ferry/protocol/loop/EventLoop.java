package dev.ferry.protocol.loop;

import dev.ferry.posix.Epoll;
import dev.ferry.posix.EventFd;
import dev.ferry.posix.PosixException;
import dev.ferry.posix.TimerFd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A single-threaded event loop over epoll. Its duty cycle: wait for ready fds (never longer
 * than asked); run the handlers of the prompt ones (timers, devices, fences: the sources that
 * carry deadlines) and the tasks posted so far; then the work deferred from the cycle before and
 * the handlers of the yielding ones (clients, see {@link #addYielding}); then the tasks posted
 * meanwhile and the after-dispatch hooks (flushing clients). A client may use up to its turn
 * (a couple of milliseconds) per cycle, and several may be ready at once: a repaint timer that
 * waited behind them all would start its frame late and miss the vblank it aims for, which is
 * every other client's frame callback a refresh late. Sources are found by an index token, so a wake-up
 * allocates nothing. Handlers must not block; a handler that throws is logged (rate-limited: a
 * level-triggered fd whose handler keeps failing would otherwise log on every wake-up) and its
 * source left registered, since one broken source must not stop the loop. Sources whose failure
 * belongs to one party (a client) catch their own failures and drop that party instead.
 */
public final class EventLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);

    @FunctionalInterface
    public interface FdHandler {
        void ready(int events) throws Exception;
    }

    /** A registered fd. */
    public final class Source {
        private final int slot;
        private final int fd;
        private final FdHandler handler;
        /** Handled after the prompt sources in a cycle ({@link #addYielding}). */
        private final boolean yielding;
        private int interest;
        private boolean removed;

        private Source(int slot, int fd, int interest, FdHandler handler, boolean yielding) {
            this.slot = slot;
            this.fd = fd;
            this.interest = interest;
            this.handler = handler;
            this.yielding = yielding;
        }

        public void interest(int newInterest) {
            if (removed || newInterest == interest) return;
            try {
                epoll.modify(fd, newInterest, slot);
                interest = newInterest;
            } catch (PosixException e) {
                throw new IllegalStateException(e);
            }
        }

        public int interest() { return interest; }

        /** Unregisters; the fd itself stays with its owner. */
        public void remove() {
            if (removed) return;
            removed = true;
            epoll.remove(fd);
            sources.set(slot, null);
            // Free from the next cycle on: this cycle's ready list may still name the slot.
            slotsFreedThisCycle.add(slot);
        }
    }

    /**
     * A one-shot timer at an absolute deadline on the loop's clock; re-arm it to repeat.
     *
     * <p>Arming is lazy. A deadline later than the one the timerfd already holds, and a disarm,
     * cost no system call: the timerfd fires at its earlier deadline, finds the timer's real one
     * (or none) and is re-armed for it then. A watchdog pushed back on every frame, which is how
     * the kms driver guards each page flip, so costs one system call and one wake-up per timeout
     * period instead of two system calls per frame.
     *
     * <p>On a virtual clock there is no timerfd: the loop fires due timers at the end of each
     * cycle, and a cycle runs whenever the clock is advanced.
     */
    public final class Timer implements AutoCloseable {
        /** Null on a virtual clock. */
        private final TimerFd timerFd;
        private final Source source;
        private final Runnable action;
        /** When the action is due; 0 when disarmed. */
        private long deadlineNs;
        /** What the timerfd is armed at; 0 when nothing is pending there. */
        private long kernelNs;

        private boolean closed;

        private Timer(Runnable action) throws PosixException {
            this.action = action;
            if (clock.monotonic()) {
                timerFd = new TimerFd();
                source = add(timerFd.fd().fd(), Epoll.EPOLLIN, events -> fired());
            } else {
                timerFd = null;
                source = null;
                virtualTimers.add(this);
            }
        }

        /** Due at deadlineNs on the loop's clock (a past deadline: at once); 0 disarms. */
        public void armAt(long deadlineNs) {
            if (deadlineNs <= 0) {
                disarm();
                return;
            }
            this.deadlineNs = deadlineNs;
            if (timerFd == null) {
                // Armed from another thread, or while the loop waits: the cycle that fires it must run.
                if (!inLoop()) wake.signal();
                return;
            }
            if (kernelNs == 0 || deadlineNs < kernelNs) setKernel(deadlineNs);
        }

        public void disarm() { deadlineNs = 0; }

        private void fired() throws PosixException {
            // 0: re-armed later within this very cycle, after epoll saw it expire; still pending.
            if (timerFd.drain() == 0) return;
            kernelNs = 0;
            if (deadlineNs == 0) return;
            long now = clock.nowNs();
            if (deadlineNs > now) {
                setKernel(deadlineNs);
                return;
            }
            slowWork.late(deadlineNs, now, action);
            deadlineNs = 0;
            long t0 = SlowWorkLog.start();
            action.run();
            SlowWorkLog.end(t0, "timer", action);
        }

        private void setKernel(long ns) {
            try {
                timerFd.armAt(ns);
                kernelNs = ns;
            } catch (PosixException e) {
                throw new IllegalStateException(e);
            }
        }

        /** On a virtual clock: runs the action if it is due at nowNs; whether it ran. */
        private boolean fireIfDue(long nowNs) {
            if (closed || deadlineNs == 0 || deadlineNs > nowNs) return false;
            deadlineNs = 0;
            long t0 = SlowWorkLog.start();
            try {
                action.run();
            } catch (RuntimeException | AssertionError | OutOfMemoryError | StackOverflowError e) {
                if (handlerFailures.allow()) LOG.error("timer action failed ({} like it suppressed)", handlerFailures.takeSuppressed(), e);
            }
            SlowWorkLog.end(t0, "timer", action);
            return true;
        }

        @Override
        public void close() {
            closed = true;
            deadlineNs = 0;
            if (timerFd == null) {
                virtualTimers.remove(this);
                return;
            }
            source.remove();
            timerFd.close();
        }
    }

    private final LoopClock clock;
    /** On a virtual clock, every open timer (fired by {@link #fireDueTimers}); empty on the real one. */
    private final List<Timer> virtualTimers = new ArrayList<>();
    private final Epoll epoll;
    private final EventFd wake;
    private final List<Source> sources = new ArrayList<>();
    private final List<Integer> freeSlots = new ArrayList<>();
    private final List<Integer> slotsFreedThisCycle = new ArrayList<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final List<Runnable> afterDispatch = new ArrayList<>();
    /** Work deferred to the next cycle ({@link #later}), and the list being run this cycle. */
    private ArrayList<Runnable> later = new ArrayList<>();
    private ArrayList<Runnable> runningLater = new ArrayList<>();
    private final LogLimiter handlerFailures = LogLimiter.standard();
    private final SlowWorkLog slowWork = new SlowWorkLog();
    private volatile boolean running;
    private volatile Thread owner;

    /** A loop on CLOCK_MONOTONIC. */
    public EventLoop() throws PosixException {
        this(LoopClock.MONOTONIC);
    }

    /** A loop whose timers run on clock; a virtual one must report each advance ({@link #clockAdvanced}). */
    public EventLoop(LoopClock clock) throws PosixException {
        this.clock = clock;
        epoll = new Epoll(64);
        wake = new EventFd();
        add(wake.fd().fd(), Epoll.EPOLLIN, events -> wake.drain());
    }

    /** A prompt source: its handler runs first in a cycle. For timers, devices, fences. */
    public Source add(int fd, int interest, FdHandler handler) throws PosixException {
        return add(fd, interest, handler, false);
    }

    /**
     * A source whose handler yields to the prompt ones: in a cycle where both are ready it runs
     * after them and after the tasks they posted (a frame's commit). For parties whose work is
     * bounded per cycle but not small, and carries no deadline of its own: clients.
     */
    public Source addYielding(int fd, int interest, FdHandler handler) throws PosixException {
        return add(fd, interest, handler, true);
    }

    private Source add(int fd, int interest, FdHandler handler, boolean yielding) throws PosixException {
        int slot = freeSlots.isEmpty() ? sources.size() : freeSlots.removeLast();
        Source s = new Source(slot, fd, interest, handler, yielding);
        if (slot == sources.size()) sources.add(s);
        else sources.set(slot, s);
        try {
            epoll.add(fd, interest, slot);
        } catch (PosixException e) {
            sources.set(slot, null);
            freeSlots.add(slot);
            throw e;
        }
        return s;
    }

    public Timer timer(Runnable action) throws PosixException {
        return new Timer(action);
    }

    /** The time on the loop's clock: what timer deadlines and everything paced by them are measured in. */
    public long nowNs() {
        return clock.nowNs();
    }

    public LoopClock clock() { return clock; }

    /**
     * A virtual clock moved: the loop runs a cycle, which fires the timers now due. Callable from
     * any thread (a test advancing the clock); nothing to do on the real clock.
     */
    public void clockAdvanced() {
        if (!clock.monotonic()) wake.signal();
    }

    /** Fires the virtual timers due now; a timer armed due by another's action fires in the same pass. */
    private void fireDueTimers() {
        fireTimersDueBy(clock.nowNs(), true);
    }

    /**
     * Fires the virtual timers due by byNs (at it too when inclusive), earliest deadline first, as
     * their timerfds would have expired: the clock may have moved past several deadlines in one
     * step. A timer an action arms due within the bound fires in the same pass; the pass is
     * bounded (a timer re-armed due at once by its own action cannot spin the loop).
     */
    private void fireTimersDueBy(long byNs, boolean inclusive) {
        for (int round = 0; round < 64 * (virtualTimers.size() + 1); round++) {
            Timer first = null;
            for (int i = 0; i < virtualTimers.size(); i++) {
                Timer t = virtualTimers.get(i);
                if (t.closed || t.deadlineNs == 0 || t.deadlineNs > byNs || (!inclusive && t.deadlineNs == byNs)) continue;
                if (first == null || t.deadlineNs < first.deadlineNs) first = t;
            }
            if (first == null) return;
            first.fireIfDue(byNs);
        }
    }

    /**
     * On a virtual clock, the earliest deadline of an armed timer, 0 if none: a test driving the
     * clock stops there so the timer fires at its time, not one big step later. Loop thread only.
     */
    public long nextTimerNs() {
        long next = 0;
        for (int i = 0; i < virtualTimers.size(); i++) {
            Timer t = virtualTimers.get(i);
            if (!t.closed && t.deadlineNs != 0 && (next == 0 || t.deadlineNs < next)) next = t.deadlineNs;
        }
        return next;
    }

    /** Runs after every dispatch cycle, in registration order. */
    public void afterDispatch(Runnable hook) {
        afterDispatch.add(hook);
    }

    /** Runs task on the loop thread; callable from any thread. */
    public void execute(Runnable task) {
        // On a virtual clock a task carries the time it was posted at: it runs after every timer
        // due before then (see the drain in dispatchCycle).
        tasks.add(clock.monotonic() ? task : new Posted(task, clock.nowNs()));
        if (Thread.currentThread() != owner) wake.signal();
    }

    /** A task posted on a virtual clock, and the clock's time then. */
    private record Posted(Runnable task, long atNs) implements Runnable {
        @Override
        public void run() { task.run(); }
    }

    /**
     * Runs task on the loop thread in the next cycle, which then does not wait for fds: after
     * that cycle's prompt sources and their tasks, before its yielding sources; loop thread only. For work cut short to let others run (a client over its message
     * budget): running it in this cycle's task queue would run it again before anyone else.
     */
    public void later(Runnable task) {
        later.add(task);
    }

    public boolean inLoop() {
        return Thread.currentThread() == owner;
    }

    /** One duty cycle, waiting at most timeoutMs for something to happen. Returns events handled. */
    public int dispatch(int timeoutMs) throws PosixException {
        return dispatchCycle(tasks.isEmpty() && later.isEmpty() ? timeoutMs : 0);
    }

    /** timeoutMs -1: until an fd is ready (see {@link Epoll#awaitEvents}). */
    private int dispatchCycle(int timeoutMs) throws PosixException {
        owner = Thread.currentThread();
        for (int i = 0; i < slotsFreedThisCycle.size(); i++) freeSlots.add(slotsFreedThisCycle.get(i));
        slotsFreedThisCycle.clear();
        int n = timeoutMs < 0 ? epoll.awaitEvents() : epoll.await(timeoutMs);
        long cycleStart = slowWork.cycleStarted();
        handleReady(n, false);
        int budget = runTasks(TASK_BUDGET);
        runLater();
        handleReady(n, true);
        runTasks(budget);
        if (!virtualTimers.isEmpty()) fireDueTimers();
        for (int i = 0; i < afterDispatch.size(); i++) {
            long t0 = SlowWorkLog.start();
            afterDispatch.get(i).run();
            SlowWorkLog.end(t0, "after-dispatch hook", afterDispatch.get(i));
        }
        SlowWorkLog.end(cycleStart, "cycle", "(all of it)");
        return n;
    }

    /** Tasks run per cycle at most: posted faster than that, the rest wait for the next cycle. */
    private static final int TASK_BUDGET = 1024;

    /** Runs the handlers of the first n ready sources that are yielding, or of those that are not. */
    private void handleReady(int n, boolean yielding) {
        for (int i = 0; i < n; i++) {
            int slot = (int) epoll.token(i);
            Source s = slot < sources.size() ? sources.get(slot) : null;
            // Removed by a handler earlier in this cycle: null (its slot is not reused before the next).
            if (s == null || s.removed || s.yielding != yielding) continue;
            long t0 = SlowWorkLog.start();
            try {
                s.handler.ready(epoll.events(i));
            } catch (Exception | AssertionError | OutOfMemoryError | StackOverflowError e) {
                // An OutOfMemoryError here is survivable: what the failed handler allocated is
                // garbage now; the loop must not die with it.
                if (handlerFailures.allow()) LOG.error("event handler for fd {} failed ({} like it suppressed)", s.fd, handlerFailures.takeSuppressed(), e);
            }
            SlowWorkLog.end(t0, "fd handler", s.handler);
        }
    }

    /** Runs posted tasks, at most budget of them; returns what is left of the budget. */
    private int runTasks(int budget) {
        Runnable task;
        while (budget > 0 && (task = tasks.poll()) != null) {
            budget--;
            // A timer due before the task was posted fires first, as its timerfd would have woken
            // the loop before the task existed: otherwise a task posted after a clock move (a
            // test's "let the loop settle", a client's request handled meanwhile) runs ahead of
            // it, and a chain of such tasks holds the timer back over many moves of the clock.
            if (task instanceof Posted posted) fireTimersDueBy(posted.atNs(), false);
            long t0 = SlowWorkLog.start();
            try {
                task.run();
            } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                if (handlerFailures.allow()) LOG.error("loop task failed ({} like it suppressed)", handlerFailures.takeSuppressed(), e);
            }
            SlowWorkLog.end(t0, "task", task instanceof Posted p ? p.task() : task);
        }
        return budget;
    }

    /** Runs the work deferred to this cycle ({@link #later}). */
    private void runLater() {
        if (later.isEmpty()) return;
        ArrayList<Runnable> now = later;
        later = runningLater;
        runningLater = now;
        for (int i = 0; i < now.size(); i++) {
            long t0 = SlowWorkLog.start();
            try {
                now.get(i).run();
            } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                if (handlerFailures.allow()) LOG.error("deferred loop task failed ({} like it suppressed)", handlerFailures.takeSuppressed(), e);
            }
            SlowWorkLog.end(t0, "deferred task", now.get(i));
        }
        now.clear();
    }

    /**
     * Runs until {@link #stop}. The wait has no timeout: deadlines are timerfds, other threads
     * and {@link #stop} write the wake eventfd, so every reason to wake is an fd.
     */
    public void run() throws PosixException {
        running = true;
        while (running) runCycles();
    }

    /**
     * A few duty cycles. run() is entered once and loops for the whole session, so HotSpot
     * would compile it only on-stack after some 15 000 back edges: two minutes of interpreted
     * loop at display rate (a tenth of a direct-scanout frame's CPU in `perf`). Called once per
     * 16 cycles, this method is compiled like any other within seconds.
     */
    private void runCycles() throws PosixException {
        for (int i = 0; i < 16 && running; i++) dispatchCycle(tasks.isEmpty() && later.isEmpty() ? -1 : 0);
    }

    public void stop() {
        running = false;
        wake.signal();
    }

    public boolean running() { return running; }

    @Override
    public void close() {
        wake.close();
        epoll.close();
    }
}
