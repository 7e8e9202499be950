package dev.ferry.compositor.stats;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.compositor.scene.Window;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.protocol.server.Client;
import dev.ferry.protocol.server.Display;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the JSON `ferry ctl stats` prints, from the live state, on the event loop. */
public final class StatsReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private StatsReport() {}

    public static Map<String, Object> build(Display display, Scene scene, dev.ferry.compositor.backend.Backend backendImpl,
                                            PathStatistics paths, String renderer, long uptimeNs) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("backend", backendImpl.name());
        root.put("renderer", renderer);
        root.put("uptime_ms", uptimeNs / 1_000_000L);
        List<Map<String, Object>> clients = new ArrayList<>();
        for (Client c : display.clients()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pid", c.pid());
            m.put("objects", c.objectCount());
            clients.add(m);
        }
        root.put("clients", clients);
        List<Map<String, Object>> outputs = new ArrayList<>();
        for (Output o : backendImpl.outputs()) {
            OutputStats s = backendImpl.stats(o);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", o.name());
            m.put("mode", o.width() + "x" + o.height() + "@" + (o.refreshMilliHz() / 1000.0));
            m.put("position", List.of(o.x(), o.y()));
            m.put("frames", s.frames());
            m.put("failed_frames", s.failedFrames());
            m.put("late_frames", s.lateFrames());
            m.put("frames_by_path", s.framesByPath());
            m.put("last_compose_ms", s.lastComposeNs() / 1e6);
            m.put("mean_compose_ms", s.frames() == 0 ? 0 : s.totalComposeNs() / 1e6 / s.frames());
            m.put("bytes_composed", s.bytesComposed());
            PathCounters pc = paths.output(o.name());
            if (pc != null) m.put("paths", pc.toMap());
            if (o.scanoutTarget() != null) m.put("scanout_device", o.scanoutTarget().deviceName());
            m.putAll(backendImpl.outputDetails(o));
            outputs.add(m);
        }
        root.put("outputs", outputs);
        List<Map<String, Object>> surfaces = new ArrayList<>();
        for (Window w : scene.windows()) {
            Scene.forEachSurface(w.surface(), w.x(), w.y(), (s, x, y) -> surfaces.add(surface(w, s, x, y)));
        }
        root.put("surfaces", surfaces);
        root.put("surface_paths", paths.surfacesReport());
        return root;
    }

    /** How many gone surfaces a watch line lists (the newest); `ctl stats` lists all that are kept. */
    public static final int GONE_IN_A_LINE = 8;

    /**
     * For a watch line: keeps only the newest {@link #GONE_IN_A_LINE} gone surfaces in
     * {@code surface_paths} and counts the others under {@code surfaces_gone_not_listed}. A live
     * view shows the live ones; carrying every gone surface's counters in every line made a line
     * cost about 9 us and 11 kB more per gone surface (StatsLineBenchmark).
     */
    @SuppressWarnings("unchecked")
    public static void trimGone(Map<String, Object> root) {
        if (!(root.get("surface_paths") instanceof List<?> list)) return;
        int gone = 0;
        for (Object o : list) if (Boolean.TRUE.equals(((Map<String, Object>) o).get("gone"))) gone++;
        int skip = Math.max(0, gone - GONE_IN_A_LINE);
        if (skip == 0) return;
        List<Object> kept = new ArrayList<>(list.size() - skip);
        int seen = 0;
        // Gone records come first, oldest first: the first skip of them are left out.
        for (Object o : list) {
            if (Boolean.TRUE.equals(((Map<String, Object>) o).get("gone")) && seen++ < skip) continue;
            kept.add(o);
        }
        root.put("surface_paths", kept);
        root.put("surfaces_gone_not_listed", skip);
    }

    /** How many injected faults are listed one by one (the newest); all are counted. */
    private static final int INJECTED_LISTED = 64;

    /**
     * The faults met: counts by kind, and the entries kept (oldest first); and under
     * {@code injected} those fake-drm injected on purpose (`--faults`, `ferry ctl fault`): what
     * hit which device at which of its frames. The entries say what Ferry did about them.
     */
    public static Map<String, Object> faults(FaultLog log, List<dev.ferry.compositor.devices.FakeDevices.InjectedFault> injected) {
        Map<String, Object> m = faults(log);
        Map<String, Object> inj = new LinkedHashMap<>();
        inj.put("total", injected.size());
        Map<String, Long> byKind = new LinkedHashMap<>();
        for (var f : injected) byKind.merge(f.kind(), 1L, Long::sum);
        inj.put("by_kind", byKind);
        List<Map<String, Object>> entries = new ArrayList<>();
        for (var f : injected.subList(Math.max(0, injected.size() - INJECTED_LISTED), injected.size())) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("kind", f.kind());
            e.put("device", f.device());
            e.put("frame", f.frame());
            e.put("time_ms", f.timeNs() / 1_000_000L);
            entries.add(e);
        }
        inj.put("entries", entries);
        m.put("injected", inj);
        return m;
    }

    /**
     * Adds the scene's timeline (frames by path per output and surface in 250 ms buckets, the last
     * two minutes: the bulk of a stats answer), when one is attached.
     */
    public static void addTimeline(Map<String, Object> root, Scene scene) {
        Timeline timeline = Timeline.of(scene);
        if (timeline != null) root.put("timeline", timeline.toMap());
    }

    /** The faults met: counts by kind, and the entries kept (oldest first). */
    public static Map<String, Object> faults(FaultLog log) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", log.total());
        Map<String, Object> byKind = new LinkedHashMap<>();
        for (FaultLog.Kind k : FaultLog.Kind.values()) if (log.count(k) > 0) byKind.put(k.label(), log.count(k));
        m.put("by_kind", byKind);
        List<Map<String, Object>> entries = new ArrayList<>();
        for (FaultLog.Entry e : log.entries()) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("kind", e.kind().label());
            f.put("where", e.where());
            f.put("time_ms", e.timeNs() / 1_000_000L);
            f.put("recovery", e.recovery());
            f.put("frames_lost", e.framesLost());
            entries.add(f);
        }
        m.put("entries", entries);
        return m;
    }

    /** Adds what linux-dmabuf knows: the feedback each surface was last sent, fence waits. */
    public static void addDmabuf(Map<String, Object> root, Scene scene, dev.ferry.compositor.dmabuf.LinuxDmabufGlobal dmabuf,
                                 dev.ferry.drm.DeviceSet devices) {
        if (dmabuf == null) return;
        Map<String, Object> m = new LinkedHashMap<>();
        var fences = dmabuf.fences().totals();
        m.put("fence_waits", fences.waits());
        m.put("fence_signalled", fences.signalled());
        m.put("fence_timeouts", fences.timeouts());
        m.put("feedback_batches_sent", dmabuf.feedback().batchesSent());
        List<Map<String, Object>> surfaces = new ArrayList<>();
        for (var e : dmabuf.feedback().all().entrySet()) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("surface", e.getKey().resource().toString());
            f.put("client_pid", e.getKey().resource().client().pid());
            List<Map<String, Object>> tranches = new ArrayList<>();
            for (var t : e.getValue().current().tranches()) {
                Map<String, Object> tm = new LinkedHashMap<>();
                tm.put("target_device", (t.targetDevT() >> 8) + ":" + (t.targetDevT() & 0xff));
                var target = devices == null ? null : devices.deviceByDevT(t.targetDevT());
                if (target != null) tm.put("device", target.info().name());
                tm.put("scanout", t.scanout());
                tm.put("formats", t.indices().length);
                tranches.add(tm);
            }
            f.put("tranches", tranches);
            f.put("changes", e.getValue().changes());
            long toScanout = e.getValue().changeToScanoutNs();
            f.put("ms_from_feedback_change_to_direct_scanout", toScanout < 0 ? null : toScanout / 1e6);
            surfaces.add(f);
        }
        m.put("surface_feedback", surfaces);
        root.put("linux_dmabuf", m);
    }

    /**
     * Adds to each surface of {@code surface_paths} a {@code reasons} list: every reason it gave,
     * with its category, description, what to do (naming the allocation its current dma-buf
     * feedback suggests, for the live surfaces that have one), frames since start and share of
     * the recent window. One pass per stats request; nothing per frame.
     */
    @SuppressWarnings("unchecked")
    public static void explainReasons(Map<String, Object> root, dev.ferry.drm.DeviceSet kernel,
                                      dev.ferry.compositor.dmabuf.LinuxDmabufGlobal dmabuf) {
        Map<String, ReasonAdvice.Allocation> suggested = new java.util.HashMap<>();
        if (dmabuf != null && kernel != null) {
            for (var e : dmabuf.feedback().all().entrySet()) {
                ReasonAdvice.Allocation a = SuggestedAllocation.of(e.getKey(), e.getValue().current(), dmabuf.table(), kernel);
                if (a != null) suggested.put(e.getKey().resource().toString() + "/" + e.getKey().resource().client().pid(), a);
            }
        }
        Object surfaces = root.get("surface_paths");
        if (!(surfaces instanceof List<?> list)) return;
        for (Object o : list) {
            Map<String, Object> m = (Map<String, Object>) o;
            Map<String, Object> paths = (Map<String, Object>) m.get("paths");
            Map<String, Long> byReason = (Map<String, Long>) paths.get("by_reason");
            Map<String, Double> recent = (Map<String, Double>) paths.get("recent_share_by_reason");
            // A live surface: what its feedback offers now. One that is gone (or has no feedback
            // object now): what its last feedback offered, kept when that feedback went.
            ReasonAdvice.Allocation a = Boolean.TRUE.equals(m.get("gone")) ? null : suggested.get(m.get("id") + "/" + m.get("client_pid"));
            if (a == null && m.get("last_allocation") instanceof Map<?, ?> last) {
                a = new ReasonAdvice.Allocation((String) last.get("format"), (String) last.get("modifier"), (String) last.get("device"),
                        Boolean.TRUE.equals(last.get("scanout")));
            }
            List<Map<String, Object>> reasons = new ArrayList<>();
            for (Map.Entry<String, Long> r : byReason.entrySet()) {
                dev.ferry.kms.FallbackReason reason = ReasonAdvice.byLabel(r.getKey());
                if (reason == null) continue;
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("reason", reason.label());
                x.put("category", reason.category().label());
                x.put("description", reason.description());
                x.put("what_to_do", ReasonAdvice.whatToDo(reason, a));
                x.put("frames", r.getValue());
                x.put("recent_share", recent.getOrDefault(r.getKey(), 0.0));
                reasons.add(x);
            }
            m.put("reasons", reasons);
        }
    }

    private static Map<String, Object> surface(Window w, Surface s, int x, int y) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.resource().toString());
        m.put("client_pid", s.resource().client().pid());
        m.put("role", s.roleName());
        if (s == w.surface()) {
            m.put("title", w.title());
            m.put("app_id", w.appId());
            m.put("fullscreen", w.fullscreenOn() != null);
        }
        m.put("position", List.of(x, y));
        m.put("size", List.of(s.width(), s.height()));
        if (s.buffer() != null) {
            m.put("buffer", s.buffer().kind() + " " + s.buffer().width() + "x" + s.buffer().height() + " "
                    + Fourcc.name(s.buffer().fourcc()));
        }
        m.put("commits", s.commitCount());
        List<String> outs = new ArrayList<>();
        for (Output o : s.outputs()) outs.add(o.name());
        m.put("outputs", outs);
        return m;
    }

    /** Compact, on one line: for streams of one object per line. */
    /** One line of the watch stream (see {@link JsonLine} for why not Jackson). */
    public static byte[] toJsonLine(Object tree) {
        return JsonLine.write(tree);
    }

    public static byte[] toJson(Object tree) {
        try {
            return JSON.writeValueAsBytes(tree);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
