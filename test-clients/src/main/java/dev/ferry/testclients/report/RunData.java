package dev.ferry.testclients.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.compositor.stats.ReasonAdvice;
import dev.ferry.kms.FallbackReason;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run as the fallback report sees it, read from the JSON of `ferry ctl stats` (plus the
 * optional {@code demo} section the demo adds: the clients it ran and their dma-buf feedback).
 * Missing sections read as empty, so a stats file from any Ferry renders.
 */
public record RunData(String backend, String renderer, long uptimeMs, List<OutputRow> outputs, List<SurfaceRow> surfaces,
                      TimelineData timeline, TimelineData surfaceTimeline, List<ClientRow> clients, Faults faults) {

    /**
     * The faults of the run: those Ferry met (each with where, how it recovered and the frames it
     * cost) and those injected on purpose (counts by kind, and per device).
     */
    public record Faults(long total, List<String> entries, long injected, Map<String, Long> injectedByKind,
                         Map<String, Long> injectedByDevice) {
        static Faults of(JsonNode f) {
            List<String> entries = new ArrayList<>();
            for (JsonNode e : f.path("entries")) {
                entries.add(e.path("kind").asText() + " on " + e.path("where").asText() + ": " + e.path("recovery").asText()
                        + " (" + e.path("frames_lost").asInt() + " frames lost)");
            }
            Map<String, Long> byDevice = new LinkedHashMap<>();
            for (JsonNode e : f.path("injected").path("entries")) byDevice.merge(e.path("device").asText(), 1L, Long::sum);
            return new Faults(f.path("total").asLong(), entries, f.path("injected").path("total").asLong(),
                    longs(f.path("injected").path("by_kind")), byDevice);
        }
    }

    /**
     * Frames by path and by reason, in the order the stats list them; for outputs also by the
     * device that did the work ("gpu-composition@card1").
     */
    public record Counts(long frames, Map<String, Long> byPath, Map<String, Long> byReason, Map<String, Long> byDevice) {
        static Counts of(JsonNode n) {
            return new Counts(n.path("frames").asLong(), longs(n.path("by_path")), longs(n.path("by_reason")), longs(n.path("by_device")));
        }

        static Counts empty() {
            return new Counts(0, new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
        }

        Counts plus(Counts o) {
            Map<String, Long> p = new LinkedHashMap<>(byPath);
            o.byPath.forEach((k, v) -> p.merge(k, v, Long::sum));
            Map<String, Long> r = new LinkedHashMap<>(byReason);
            o.byReason.forEach((k, v) -> r.merge(k, v, Long::sum));
            Map<String, Long> d = new LinkedHashMap<>(byDevice);
            o.byDevice.forEach((k, v) -> d.merge(k, v, Long::sum));
            return new Counts(frames + o.frames, p, r, d);
        }
    }

    /**
     * An output: its frames by path, and the reasons its surfaces gave (summed over them).
     * lateFrames: presented after the vblank they were meant for (a refresh lost by every surface in them).
     */
    public record OutputRow(String name, String mode, String device, long failedFrames, long lateFrames, double meanComposeMs,
                            Counts frames, Map<String, Long> surfaceReasons, String copyMode,
                            Map<String, Long> framesByCopy, Map<String, String> copyModesNotUsed) {}

    /** A reason a surface gave, explained: category, description, what to do, frames since start. */
    public record Reason(String reason, String category, String description, String whatToDo, long frames) {
        /** From the stats' {@code reasons} entry, or (older stats) from the label alone. */
        static Reason of(JsonNode n) {
            return new Reason(n.path("reason").asText(), n.path("category").asText(""), n.path("description").asText(""),
                    n.path("what_to_do").asText(""), n.path("frames").asLong());
        }

        static Reason ofLabel(String label, long frames) {
            FallbackReason r = ReasonAdvice.byLabel(label);
            if (r == null) return new Reason(label, "", "", "", frames);
            return new Reason(label, r.category().label(), r.description(), ReasonAdvice.whatToDo(r, null), frames);
        }
    }

    /** A surface: all its frames, per output, and its reasons explained (most frames first). */
    public record SurfaceRow(String id, int pid, String title, String appId, boolean gone, Counts all,
                             Map<String, Counts> byOutput, List<Reason> reasons) {
        /** What the report calls it: its title, else app id, else protocol id. */
        public String label() {
            return !title.isEmpty() ? title : !appId.isEmpty() ? appId : id;
        }
    }

    /** Frames by path per output in fixed buckets; rows are per bucket, columns in {@code paths} order. */
    public record TimelineData(double bucketMs, List<String> paths, Map<String, List<long[]>> outputs) {
        public int buckets() {
            int n = 0;
            for (List<long[]> rows : outputs.values()) n = Math.max(n, rows.size());
            return n;
        }
    }

    /** A client the demo ran, and what dma-buf feedback did for its surface. */
    public record ClientRow(String title, String buffers, String placement, String device, long presented,
                            int feedbackChanges, double changeToScanoutMs, boolean scanoutTranche) {}

    public static RunData read(Path statsJson) throws IOException {
        return of(StatsFile.read(statsJson));
    }

    public static RunData of(JsonNode root) {
        List<SurfaceRow> surfaces = new ArrayList<>();
        for (JsonNode s : root.path("surface_paths")) {
            Map<String, Counts> per = new LinkedHashMap<>();
            s.path("by_output").properties().forEach(e -> per.put(e.getKey(), Counts.of(e.getValue())));
            Counts all = Counts.of(s.path("paths"));
            List<Reason> reasons = new ArrayList<>();
            if (s.path("reasons").isArray()) {
                for (JsonNode r : s.path("reasons")) reasons.add(Reason.of(r));
            } else {
                all.byReason().forEach((label, n) -> reasons.add(Reason.ofLabel(label, n)));
            }
            reasons.sort((a, b) -> Long.compare(b.frames(), a.frames()));
            surfaces.add(new SurfaceRow(s.path("id").asText(), s.path("client_pid").asInt(), s.path("title").asText(""),
                    s.path("app_id").asText(""), s.path("gone").asBoolean(), all, per, reasons));
        }
        List<OutputRow> outputs = new ArrayList<>();
        for (JsonNode o : root.path("outputs")) {
            String name = o.path("name").asText();
            Map<String, Long> reasons = new LinkedHashMap<>();
            for (SurfaceRow s : surfaces) {
                Counts c = s.byOutput().get(name);
                if (c != null) c.byReason().forEach((k, v) -> reasons.merge(k, v, Long::sum));
            }
            Counts frames = o.has("paths") ? Counts.of(o.path("paths"))
                    : new Counts(o.path("frames").asLong(), longs(o.path("frames_by_path")), new LinkedHashMap<>(), new LinkedHashMap<>());
            outputs.add(new OutputRow(name, o.path("mode").asText(""), o.path("scanout_device").asText(""),
                    o.path("failed_frames").asLong(), o.path("late_frames").asLong(), o.path("mean_compose_ms").asDouble(), frames, reasons,
                    o.path("copy_mode").asText(""), copies(o.path("frames_by_path")), texts(o.path("copy_modes_not_used"))));
        }
        JsonNode t = root.path("timeline");
        List<String> paths = new ArrayList<>();
        for (JsonNode p : t.path("paths")) paths.add(p.asText());

        List<ClientRow> clients = new ArrayList<>();
        for (JsonNode c : root.path("demo").path("clients")) {
            clients.add(new ClientRow(c.path("title").asText(), c.path("buffers").asText(), c.path("placement").asText(),
                    c.path("device").asText(""), c.path("presented").asLong(), c.path("feedback_changes").asInt(),
                    c.path("change_to_scanout_ms").asDouble(-1), c.path("scanout_tranche").asBoolean()));
        }
        return new RunData(root.path("backend").asText("?"), root.path("renderer").asText("?"),
                root.path("uptime_ms").asLong(), outputs, surfaces,
                new TimelineData(t.path("bucket_ms").asDouble(250), paths, series(t.path("outputs"), paths.size())),
                new TimelineData(t.path("bucket_ms").asDouble(250), paths, series(t.path("surfaces"), paths.size())), clients,
                Faults.of(root.path("faults")));
    }

    /** Rows per name: one per bucket, the frame count per path. */
    private static Map<String, List<long[]>> series(JsonNode byName, int paths) {
        Map<String, List<long[]>> series = new LinkedHashMap<>();
        byName.properties().forEach(e -> {
            List<long[]> rows = new ArrayList<>();
            for (JsonNode row : e.getValue()) {
                long[] r = new long[paths];
                for (int i = 0; i < r.length && i < row.size(); i++) r[i] = row.get(i).asLong();
                rows.add(r);
            }
            series.put(e.getKey(), rows);
        });
        return series;
    }

    /** Frames by copy mode, from the backend's "path+copy-mode" keys (cross-device outputs). */
    private static Map<String, Long> copies(JsonNode framesByPath) {
        Map<String, Long> m = new LinkedHashMap<>();
        framesByPath.properties().forEach(e -> {
            int plus = e.getKey().indexOf('+');
            if (plus >= 0) m.merge(e.getKey().substring(plus + 1), e.getValue().asLong(), Long::sum);
        });
        return m;
    }

    private static Map<String, String> texts(JsonNode n) {
        Map<String, String> m = new LinkedHashMap<>();
        n.properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    private static Map<String, Long> longs(JsonNode n) {
        Map<String, Long> m = new LinkedHashMap<>();
        n.properties().forEach(e -> m.put(e.getKey(), e.getValue().asLong()));
        return m;
    }
}
