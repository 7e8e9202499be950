package dev.ferry.kms;

/**
 * When one output's next frame starts: at the repaint deadline before the vblank it aims for,
 * late enough that commits arriving meanwhile (a client answering the last flip's presentation)
 * are in it, early enough that it is composed or tested and committed before that vblank.
 *
 * <p>The margin before the vblank is measured, not guessed: for each recent frame, the time from
 * when it was meant to start (its deadline, or the moment it was asked for when it started at
 * once) to its flip being queued. That counts the loop's late wake-up as well as the composition
 * and any copy, which is what a busy machine stretches. The margin is the longest of the recent
 * frames plus a half again and a floor ({@link #MIN_MARGIN_NS}).
 *
 * <p>A frame starts at once instead when no frame was measured yet, when the last frame missed
 * the vblank it aimed for, or when the deadline has passed already: a frame is never held back
 * a refresh, let alone dropped, for the schedule's sake. (A fixed margin shorter than the work
 * missed every vblank on a slow start and settled at half rate, replacing every other frame of a
 * client that draws at the display's rate.)
 *
 * <p>Times are on the devices' clock (the loop's). Event-loop thread only; allocates nothing.
 */
public final class RepaintSchedule {
    /** The least margin: the frame still has to be started, planned and committed. */
    public static final long MIN_MARGIN_NS = 2_000_000L;
    /** Frames whose work the margin covers: a slow frame counts for this many frames after it. */
    static final int WINDOW = 8;

    private final long[] workNs = new long[WINDOW];
    private int measured;
    private int next;
    private boolean lastMissed;
    /** The frame in progress: when it was meant to start, and the vblank it aims for (0: none). */
    private long plannedNs;
    private long targetNs;

    /**
     * The margin before a vblank a frame must start by to make it: the longest recent frame's
     * work plus half again, at least {@link #MIN_MARGIN_NS}; 0 while nothing is measured.
     */
    public long marginNs() {
        if (measured == 0) return 0;
        long longest = 0;
        for (int i = 0; i < Math.min(measured, WINDOW); i++) longest = Math.max(longest, workNs[i]);
        return Math.max(MIN_MARGIN_NS, longest + longest / 2);
    }

    /**
     * When a frame asked for at nowNs starts, aiming for vblankNs (the first vblank it can be
     * presented at, 0 if unknown): nowNs itself, or the later repaint deadline.
     */
    public long startNs(long nowNs, long vblankNs, long periodNs) {
        long margin = marginNs();
        if (margin == 0 || lastMissed || vblankNs == 0 || margin >= periodNs) return nowNs;
        long deadline = vblankNs - margin;
        return deadline > nowNs ? deadline : nowNs;
    }

    /**
     * The deadline for content to be ready by to be in the frame that presents at vblankNs (the
     * next one a frame can reach), or the one after if that has passed: what fence deadline hints
     * are set to. With nothing measured, {@link #MIN_MARGIN_NS} before the vblank.
     */
    public long contentDeadlineNs(long nowNs, long vblankNs, long periodNs) {
        if (vblankNs == 0) return 0;
        long margin = Math.min(Math.max(marginNs(), MIN_MARGIN_NS), periodNs / 2);
        long deadline = vblankNs - margin;
        return deadline > nowNs ? deadline : deadline + periodNs;
    }

    /** A frame starts now, meant to start at plannedNs (its deadline, or when it was asked for), aiming for vblankNs. */
    public void started(long plannedNs, long vblankNs) {
        this.plannedNs = plannedNs;
        this.targetNs = vblankNs;
    }

    /** The frame started last was committed (its flip queued) at nowNs: its work is measured. */
    public void committed(long nowNs) {
        if (plannedNs == 0) return;
        workNs[next] = Math.max(0, nowNs - plannedNs);
        next = (next + 1) % WINDOW;
        measured++;
        plannedNs = 0;
    }

    /** The frame started last never reached a flip (nothing to show, refused, failed): it is not measured. */
    public void abandoned() {
        plannedNs = 0;
        targetNs = 0;
    }

    /** The flip of the frame started last completed at presentedNs: whether it made the vblank it aimed for is remembered. */
    public void presented(long presentedNs, long periodNs) {
        lastMissed = targetNs != 0 && presentedNs > targetNs + periodNs / 2;
        targetNs = 0;
    }

    /** The last frame missed the vblank it aimed for: the next one starts at once. */
    public boolean lastMissed() { return lastMissed; }
}
