package dev.ferry.compositor.plan;

/**
 * How often one surface's content changes, on the monotonic clock: the mean interval of its
 * last few updates, stretched by the time since the latest one, so a surface that stops
 * updating drops below the overlay threshold within a couple of its old intervals.
 */
public final class UpdateRate {
    /** Updates remembered; the rate needs three (two intervals) before it counts at all. */
    private static final int SAMPLES = 4;
    private static final int MIN_SAMPLES = 3;

    private final long[] times = new long[SAMPLES];
    private int count;
    private int next;
    private long lastCommit = -1;

    /**
     * Notes the surface's commit counter at nowNs (called once per frame): a new count is an
     * update. Several commits between two frames count once, since a frame shows one of them.
     */
    public void sample(long commitCount, long nowNs) {
        if (commitCount == lastCommit) return;
        lastCommit = commitCount;
        times[next] = nowNs;
        next = (next + 1) % SAMPLES;
        if (count < SAMPLES) count++;
    }

    /** Updates per second at nowNs; 0 until enough updates were seen. */
    public double hz(long nowNs) {
        if (count < MIN_SAMPLES) return 0;
        long newest = times[(next + SAMPLES - 1) % SAMPLES];
        long oldest = times[(next + SAMPLES - count) % SAMPLES];
        double meanNs = (double) (newest - oldest) / (count - 1);
        double intervalNs = Math.max(meanNs, nowNs - newest);
        return intervalNs <= 0 ? Double.MAX_VALUE : 1e9 / intervalNs;
    }
}
