package dev.ferry.compositor.stats;

import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.path.PathObserver;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Frames by path per output in fixed time buckets: the data behind the timeline chart of the
 * fallback report. Bucket 0 starts at the first frame any output presents; every output counts
 * in the same buckets so the chart lines up. Only the last {@link #CAPACITY} buckets are kept
 * (a ring per output, allocated when the output first presents; nothing per frame).
 *
 * <p>Fed as a {@link PathObserver} on the event loop and read there ({@code ferry ctl stats} is
 * served on the loop). One per {@link Scene}: {@link #attach} makes it, {@link #of} finds it, so
 * the compositor needs one line to register it and StatsReport needs no new parameter.
 */
public final class Timeline implements PathObserver {
    public static final long BUCKET_NS = 250_000_000L;
    public static final int CAPACITY = 480;
    private static final PathKind[] PATHS = PathKind.values();
    private static final Map<Scene, Timeline> BY_SCENE = new WeakHashMap<>();

    private final long bucketNs;
    private final int capacity;
    private final Map<Output, Series> series = new IdentityHashMap<>();
    private final List<Series> order = new ArrayList<>();
    private long originNs = -1;
    /** The newest absolute bucket index seen by any output, -1 before any frame. */
    private long newestBucket = -1;

    private static final class Series {
        final String name;
        final long[] counts;
        long newest = -1;

        Series(String name, int capacity) {
            this.name = name;
            this.counts = new long[capacity * PATHS.length];
        }
    }

    public Timeline(long bucketNs, int capacity) {
        if (bucketNs <= 0 || capacity <= 0) throw new IllegalArgumentException("bucket and capacity must be positive");
        this.bucketNs = bucketNs;
        this.capacity = capacity;
    }

    /** A new timeline for the scene, remembered for {@link #of}. */
    public static Timeline attach(Scene scene) {
        Timeline t = new Timeline(BUCKET_NS, CAPACITY);
        synchronized (BY_SCENE) {
            BY_SCENE.put(scene, t);
        }
        return t;
    }

    /** The scene's timeline, or null when none was attached. */
    public static Timeline of(Scene scene) {
        synchronized (BY_SCENE) {
            return BY_SCENE.get(scene);
        }
    }

    @Override
    public void surfacePresented(Output output, Surface surface, PathKind path, Set<FallbackReason> reasons, long presentNs) {}

    @Override
    public void outputPresented(Output output, PathKind framePath, String device, long presentNs) {
        if (originNs < 0) originNs = presentNs;
        long bucket = Math.max(0, presentNs - originNs) / bucketNs;
        Series s = series.get(output);
        if (s == null) {
            s = new Series(output.name(), capacity);
            series.put(output, s);
            order.add(s);
        }
        count(s, bucket, framePath);
    }

    private void count(Series s, long bucket, PathKind path) {
        if (bucket > s.newest) {
            // Clear the slots the ring skips over (at most its whole length).
            long from = Math.max(s.newest + 1, bucket - capacity + 1);
            for (long b = from; b <= bucket; b++) {
                int base = (int) (b % capacity) * PATHS.length;
                for (int p = 0; p < PATHS.length; p++) s.counts[base + p] = 0;
            }
            s.newest = bucket;
        } else if (bucket <= s.newest - capacity) {
            return; // older than the ring keeps
        }
        s.counts[(int) (bucket % capacity) * PATHS.length + path.ordinal()]++;
        if (bucket > newestBucket) newestBucket = bucket;
    }

    /**
     * The JSON tree: {@code bucket_ms}, {@code paths} (the column names), {@code first_bucket}
     * (absolute index of the first row) and per output a list of rows, one per bucket, each the
     * frame count per path in {@code paths} order.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bucket_ms", bucketNs / 1_000_000.0);
        List<String> names = new ArrayList<>();
        for (PathKind p : PATHS) names.add(p.label());
        m.put("paths", names);
        long first = Math.max(0, newestBucket - capacity + 1);
        m.put("first_bucket", newestBucket < 0 ? 0 : first);
        Map<String, Object> outs = new LinkedHashMap<>();
        for (Series s : order) {
            List<long[]> rows = new ArrayList<>();
            for (long b = first; b <= newestBucket; b++) {
                long[] row = new long[PATHS.length];
                if (b <= s.newest && b > s.newest - capacity) {
                    System.arraycopy(s.counts, (int) (b % capacity) * PATHS.length, row, 0, PATHS.length);
                }
                rows.add(row);
            }
            outs.put(s.name, rows);
        }
        m.put("outputs", outs);
        return m;
    }
}
