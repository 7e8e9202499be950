package dev.ferry.compositor.stats;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counters for one output: frames presented, by the path that made them, and the cost of the
 * last ones. Written on the event loop, read there too (stats requests are served on the loop).
 */
public final class OutputStats {
    private long frames;
    private long failedFrames;
    private final Map<String, Long> framesByPath = new LinkedHashMap<>();
    private long lastComposeNs;
    private long totalComposeNs;
    private long lastPresentNs;
    private long bytesComposed;

    public void framePresented(String path, long composeNs, long presentNs, long bytes) {
        frames++;
        framesByPath.merge(path, 1L, Long::sum);
        lastComposeNs = composeNs;
        totalComposeNs += composeNs;
        lastPresentNs = presentNs;
        bytesComposed += bytes;
    }

    public void frameFailed() {
        failedFrames++;
    }

    public long frames() { return frames; }
    public long failedFrames() { return failedFrames; }
    public Map<String, Long> framesByPath() { return framesByPath; }
    public long lastComposeNs() { return lastComposeNs; }
    public long totalComposeNs() { return totalComposeNs; }
    public long lastPresentNs() { return lastPresentNs; }
    public long bytesComposed() { return bytesComposed; }
}
