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
 * Frames by path per output, and per surface, in fixed time buckets: the data behind the timeline
 * charts of the fallback report. Bucket 0 starts at the first frame any output presents; every
 * output and surface counts in the same buckets so the charts line up. Only the last
 * {@link #CAPACITY} buckets are kept (a ring per output or surface, allocated when it first
 * presents; nothing per frame). At most {@link #MAX_SURFACES} surfaces get a series; a surface
 * keeps its series after it is gone (the report of a run wants it), named by its window title.
 *
 * <p>Fed as a {@link PathObserver} on the event loop and read there ({@code ferry ctl stats} is
 * served on the loop). One per {@link Scene}: {@link #attach} makes it, {@link #of} finds it, so
 * the compositor needs one line to register it and StatsReport needs no new parameter.
 */
public final class Timeline implements PathObserver {
    public static final long BUCKET_NS = 250_000_000L;
    public static final int CAPACITY = 480;
    public static final int MAX_SURFACES = 32;
    private static final PathKind[] PATHS = PathKind.values();
    private static final Map<Scene, Timeline> BY_SCENE = new WeakHashMap<>();

    private final long bucketNs;
    private final int capacity;
    private final Map<Output, Series> series = new IdentityHashMap<>();
    private final List<Series> order = new ArrayList<>();
    private final Map<Surface, Series> surfaceSeries = new IdentityHashMap<>();
    private final List<Series> surfaceOrder = new ArrayList<>();
    private final Scene scene;
    private long originNs = -1;
    /** The newest absolute bucket index seen by any output, -1 before any frame. */
    private long newestBucket = -1;

    private static final class Series {
        String name;
        final long[] counts;
        long newest = -1;

        Series(String name, int capacity) {
            this.name = name;
            this.counts = new long[capacity * PATHS.length];
        }
    }

    public Timeline(long bucketNs, int capacity) {
        this(bucketNs, capacity, null);
    }

    /** With a scene, surfaces are named by their window's title (else app id, else protocol id). */
    public Timeline(long bucketNs, int capacity, Scene scene) {
        this.scene = scene;
        if (bucketNs <= 0 || capacity <= 0) throw new IllegalArgumentException("bucket and capacity must be positive");
        this.bucketNs = bucketNs;
        this.capacity = capacity;
    }

    /** A new timeline for the scene, remembered for {@link #of}. */
    public static Timeline attach(Scene scene) {
        Timeline t = new Timeline(BUCKET_NS, CAPACITY, scene);
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
    public void surfacePresented(Output output, Surface surface, PathKind path, Set<FallbackReason> reasons, long presentNs) {
        if (originNs < 0) originNs = presentNs;
        Series s = surfaceSeries.get(surface);
        if (s == null) {
            if (surfaceOrder.size() >= MAX_SURFACES) return;
            s = new Series(surface.resource().toString(), capacity);
            surfaceSeries.put(surface, s);
            surfaceOrder.add(s);
        }
        if (s.newest < 0 && scene != null) s.name = label(surface);
        count(s, Math.max(0, presentNs - originNs) / bucketNs, path);
    }

    private String label(Surface surface) {
        var w = scene.windowOf(surface);
        if (w == null) return surface.resource().toString();
        String title = w.surface() == surface ? w.title() : "";
        String app = w.surface() == surface ? w.appId() : "";
        String name = !title.isEmpty() ? title : !app.isEmpty() ? app : "";
        return name.isEmpty() ? surface.resource().toString() : name + " (" + surface.resource() + ")";
    }

    /** A surface is gone: its series stays for the report; only the reference to the surface goes. */
    public void surfaceDestroyed(Surface surface) {
        surfaceSeries.remove(surface);
    }

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
        m.put("outputs", rows(order, first));
        m.put("surfaces", rows(surfaceOrder, first));
        return m;
    }

    /** Per series (by name, made unique), its rows from bucket first to the newest. */
    private Map<String, Object> rows(List<Series> all, long first) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Series s : all) {
            List<long[]> rows = new ArrayList<>();
            for (long b = first; b <= newestBucket; b++) {
                long[] row = new long[PATHS.length];
                if (b <= s.newest && b > s.newest - capacity) {
                    System.arraycopy(s.counts, (int) (b % capacity) * PATHS.length, row, 0, PATHS.length);
                }
                rows.add(row);
            }
            String name = s.name;
            for (int n = 2; out.containsKey(name); n++) name = s.name + " #" + n;
            out.put(name, rows);
        }
        return out;
    }
}
