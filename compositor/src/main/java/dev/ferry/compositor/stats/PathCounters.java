package dev.ferry.compositor.stats;

import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Frames by path and by fallback reason, since start and over the last {@link #WINDOW} frames
 * (a ring of the recent paths and reason sets, so rates need no per-frame allocation).
 */
public final class PathCounters {
    public static final int WINDOW = 120;
    private static final PathKind[] PATHS = PathKind.values();
    private static final FallbackReason[] REASONS = FallbackReason.values();

    private final long[] byPath = new long[PATHS.length];
    private final long[] byReason = new long[REASONS.length];
    private final byte[] recentPath = new byte[WINDOW];
    private final boolean[] recentCheapest = new boolean[WINDOW];
    private long cheapest;
    private final long[] recentReasons = new long[WINDOW];
    private int recentCount;
    private int recentHead;
    private long frames;
    private long firstNs;
    private long lastNs;

    public void record(PathKind path, Set<FallbackReason> reasons, long timeNs) {
        record(path, reasons, timeNs, isCheapestPossible(path, reasons));
    }

    /** Records a frame whose cheapest-path verdict the caller worked out (an output's: all its surfaces'). */
    public void record(PathKind path, Set<FallbackReason> reasons, long timeNs, boolean onCheapest) {
        if (frames == 0) firstNs = timeNs;
        lastNs = timeNs;
        frames++;
        byPath[path.ordinal()]++;
        long mask = 0;
        for (FallbackReason r : reasons) {
            byReason[r.ordinal()]++;
            mask |= 1L << r.ordinal();
        }
        if (onCheapest) cheapest++;
        recentCheapest[recentHead] = onCheapest;
        recentPath[recentHead] = (byte) path.ordinal();
        recentReasons[recentHead] = mask;
        recentHead = (recentHead + 1) % WINDOW;
        if (recentCount < WINDOW) recentCount++;
    }

    /**
     * A frame is on the cheapest possible path when it went to direct scanout, or when something
     * structural (not fullscreen, occluded, translucent, shm, ...) ruled scanout out: only a
     * miss a reallocation could fix, or a composition miss, counts against it.
     */
    static boolean isCheapestPossible(PathKind path, Set<FallbackReason> reasons) {
        if (path == PathKind.DIRECT_SCANOUT || path == PathKind.OVERLAY_PLANE || path == PathKind.HOST_PASSTHROUGH) return true;
        if (path == PathKind.NOT_SHOWN) return reasons.contains(FallbackReason.OCCLUDED);
        boolean structural = false;
        for (FallbackReason r : reasons) {
            if (r.fixableByReallocation() || r == FallbackReason.FRAME_SHARED_WITH_CPU_COPY) return false;
            structural = true;
        }
        return structural;
    }

    /** Frames by (path, device that did the work), for outputs: a few pairs, searched in order. */
    private PathKind[] devicePath = new PathKind[4];
    private String[] deviceName = new String[4];
    private long[] deviceFrames = new long[4];
    private int devicePairs;

    /** Counts one frame of path done by device (null: unknown, not counted). */
    public void recordDevice(PathKind path, String device) {
        if (device == null) return;
        for (int i = 0; i < devicePairs; i++) {
            if (devicePath[i] == path && deviceName[i].equals(device)) {
                deviceFrames[i]++;
                return;
            }
        }
        if (devicePairs == devicePath.length) {
            devicePath = java.util.Arrays.copyOf(devicePath, devicePairs * 2);
            deviceName = java.util.Arrays.copyOf(deviceName, devicePairs * 2);
            deviceFrames = java.util.Arrays.copyOf(deviceFrames, devicePairs * 2);
        }
        devicePath[devicePairs] = path;
        deviceName[devicePairs] = device;
        deviceFrames[devicePairs++] = 1;
    }

    /** Frames of that path the device did. */
    public long frames(PathKind path, String device) {
        for (int i = 0; i < devicePairs; i++) if (devicePath[i] == path && deviceName[i].equals(device)) return deviceFrames[i];
        return 0;
    }

    public long frames() { return frames; }

    public long framesOnCheapestPath() { return cheapest; }

    /** Share of the recent window's frames on the cheapest possible path (the settled figure). */
    public double recentCheapestShare() {
        if (recentCount == 0) return 0;
        int n = 0;
        for (int i = 0; i < recentCount; i++) if (recentCheapest[i]) n++;
        return n / (double) recentCount;
    }
    public long firstNs() { return firstNs; }
    public long lastNs() { return lastNs; }

    public long frames(PathKind p) { return byPath[p.ordinal()]; }

    /** The path of the most recent frame, or null before any. */
    public PathKind lastPath() {
        return recentCount == 0 ? null : PATHS[recentPath[(recentHead + WINDOW - 1) % WINDOW]];
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("frames", frames);
        PathKind last = lastPath();
        m.put("last_path", last == null ? null : last.label());
        Map<String, Long> paths = new LinkedHashMap<>();
        for (PathKind p : PATHS) if (byPath[p.ordinal()] > 0) paths.put(p.label(), byPath[p.ordinal()]);
        m.put("by_path", paths);
        Map<String, Long> reasons = new LinkedHashMap<>();
        for (FallbackReason r : REASONS) if (byReason[r.ordinal()] > 0) reasons.put(r.label(), byReason[r.ordinal()]);
        m.put("by_reason", reasons);
        if (devicePairs > 0) {
            // "gpu-composition@card1": which device did each path's frames.
            Map<String, Long> byDevice = new LinkedHashMap<>();
            for (int i = 0; i < devicePairs; i++) byDevice.put(devicePath[i].label() + "@" + deviceName[i], deviceFrames[i]);
            m.put("by_device", byDevice);
        }
        int[] recentByPath = new int[PATHS.length];
        int[] recentByReason = new int[REASONS.length];
        for (int i = 0; i < recentCount; i++) {
            recentByPath[recentPath[i]]++;
            long mask = recentReasons[i];
            for (FallbackReason r : REASONS) if ((mask & (1L << r.ordinal())) != 0) recentByReason[r.ordinal()]++;
        }
        Map<String, Double> rates = new LinkedHashMap<>();
        for (PathKind p : PATHS) if (recentByPath[p.ordinal()] > 0) rates.put(p.label(), round(recentByPath[p.ordinal()] / (double) recentCount));
        m.put("frames_on_cheapest_path", cheapest);
        m.put("recent_share_on_cheapest_path", round(recentCheapestShare()));
        m.put("recent_window_frames", recentCount);
        m.put("recent_share_by_path", rates);
        Map<String, Double> reasonRates = new LinkedHashMap<>();
        for (FallbackReason r : REASONS) if (recentByReason[r.ordinal()] > 0) reasonRates.put(r.label(), round(recentByReason[r.ordinal()] / (double) recentCount));
        m.put("recent_share_by_reason", reasonRates);
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
