package dev.ferry.testclients.report;

import java.util.Locale;
import java.util.Map;

/** The fallback report as one self-contained HTML page: the timeline as inline SVG, no scripts. */
public final class Html {
    private Html() {}

    public static String page(RunData run, TimelineChart chart, String pngName) {
        return page(run, chart, null, pngName);
    }

    /** With surfaceChart (or null), the per-surface timeline too. */
    public static String page(RunData run, TimelineChart chart, TimelineChart surfaceChart, String pngName) {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Ferry fallback report</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}")
                .append(".sw{display:inline-block;width:10px;height:10px;margin-right:4px}</style></head><body>\n");
        b.append("<h1>Ferry fallback report</h1>\n<p>")
                .append(escape(String.format(Locale.ROOT, "%s backend, %s renderer, %.1f s", run.backend(), run.renderer(),
                        run.uptimeMs() / 1000.0)))
                .append("</p>\n<h2>Frames by path over time</h2>\n");
        b.append(chart.svg());
        b.append("<p>The same chart as a PNG: <a href=\"").append(escape(pngName)).append("\">").append(escape(pngName)).append("</a></p>\n");
        b.append("<h2>Outputs</h2>\n<table><tr><th>output</th><th>device</th><th>mode</th><th>frames</th><th>by path</th>"
                + "<th>reasons (surface-frames)</th><th>copy mode</th></tr>\n");
        for (RunData.OutputRow o : run.outputs()) {
            b.append("<tr><td>").append(escape(o.name())).append("</td><td>").append(escape(o.device())).append("</td><td>")
                    .append(escape(o.mode())).append("</td><td>").append(o.frames().frames()).append("</td><td>")
                    .append(pathCells(o.frames().byPath(), o.frames().frames()))
                    .append(o.frames().byDevice().isEmpty() ? "" : "<br>done by: " + escape(FallbackReport.counts(o.frames().byDevice())))
                    .append("</td><td>")
                    .append(escape(FallbackReport.counts(o.surfaceReasons()))).append("</td><td>")
                    .append(escape(o.copyMode().isEmpty() ? "-" : o.copyMode()
                            + (o.framesByCopy().isEmpty() ? "" : " (frames: " + FallbackReport.counts(o.framesByCopy()) + ")"))).append("</td></tr>\n");
        }
        b.append("</table>\n");
        if (surfaceChart != null) b.append("<h2>Frames by path over time, per surface</h2>\n").append(surfaceChart.svg());
        b.append("<h2>Surfaces</h2>\n<table><tr><th>surface</th><th>output</th><th>frames</th><th>by path</th><th>reasons</th></tr>\n");
        for (RunData.SurfaceRow s : run.surfaces()) {
            for (Map.Entry<String, RunData.Counts> e : s.byOutput().entrySet()) {
                RunData.Counts c = e.getValue();
                b.append("<tr><td>").append(escape(s.label() + " (" + s.id() + ")")).append("</td><td>").append(escape(e.getKey()))
                        .append("</td><td>").append(c.frames()).append("</td><td>").append(pathCells(c.byPath(), c.frames()))
                        .append("</td><td>").append(escape(FallbackReport.counts(c.byReason()))).append("</td></tr>\n");
            }
        }
        b.append("</table>\n");
        b.append("<h2>Why not a cheaper path, and what to do</h2>\n<table><tr><th>surface</th><th>reason</th><th>category</th>"
                + "<th>frames</th><th>what it means</th><th>what to do</th></tr>\n");
        for (RunData.SurfaceRow s : run.surfaces()) {
            for (RunData.Reason r : s.reasons()) {
                b.append("<tr><td>").append(escape(s.label())).append("</td><td>").append(escape(r.reason())).append("</td><td>")
                        .append(escape(r.category())).append("</td><td>").append(r.frames()).append("</td><td>")
                        .append(escape(r.description())).append("</td><td>").append(escape(r.whatToDo())).append("</td></tr>\n");
            }
        }
        b.append("</table>\n");
        if (!run.clients().isEmpty()) {
            b.append("<h2>Clients and dma-buf feedback</h2>\n<table><tr><th>client</th><th>buffers</th><th>placement</th>"
                    + "<th>device</th><th>presented</th><th>feedback</th></tr>\n");
            for (RunData.ClientRow c : run.clients()) {
                b.append("<tr><td>").append(escape(c.title())).append("</td><td>").append(escape(c.buffers())).append("</td><td>")
                        .append(escape(c.placement())).append("</td><td>").append(escape(c.device())).append("</td><td>")
                        .append(c.presented()).append("</td><td>").append(escape(FallbackReport.feedback(c))).append("</td></tr>\n");
            }
            b.append("</table>\n");
        }
        b.append("<h2>Text</h2>\n<pre>").append(escape(FallbackReport.text(run))).append("</pre>\n</body></html>\n");
        return b.toString();
    }

    private static String pathCells(Map<String, Long> byPath, long total) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Long> e : byPath.entrySet()) {
            if (!b.isEmpty()) b.append("<br>");
            b.append(String.format(Locale.ROOT, "<span class=\"sw\" style=\"background:#%06x\"></span>", TimelineChart.colour(e.getKey())))
                    .append(escape(e.getKey())).append(' ').append(e.getValue())
                    .append(String.format(Locale.ROOT, " (%.0f%%)", total == 0 ? 0 : 100.0 * e.getValue() / total));
        }
        return b.toString();
    }

    public static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
