package dev.ferry.testclients.top;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One line of `ferry ctl stats --watch` as `ferry top` shows it: per output its mode, device,
 * copy mode and frames per second by path (over the last interval, from the previous snapshot,
 * and since start); per surface its client, path, reasons in words and current dma-buf feedback;
 * the faults seen. Read from the JSON once per line; nothing else keeps state.
 */
record Snapshot(long uptimeMs, String backend, String renderer, List<OutputRow> outputs, List<SurfaceRow> surfaces,
                long faultsTotal, long injectedTotal, List<String> recentFaults, Double cpuMsPerFrame) {

    /** An output; fps maps are path label -> frames per second. */
    record OutputRow(String name, String mode, String device, String copyMode, long frames,
                     Map<String, Double> fpsNow, Map<String, Double> fpsSinceStart, Map<String, Long> framesByPath) {}

    /** A reason a surface gave, in words. */
    record Reason(String label, String category, String description, String whatToDo, double recentShare) {}

    /** A live surface (gone ones are left out of the live view). */
    record SurfaceRow(String id, int pid, String title, String appId, String path, long frames, List<String> outputs,
                      List<Reason> reasons, String feedback) {
        String label() {
            return !title.isEmpty() ? title : !appId.isEmpty() ? appId : id;
        }
    }

    static Snapshot of(JsonNode root, Snapshot previous) {
        long uptime = root.path("uptime_ms").asLong();
        List<OutputRow> outputs = new ArrayList<>();
        for (JsonNode o : root.path("outputs")) {
            String name = o.path("name").asText();
            Map<String, Long> byPath = longs(o.path("paths").path("by_path"));
            OutputRow before = previous == null ? null : previous.output(name);
            double dtS = previous == null ? 0 : (uptime - previous.uptimeMs) / 1000.0;
            Map<String, Double> now = new LinkedHashMap<>(), since = new LinkedHashMap<>();
            for (Map.Entry<String, Long> e : byPath.entrySet()) {
                if (uptime > 0) since.put(e.getKey(), e.getValue() / (uptime / 1000.0));
                if (before != null && dtS > 0) {
                    long d = e.getValue() - before.framesByPath().getOrDefault(e.getKey(), 0L);
                    if (d > 0) now.put(e.getKey(), d / dtS);
                }
            }
            outputs.add(new OutputRow(name, o.path("mode").asText(""), o.path("scanout_device").asText(o.path("device").asText("")),
                    o.path("copy_mode").asText(""), o.path("paths").path("frames").asLong(o.path("frames").asLong()), now, since, byPath));
        }
        Map<String, String> feedback = new LinkedHashMap<>();
        for (JsonNode f : root.path("linux_dmabuf").path("surface_feedback")) {
            List<String> tranches = new ArrayList<>();
            for (JsonNode t : f.path("tranches")) {
                tranches.add((t.path("scanout").asBoolean() ? "scanout " : "render ") + t.path("device").asText(t.path("target_device").asText())
                        + " (" + t.path("formats").asInt() + " formats)");
            }
            feedback.put(f.path("surface").asText() + "/" + f.path("client_pid").asInt(), String.join(", then ", tranches));
        }
        Map<String, List<String>> outputsOf = new LinkedHashMap<>();
        for (JsonNode s : root.path("surfaces")) {
            List<String> outs = new ArrayList<>();
            for (JsonNode o : s.path("outputs")) outs.add(o.asText());
            outputsOf.put(s.path("id").asText() + "/" + s.path("client_pid").asInt(), outs);
        }
        List<SurfaceRow> surfaces = new ArrayList<>();
        for (JsonNode s : root.path("surface_paths")) {
            if (s.path("gone").asBoolean()) continue;
            String key = s.path("id").asText() + "/" + s.path("client_pid").asInt();
            List<Reason> reasons = new ArrayList<>();
            for (JsonNode r : s.path("reasons")) {
                reasons.add(new Reason(r.path("reason").asText(), r.path("category").asText(), r.path("description").asText(),
                        r.path("what_to_do").asText(), r.path("recent_share").asDouble()));
            }
            reasons.sort((a, b) -> Double.compare(b.recentShare(), a.recentShare()));
            List<String> outs = outputsOf.getOrDefault(key, new ArrayList<>(iterable(s.path("by_output"))));
            surfaces.add(new SurfaceRow(s.path("id").asText(), s.path("client_pid").asInt(), s.path("title").asText(""),
                    s.path("app_id").asText(""), s.path("paths").path("last_path").asText("-"), s.path("paths").path("frames").asLong(),
                    outs, reasons, feedback.getOrDefault(key, "")));
        }
        List<String> faults = new ArrayList<>();
        JsonNode entries = root.path("faults").path("entries");
        for (int i = Math.max(0, entries.size() - 5); i < entries.size(); i++) {
            JsonNode e = entries.get(i);
            // time_ms is on the compositor's monotonic clock; clock_ms (newer stats) is that clock now.
            long atMs = root.has("clock_ms") ? uptime - (root.path("clock_ms").asLong() - e.path("time_ms").asLong()) : e.path("time_ms").asLong();
            faults.add(String.format(java.util.Locale.ROOT, "%.1f s %s on %s: %s (%d frames lost)", atMs / 1000.0,
                    e.path("kind").asText(), e.path("where").asText(), e.path("recovery").asText(), e.path("frames_lost").asInt()));
        }
        JsonNode injected = root.path("faults").path("injected").path("entries");
        for (int i = Math.max(0, injected.size() - 5); i < injected.size(); i++) {
            JsonNode e = injected.get(i);
            faults.add("injected " + e.path("kind").asText() + " on " + e.path("device").asText() + " at its frame " + e.path("frame").asLong());
        }
        JsonNode cpu = root.path("process").path("recent").path("cpu_ms_per_frame");
        return new Snapshot(uptime, root.path("backend").asText("?"), root.path("renderer").asText("?"), outputs, surfaces,
                root.path("faults").path("total").asLong(), root.path("faults").path("injected").path("total").asLong(), faults,
                cpu.isNumber() ? cpu.asDouble() : null);
    }

    OutputRow output(String name) {
        for (OutputRow o : outputs) if (o.name().equals(name)) return o;
        return null;
    }

    private static List<String> iterable(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Map<String, Long> longs(JsonNode n) {
        Map<String, Long> m = new LinkedHashMap<>();
        n.properties().forEach(e -> m.put(e.getKey(), e.getValue().asLong()));
        return m;
    }
}
