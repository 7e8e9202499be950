package dev.ferry.compositor.stats;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The faults a running compositor met — device faults from the (fake) kernel, injected ones, a
 * client's fence that never signalled — each with where it struck, when, how Ferry recovered and
 * how many frames it cost. `ferry ctl stats` and the report list them; users read them to tell a
 * fallback the hardware forced from one a fault caused.
 *
 * <p>Written and read on the event loop. Bounded: the oldest entries go first once it is full, but
 * the count by kind is kept for all of them, so a fault storm cannot grow the heap.
 */
public final class FaultLog {
    /** How many entries are kept for listing; older ones are counted only. */
    public static final int CAPACITY = 256;

    /** What kind of fault it was (fake-drm's fault kinds, plus those the compositor itself sees). */
    public enum Kind {
        COMMIT_FAILED("commit-failed"),
        FLIP_NEVER_COMPLETES("flip-never-completes"),
        IMPORT_FAILED("import-failed"),
        ALLOCATION_FAILED("allocation-failed"),
        FENCE_NEVER_SIGNALS("fence-never-signals"),
        DEVICE_UNPLUGGED("device-unplugged"),
        DEVICE_REPLUGGED("device-replugged"),
        CONNECTOR_UNPLUGGED("connector-unplugged"),
        CONNECTOR_REPLUGGED("connector-replugged"),
        MIGRATION_FAILED("migration-failed"),
        RENDER_FAILED("render-failed");

        private final String label;

        Kind(String label) { this.label = label; }

        public String label() { return label; }
    }

    /**
     * One fault: its kind, where it struck (a device or output name), the monotonic time it was
     * seen, what Ferry did about it, and the frames it cost (0 is the goal).
     */
    public record Entry(Kind kind, String where, long timeNs, String recovery, int framesLost) { }

    /**
     * A client's acquire fence (implicit or explicit) that had not signalled by its deadline: the
     * surface kept its previous buffer, so the frame it committed is the one frame lost; every
     * other surface and output went on.
     */
    public static Entry lateFence(String surface, long deadlineNs, String fence) {
        return new Entry(Kind.FENCE_NEVER_SIGNALS, surface, dev.ferry.posix.MonotonicClock.nowNs(),
                fence + " not signalled within the " + deadlineNs / 1_000_000 + " ms deadline: the surface kept its"
                        + " previous buffer, the other surfaces and outputs went on", 1);
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final long[] countByKind = new long[Kind.values().length];
    private long total;

    public void record(Entry e) {
        if (entries.size() == CAPACITY) entries.removeFirst();
        entries.addLast(e);
        countByKind[e.kind().ordinal()]++;
        total++;
    }

    public void record(Kind kind, String where, long timeNs, String recovery, int framesLost) {
        record(new Entry(kind, where, timeNs, recovery, framesLost));
    }

    /** The entries kept, oldest first. */
    public List<Entry> entries() { return new ArrayList<>(entries); }

    public long count(Kind kind) { return countByKind[kind.ordinal()]; }

    public long total() { return total; }
}
