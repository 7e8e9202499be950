package dev.ferry.protocol.loop;

import dev.ferry.posix.MonotonicClock;

/**
 * Lets a repeated log line through at most {@code burst} times per window and counts the rest,
 * so that a fault that recurs on every wake-up (a client sending the same bad bytes, a device
 * failing each frame) costs a few lines, not megabytes a second. One per call site, used on the
 * event loop only:
 *
 * <pre>{@code if (limiter.allow()) LOG.warn("... ({} like it suppressed)", ..., limiter.takeSuppressed()); }</pre>
 */
public final class LogLimiter {
    private final int burst;
    private final long windowNs;
    private long windowStartNs = Long.MIN_VALUE;
    private int inWindow;
    private long suppressed;

    public LogLimiter(int burst, long windowNs) {
        if (burst < 1 || windowNs <= 0) throw new IllegalArgumentException("burst " + burst + ", window " + windowNs + " ns");
        this.burst = burst;
        this.windowNs = windowNs;
    }

    /** Ten lines per ten seconds. */
    public static LogLimiter standard() {
        return new LogLimiter(10, 10_000_000_000L);
    }

    /** True when this line may be logged; false counts it as suppressed. */
    public boolean allow() {
        long now = MonotonicClock.nowNs();
        if (windowStartNs == Long.MIN_VALUE || now - windowStartNs >= windowNs) {
            windowStartNs = now;
            inWindow = 0;
        }
        if (inWindow < burst) {
            inWindow++;
            return true;
        }
        suppressed++;
        return false;
    }

    /** How many lines were suppressed since the last call; resets the count. */
    public long takeSuppressed() {
        long n = suppressed;
        suppressed = 0;
        return n;
    }
}
