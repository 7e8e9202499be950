package dev.ferry.compositor.stats;

import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.path.PathObserver;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.compositor.scene.Window;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How often every output and every surface took each path, and why it fell back: the numbers
 * behind `ferry ctl stats` and the fallback report. Surfaces that are gone keep their record
 * (the report at the end of a run wants them), up to a bound.
 */
public final class PathStatistics implements PathObserver {
    private static final Logger LOG = LoggerFactory.getLogger(PathStatistics.class);
    private static final int MAX_GONE = 256;
    /** At most one log line about missed scanout per surface per this many ns. */
    private static final long LOG_INTERVAL_NS = 10_000_000_000L;

    /** One surface's record. */
    public static final class SurfaceRecord {
        final String id;
        final int pid;
        String title = "";
        String appId = "";
        final Map<String, PathCounters> byOutput = new LinkedHashMap<>();
        final PathCounters all = new PathCounters();
        boolean gone;
        /** The allocation the surface's last dma-buf feedback offered, kept for when it has none (it is gone). */
        ReasonAdvice.Allocation lastAllocation;
        /**
         * A gone surface's report, made once: its counters no longer change, and remaking it for
         * every watch line cost 11 us and 16 kB per gone surface per line (StatsLineBenchmark).
         * Never changed once made; callers get a copy of the top level to add to.
         */
        Map<String, Object> goneReport;
        long lastLogNs;
        long firstDirectScanoutNs;

        SurfaceRecord(String id, int pid) {
            this.id = id;
            this.pid = pid;
        }

        public PathCounters all() { return all; }
        public String title() { return title; }
        public String appId() { return appId; }
        public boolean gone() { return gone; }
        public ReasonAdvice.Allocation lastAllocation() { return lastAllocation; }
        /** When the surface was first scanned out directly, 0 if never. */
        public long firstDirectScanoutNs() { return firstDirectScanoutNs; }
    }

    private final Scene scene;
    private final Map<Surface, SurfaceRecord> live = new IdentityHashMap<>();
    private final List<SurfaceRecord> gone = new ArrayList<>();
    private final Map<String, PathCounters> outputs = new LinkedHashMap<>();
    /** Per output, whether every surface of the frame being reported took its cheapest path. */
    private final Map<String, Boolean> frameCheapest = new java.util.HashMap<>();

    public PathStatistics(Scene scene) {
        this.scene = scene;
    }

    @Override
    public void surfacePresented(Output output, Surface surface, PathKind path, Set<FallbackReason> reasons, long presentNs) {
        SurfaceRecord r = live.get(surface);
        if (r == null) {
            r = new SurfaceRecord(surface.resource().toString(), surface.resource().client().pid());
            live.put(surface, r);
        }
        Window w = scene.windowOf(surface);
        if (w != null && w.surface() == surface) {
            r.title = w.title();
            r.appId = w.appId();
        }
        r.all.record(path, reasons, presentNs);
        if (!PathCounters.isCheapestPossible(path, reasons)) frameCheapest.put(output.name(), Boolean.FALSE);
        r.byOutput.computeIfAbsent(output.name(), k -> new PathCounters()).record(path, reasons, presentNs);
        if (path == PathKind.DIRECT_SCANOUT && r.firstDirectScanoutNs == 0) r.firstDirectScanoutNs = presentNs;
        if (path != PathKind.DIRECT_SCANOUT && !reasons.isEmpty() && presentNs - r.lastLogNs > LOG_INTERVAL_NS
                && LOG.isInfoEnabled()) {
            r.lastLogNs = presentNs;
            LOG.info("{} on {}: {} because {}", r.id, output.name(), path.label(), reasons);
        }
    }

    @Override
    public void outputPresented(Output output, PathKind framePath, String device, long presentNs) {
        // An output's frame is on its cheapest path when every surface in it is.
        boolean cheapest = frameCheapest.remove(output.name()) == null;
        PathCounters c = outputs.computeIfAbsent(output.name(), k -> new PathCounters());
        c.record(framePath, Set.of(), presentNs, cheapest);
        c.recordDevice(framePath, device);
    }

    /** The surface's record, or null if it was never presented. */
    public SurfaceRecord record(Surface s) {
        return live.get(s);
    }

    /**
     * Keeps the allocation a live surface's feedback offers now (its last feedback object is
     * going, or the surface itself): the report's "what to do" for it names that allocation
     * after it is gone. Null keeps what was there.
     */
    public void keepAllocation(Surface s, ReasonAdvice.Allocation a) {
        SurfaceRecord r = live.get(s);
        if (r != null && a != null) r.lastAllocation = a;
    }

    /** A surface went away: its record moves to the gone list. */
    public void surfaceDestroyed(Surface s) {
        SurfaceRecord r = live.remove(s);
        if (r == null) return;
        r.gone = true;
        gone.add(r);
        if (gone.size() > MAX_GONE) gone.removeFirst();
    }

    public PathCounters output(String name) {
        return outputs.get(name);
    }

    public List<Map<String, Object>> surfacesReport() {
        List<Map<String, Object>> out = new ArrayList<>();
        List<SurfaceRecord> all = new ArrayList<>(gone);
        all.addAll(live.values());
        for (SurfaceRecord r : all) {
            if (r.gone) {
                if (r.goneReport == null) r.goneReport = report(r);
                out.add(new LinkedHashMap<>(r.goneReport));
            } else {
                out.add(report(r));
            }
        }
        return out;
    }

    private static Map<String, Object> report(SurfaceRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id);
        m.put("client_pid", r.pid);
        m.put("title", r.title);
        m.put("app_id", r.appId);
        m.put("gone", r.gone);
        if (r.lastAllocation != null) {
            ReasonAdvice.Allocation a = r.lastAllocation;
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("format", a.format());
            am.put("modifier", a.modifier());
            am.put("device", a.device());
            am.put("scanout", a.scanout());
            m.put("last_allocation", am);
        }
        m.put("paths", r.all.toMap());
        Map<String, Object> per = new LinkedHashMap<>();
        for (Map.Entry<String, PathCounters> e : r.byOutput.entrySet()) per.put(e.getKey(), e.getValue().toMap());
        m.put("by_output", per);
        return m;
    }

    public Map<String, Object> outputsReport() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, PathCounters> e : outputs.entrySet()) m.put(e.getKey(), e.getValue().toMap());
        return m;
    }
}
