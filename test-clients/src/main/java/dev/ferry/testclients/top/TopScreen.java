package dev.ferry.testclients.top;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What `ferry top` shows for a snapshot, as text lines: the full screen (outputs, surfaces with
 * their reasons in words and feedback, faults), or the plain periodic lines written when stdout
 * is not a terminal. The view state (sort, selected output, paused) is the caller's.
 */
final class TopScreen {
    /** How surfaces are ordered. */
    enum Sort {
        PATH("path"), FRAMES("frames"), TITLE("title");

        final String label;

        Sort(String label) { this.label = label; }

        Sort next() { return values()[(ordinal() + 1) % values().length]; }
    }

    /** The path order from dearest to cheapest: the sort by path shows the slow ones first. */
    private static final List<String> DEAREST_FIRST = List.of("not-shown", "system-ram-copy", "gpu-composition", "overlay-plane", "direct-scanout");

    private TopScreen() {}

    static List<String> full(Snapshot s, Sort sort, String output, boolean paused, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "ferry top - %s backend, %s renderer, up %.1f s", s.backend(),
                s.renderer(), s.uptimeMs() / 1000.0));
        if (s.cpuMsPerFrame() != null) head.append(String.format(Locale.ROOT, ", compositor CPU %.3f ms/frame", s.cpuMsPerFrame()));
        lines.add(head.toString());
        lines.add("sort: " + sort.label + "   output: " + (output == null ? "all" : output) + (paused ? "   PAUSED" : "")
                + "      keys: s sort  o output  p pause  q quit");
        lines.add("");
        lines.add(String.format(Locale.ROOT, "%-10s %-16s %-7s %-18s %8s  %-34s %s", "OUTPUT", "MODE", "DEVICE", "COPY MODE", "FRAMES",
                "FPS BY PATH, LAST SECOND", "SINCE START"));
        for (Snapshot.OutputRow o : s.outputs()) {
            if (output != null && !o.name().equals(output)) continue;
            lines.add(String.format(Locale.ROOT, "%-10s %-16s %-7s %-18s %8d  %-34s %s", o.name(), o.mode(), dash(o.device()),
                    dash(o.copyMode()), o.frames(), rates(o.fpsNow()), rates(o.fpsSinceStart())));
        }
        lines.add("");
        lines.add(String.format(Locale.ROOT, "%-36s %7s %-16s %8s  %s", "SURFACE (CLIENT)", "PID", "PATH", "FRAMES", "OUTPUTS"));
        List<Snapshot.SurfaceRow> surfaces = surfaces(s, sort, output);
        if (surfaces.isEmpty()) lines.add("  (no surfaces" + (output == null ? "" : " on " + output) + ")");
        for (Snapshot.SurfaceRow r : surfaces) {
            String who = r.label() + (r.label().equals(r.id()) ? "" : " (" + r.id() + ")");
            lines.add(String.format(Locale.ROOT, "%-36s %7d %-16s %8d  %s", who, r.pid(), r.path(), r.frames(), String.join(", ", r.outputs())));
            if (!r.appId().isEmpty() && !r.appId().equals(r.label())) lines.add("    app id " + r.appId());
            for (Snapshot.Reason why : r.reasons()) {
                lines.add(String.format(Locale.ROOT, "    why %s (%s, %.0f%% of recent frames): %s", why.label(), why.category(),
                        100 * why.recentShare(), why.description()));
                lines.add("        what to do: " + why.whatToDo());
            }
            lines.add("    dma-buf feedback: " + (r.feedback().isEmpty() ? "none (wl_shm or no linux-dmabuf)" : r.feedback()));
        }
        lines.add("");
        lines.add("FAULTS: " + (s.faultsTotal() == 0 ? "none seen" : s.faultsTotal() + " seen")
                + (s.injectedTotal() == 0 ? "" : ", " + s.injectedTotal() + " injected on purpose"));
        for (String f : s.recentFaults()) lines.add("  " + f);
        List<String> cut = new ArrayList<>(lines.size());
        for (String l : lines) cut.add(l.length() > width ? l.substring(0, Math.max(0, width - 1)) + "~" : l);
        return cut;
    }

    /** The plain lines for one snapshot: one per output, one per live surface, one for faults. */
    static List<String> plain(Snapshot s) {
        List<String> lines = new ArrayList<>();
        String t = String.format(Locale.ROOT, "[%8.1f s]", s.uptimeMs() / 1000.0);
        for (Snapshot.OutputRow o : s.outputs()) {
            lines.add(String.format(Locale.ROOT, "%s output %s %s %s%s: %s", t, o.name(), o.mode(), dash(o.device()),
                    o.copyMode().isEmpty() ? "" : " copy " + o.copyMode(), o.fpsNow().isEmpty() ? "idle" : rates(o.fpsNow())));
        }
        for (Snapshot.SurfaceRow r : surfaces(s, Sort.PATH, null)) {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s surface %s pid %d on %s: %s", t, r.label(), r.pid(),
                    r.outputs().isEmpty() ? "-" : String.join(",", r.outputs()), r.path()));
            for (Snapshot.Reason why : r.reasons()) {
                if (why.recentShare() > 0) b.append("; ").append(why.label()).append(" (").append(why.category()).append("): ").append(why.whatToDo());
            }
            lines.add(b.toString());
        }
        if (s.faultsTotal() + s.injectedTotal() > 0) {
            lines.add(t + " faults " + s.faultsTotal() + " seen, " + s.injectedTotal() + " injected"
                    + (s.recentFaults().isEmpty() ? "" : "; last: " + s.recentFaults().getLast()));
        }
        return lines;
    }

    private static List<Snapshot.SurfaceRow> surfaces(Snapshot s, Sort sort, String output) {
        Comparator<Snapshot.SurfaceRow> order = switch (sort) {
            case PATH -> Comparator.comparingInt((Snapshot.SurfaceRow r) -> {
                int i = DEAREST_FIRST.indexOf(r.path());
                return i < 0 ? DEAREST_FIRST.size() : i;
            }).thenComparing(Snapshot.SurfaceRow::label);
            case FRAMES -> Comparator.comparingLong(Snapshot.SurfaceRow::frames).reversed();
            case TITLE -> Comparator.comparing(Snapshot.SurfaceRow::label);
        };
        return s.surfaces().stream().filter(r -> output == null || r.outputs().contains(output)).sorted(order).toList();
    }

    private static String rates(Map<String, Double> fps) {
        if (fps.isEmpty()) return "-";
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Double> e : fps.entrySet()) parts.add(String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue()));
        return String.join(", ", parts);
    }

    private static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
