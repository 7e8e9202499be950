package dev.ferry.testclients.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fallback report as plain text: per output and per surface, frames by path with shares,
 * the reasons cheaper paths were missed, copy modes where the stats have them, and what dma-buf
 * feedback did (how long from a feedback change to the first direct-scanout frame).
 */
public final class FallbackReport {
    private FallbackReport() {}

    public static String text(RunData run) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Fallback report: %s backend, %s renderer, %.1f s%n", run.backend(),
                run.renderer(), run.uptimeMs() / 1000.0));
        b.append("\nOutputs\n");
        for (RunData.OutputRow o : run.outputs()) {
            b.append(String.format(Locale.ROOT, "  %-10s %s%s  %d frames: %s%n", o.name(),
                    o.device().isEmpty() ? "" : o.device() + " ", o.mode(), o.frames().frames(),
                    paths(o.frames().byPath(), o.frames().frames())));
            if (!o.frames().byDevice().isEmpty()) b.append("             done by: ").append(counts(o.frames().byDevice())).append('\n');
            if (!o.surfaceReasons().isEmpty()) b.append("             reasons (surface-frames): ").append(counts(o.surfaceReasons())).append('\n');
            if (!o.copyMode().isEmpty() || !o.framesByCopy().isEmpty()) {
                b.append("             copy mode now: ").append(o.copyMode().isEmpty() ? "-" : o.copyMode());
                if (!o.framesByCopy().isEmpty()) b.append("; frames by copy mode: ").append(counts(o.framesByCopy()));
                b.append('\n');
            }
            for (Map.Entry<String, String> e : o.copyModesNotUsed().entrySet()) {
                b.append("             not ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
            }
            if (o.failedFrames() > 0) b.append("             failed frames: ").append(o.failedFrames()).append('\n');
            if (o.lateFrames() > 0) {
                b.append("             late frames (shown a refresh or more after the vblank they were meant for): ")
                        .append(o.lateFrames()).append('\n');
            }
        }
        b.append("\nSurfaces\n");
        for (RunData.SurfaceRow s : run.surfaces()) {
            b.append(String.format(Locale.ROOT, "  %s (%s, pid %d%s)  %d frames: %s%n", s.label(), s.id(), s.pid(),
                    s.gone() ? ", gone" : "", s.all().frames(), paths(s.all().byPath(), s.all().frames())));
            for (Map.Entry<String, RunData.Counts> e : s.byOutput().entrySet()) {
                RunData.Counts c = e.getValue();
                b.append(String.format(Locale.ROOT, "      on %-10s %s%s%n", e.getKey(), paths(c.byPath(), c.frames()),
                        c.byReason().isEmpty() ? "" : "; because " + counts(c.byReason())));
            }
            for (RunData.Reason r : s.reasons()) b.append(explained(r, "      "));
        }
        RunData.Faults f = run.faults();
        if (f.total() + f.injected() > 0) {
            b.append("\nFaults\n");
            b.append("  ").append(f.total()).append(" met");
            if (f.injected() > 0) b.append(", ").append(f.injected()).append(" injected on purpose: ").append(counts(f.injectedByKind()))
                    .append(" (listed ones by device: ").append(counts(f.injectedByDevice())).append(')');
            b.append('\n');
            for (String e : f.entries()) b.append("  ").append(e).append('\n');
        }
        if (!run.clients().isEmpty()) {
            b.append("\nClients and dma-buf feedback\n");
            for (RunData.ClientRow c : run.clients()) {
                b.append(String.format(Locale.ROOT, "  %-32s %-6s %-10s %-6s %5d presented  %s%n", c.title(), c.buffers(),
                        c.placement(), c.device().isEmpty() ? "-" : c.device(), c.presented(), feedback(c)));
            }
        }
        return b.toString();
    }

    /** A reason in words: what it means, its category, and what would fix it. */
    static String explained(RunData.Reason r, String indent) {
        StringBuilder b = new StringBuilder();
        b.append(indent).append("why ").append(r.reason()).append(" (").append(r.category().isEmpty() ? "?" : r.category())
                .append(", ").append(r.frames()).append(" frames)");
        if (!r.description().isEmpty()) b.append(": ").append(r.description());
        b.append('\n');
        if (!r.whatToDo().isEmpty()) b.append(indent).append("  what to do: ").append(r.whatToDo()).append('\n');
        return b.toString();
    }

    static String feedback(RunData.ClientRow c) {
        if (c.feedbackChanges() == 0) return "feedback unchanged";
        String s = c.feedbackChanges() + " feedback change" + (c.feedbackChanges() == 1 ? "" : "s")
                + (c.scanoutTranche() ? " (scanout tranche)" : " (no scanout tranche)");
        if (c.changeToScanoutMs() >= 0) s += String.format(Locale.ROOT, ", direct scanout %.0f ms after it", c.changeToScanoutMs());
        return s;
    }

    static String paths(Map<String, Long> byPath, long total) {
        if (byPath.isEmpty()) return "none";
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Long> e : byPath.entrySet()) {
            parts.add(String.format(Locale.ROOT, "%s %d (%.0f%%)", e.getKey(), e.getValue(),
                    total == 0 ? 0 : 100.0 * e.getValue() / total));
        }
        return String.join(", ", parts);
    }

    static String counts(Map<String, Long> m) {
        List<String> parts = new ArrayList<>();
        m.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(e -> parts.add(e.getKey() + " " + e.getValue()));
        return String.join(", ", parts);
    }
}
