package dev.ferry.kms;

/**
 * When one output's next frame starts: at the repaint deadline before the vblank it aims for,
 * late enough that commits arriving meanwhile (a client answering the last flip's presentation)
 * are in it, early enough that it is composed or tested and committed before that vblank.
 *
 * <p>The margin before the vblank is measured, not guessed: for each frame, the time from when
 * it was meant to start (its deadline, or the moment it was asked for when it started at once)
 * to its flip being queued. That counts the loop's late wake-up as well as the composition and
 * any copy, which is what a busy machine stretches. The schedule keeps an estimate that rises at
 * once to a frame slower than it and falls back towards quicker ones over about a second
 * ({@link #FADE_FRAMES}); the margin is that estimate plus a half again, at least
 * {@link #MIN_MARGIN_NS}. A slow frame on a busy machine is rarely alone: a client's turn on the
 * loop, the loop waiting for a CPU, a new window's first frame come back every second or
 * so. With only the last eight frames remembered, the margin was back at its floor by the next
 * one, which then missed its vblank, and every window drawing on its frame callbacks lost a
 * refresh with it (BENCHMARKS.md, issue 15, "The repaint margin"). KWin's render journal
 * likewise rises at once to a slow frame and lets it fade over seconds. The price is on the
 * other side: for that second clients must commit earlier to make the next frame.
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
    /**
     * How slowly the estimate falls towards quicker frames: by 1/FADE_FRAMES of the difference a
     * frame, so a slow frame's excess is down to a third after this many frames (about a second
     * at 60 Hz) and to a twentieth after three times as many.
     */
    static final int FADE_FRAMES = 64;

    /** The frame work the margin allows for: risen to the slowest frame at once, fading since; 0 before any. */
    private long estimateNs;
    /** The output's refresh period, from the last frame scheduled: a frame counts for at most one. */
    private long periodNs;
    private boolean lastMissed;
    /** The frame in progress: when it was meant to start, and the vblank it aims for (0: none). */
    private long plannedNs;
    private long targetNs;

    /**
     * The margin before a vblank a frame must start by to make it: the estimated frame work plus
     * half again, at least {@link #MIN_MARGIN_NS}; 0 while nothing is measured.
     */
    public long marginNs() {
        if (estimateNs == 0) return 0;
        return Math.max(MIN_MARGIN_NS, estimateNs + estimateNs / 2);
    }

    /**
     * When a frame asked for at nowNs starts, aiming for vblankNs (the first vblank it can be
     * presented at, 0 if unknown): nowNs itself, or the later repaint deadline.
     */
    public long startNs(long nowNs, long vblankNs, long periodNs) {
        this.periodNs = periodNs;
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
        // At least 1 ns: a measured frame is told from none. At most a refresh: a frame slower
        // than that (a cold start's first ones) starts at once anyway, and counted in full it
        // would hold the margin up for seconds.
        long work = Math.max(1, nowNs - plannedNs);
        if (periodNs > 0) work = Math.min(work, periodNs);
        estimateNs = work >= estimateNs ? work : estimateNs - (estimateNs - work) / FADE_FRAMES;
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
