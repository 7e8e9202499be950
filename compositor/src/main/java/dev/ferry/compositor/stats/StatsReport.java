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
        Timeline timeline = Timeline.of(scene);
        if (timeline != null) root.put("timeline", timeline.toMap());
        return root;
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
    public static void addDmabuf(Map<String, Object> root, Scene scene, dev.ferry.compositor.dmabuf.LinuxDmabufGlobal dmabuf) {
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
            List<Map<String, Object>> tranches = new ArrayList<>();
            for (var t : e.getValue().current().tranches()) {
                Map<String, Object> tm = new LinkedHashMap<>();
                tm.put("target_device", (t.targetDevT() >> 8) + ":" + (t.targetDevT() & 0xff));
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

    public static byte[] toJson(Object tree) {
        try {
            return JSON.writeValueAsBytes(tree);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
