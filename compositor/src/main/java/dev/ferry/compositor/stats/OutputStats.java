package dev.ferry.compositor.stats;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counters for one output: frames presented, by the path that made them, how many were late, and
 * the cost of the last ones. Written on the event loop, read there too (stats requests are served
 * on the loop). Counting a frame allocates nothing once its path has been seen.
 */
public final class OutputStats {
    private long frames;
    private long failedFrames;
    private long lateFrames;
    /** Per path label, a one-element counter: a boxed Long per frame would be garbage per frame. */
    private final Map<String, long[]> framesByPath = new LinkedHashMap<>();
    private long lastComposeNs;
    private long totalComposeNs;
    private long lastPresentNs;
    private long bytesComposed;

    public void framePresented(String path, long composeNs, long presentNs, long bytes) {
        frames++;
        framesByPath.computeIfAbsent(path, k -> new long[1])[0]++;
        lastComposeNs = composeNs;
        totalComposeNs += composeNs;
        lastPresentNs = presentNs;
        bytesComposed += bytes;
    }

    public void frameFailed() {
        failedFrames++;
    }

    /**
     * A frame presented after the vblank it was meant for (its repaint deadline's, or the first
     * it could reach when it started at once): every surface in it, and every client waiting on
     * its frame callback, lost a refresh.
     */
    public void frameLate() {
        lateFrames++;
    }

    public long frames() { return frames; }
    public long failedFrames() { return failedFrames; }
    public long lateFrames() { return lateFrames; }

    /** Frames by path label, in the order the paths were first seen: a copy. */
    public Map<String, Long> framesByPath() {
        Map<String, Long> out = new LinkedHashMap<>();
        framesByPath.forEach((path, n) -> out.put(path, n[0]));
        return out;
    }
    public long lastComposeNs() { return lastComposeNs; }
    public long totalComposeNs() { return totalComposeNs; }
    public long lastPresentNs() { return lastPresentNs; }
    public long bytesComposed() { return bytesComposed; }
}
