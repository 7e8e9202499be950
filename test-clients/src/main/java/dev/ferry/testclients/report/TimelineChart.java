package dev.ferry.testclients.report;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The timeline chart of the fallback report: per output, a stacked bar per time bucket, frames
 * by path, cheapest path at the bottom. Laid out once as a list of shapes, then drawn either as
 * inline SVG (for the HTML page) or with Java2D into a PNG, so both show the same picture.
 */
public final class TimelineChart {
    public static final int WIDTH = 960;
    private static final int PANEL_HEIGHT = 170;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int PLOT_HEIGHT = 120;

    /** The colour of each path (RGB), also used by the text report's legend and the tests. */
    public static int colour(String path) {
        return switch (path) {
            case "direct-scanout" -> 0x2CA02C;
            case "overlay-plane" -> 0x98DF8A;
            case "gpu-composition" -> 0x1F77B4;
            case "system-ram-copy" -> 0xFF7F0E;
            case "not-shown" -> 0xD62728;
            default -> 0x7F7F7F;
        };
    }

    sealed interface Shape permits Rect, Text, Line {}

    /** A filled rectangle; tip (or null) is its tooltip in the SVG. */
    record Rect(double x, double y, double w, double h, int rgb, String tip) implements Shape {
        Rect(double x, double y, double w, double h, int rgb) {
            this(x, y, w, h, rgb, null);
        }
    }

    /** anchor: "start", "middle" or "end". */
    record Text(double x, double y, String text, int size, String anchor, boolean bold) implements Shape {}

    record Line(double x1, double y1, double x2, double y2, int rgb) implements Shape {}

    private final List<Shape> shapes = new ArrayList<>();
    private final int height;
    private final String what;

    /** The chart of frames by path over time, a panel per output. */
    public TimelineChart(RunData.TimelineData timeline) {
        this(timeline, "output");
    }

    /** A panel per entry of the timeline; what says what they are ("output", "surface"). */
    public TimelineChart(RunData.TimelineData timeline, String what) {
        this.what = what;
        Map<String, List<long[]>> outputs = timeline.outputs();
        height = TOP + Math.max(1, outputs.size()) * PANEL_HEIGHT + 10;
        shapes.add(new Rect(0, 0, WIDTH, height, 0xFFFFFF));
        // Legend along the top.
        double lx = LEFT;
        for (String p : timeline.paths()) {
            shapes.add(new Rect(lx, 12, 14, 14, colour(p)));
            shapes.add(new Text(lx + 20, 24, p, 13, "start", false));
            lx += 40 + 8 * p.length();
        }
        shapes.add(new Text(WIDTH - RIGHT, 24, "frames per " + fmt(timeline.bucketMs()) + " ms", 12, "end", false));
        int buckets = Math.max(1, timeline.buckets());
        double plotW = WIDTH - LEFT - RIGHT;
        double barW = plotW / buckets;
        int panel = 0;
        if (outputs.isEmpty()) shapes.add(new Text(WIDTH / 2.0, TOP + 60, "no frames in this run", 14, "middle", false));
        for (Map.Entry<String, List<long[]>> e : outputs.entrySet()) {
            double top = TOP + panel * PANEL_HEIGHT + 20;
            double bottom = top + PLOT_HEIGHT;
            long max = 1;
            for (long[] row : e.getValue()) {
                long sum = 0;
                for (long v : row) sum += v;
                max = Math.max(max, sum);
            }
            shapes.add(new Text(LEFT, top - 6, e.getKey(), 14, "start", true));
            shapes.add(new Line(LEFT, bottom, WIDTH - RIGHT, bottom, 0x444444));
            shapes.add(new Line(LEFT, top, LEFT, bottom, 0x444444));
            shapes.add(new Text(LEFT - 6, top + 10, Long.toString(max), 11, "end", false));
            shapes.add(new Text(LEFT - 6, bottom, "0", 11, "end", false));
            List<long[]> rows = e.getValue();
            for (int b = 0; b < rows.size(); b++) {
                double y = bottom;
                long[] row = rows.get(b);
                for (int p = 0; p < row.length; p++) {
                    if (row[p] == 0) continue;
                    double h = PLOT_HEIGHT * (double) row[p] / max;
                    y -= h;
                    double fromS = b * timeline.bucketMs() / 1000.0;
                    String tip = String.format(Locale.ROOT, "%s, %.2f-%.2f s: %s %d of %d frames", e.getKey(), fromS,
                            fromS + timeline.bucketMs() / 1000.0, timeline.paths().get(p), row[p], total(row));
                    shapes.add(new Rect(LEFT + b * barW + 0.5, y, Math.max(1, barW - 1), h,
                            colour(timeline.paths().get(p)), tip));
                }
            }
            // A tick and label every second (or every 10 s on long runs).
            double secondsTotal = buckets * timeline.bucketMs() / 1000.0;
            int step = secondsTotal > 30 ? 10 : 1;
            for (int s = 0; s <= secondsTotal; s += step) {
                double x = LEFT + s * 1000.0 / timeline.bucketMs() * barW;
                shapes.add(new Line(x, bottom, x, bottom + 4, 0x444444));
                shapes.add(new Text(x, bottom + 16, s + " s", 11, "middle", false));
            }
            panel++;
        }
    }

    private static long total(long[] row) {
        long n = 0;
        for (long v : row) n += v;
        return n;
    }

    public int width() { return WIDTH; }
    public int height() { return height; }

    /** An {@code <svg>} element, ready to inline in HTML. */
    public String svg() {
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" font-family=\"sans-serif\" role=\"img\" aria-label=\"frames by path over time, per ").append(what).append("\">\n");
        for (Shape s : shapes) {
            switch (s) {
                case Rect r -> b.append(String.format(Locale.ROOT,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#%06x\"%s\n", r.x(), r.y(), r.w(), r.h(), r.rgb(),
                        r.tip() == null ? "/>" : "><title>" + Html.escape(r.tip()) + "</title></rect>"));
                case Line l -> b.append(String.format(Locale.ROOT,
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#%06x\"/>\n", l.x1(), l.y1(), l.x2(), l.y2(), l.rgb()));
                case Text t -> b.append(String.format(Locale.ROOT,
                        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\"%s>%s</text>\n", t.x(), t.y(), t.size(),
                        t.anchor(), t.bold() ? " font-weight=\"bold\"" : "", Html.escape(t.text())));
            }
        }
        return b.append("</svg>\n").toString();
    }

    /** The same chart as a PNG (Java2D; needs no display). */
    public byte[] png() {
        BufferedImage img = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setStroke(new BasicStroke(1f));
            for (Shape s : shapes) {
                switch (s) {
                    case Rect r -> {
                        g.setColor(new Color(r.rgb()));
                        g.fillRect((int) Math.round(r.x()), (int) Math.round(r.y()),
                                Math.max(1, (int) Math.round(r.x() + r.w()) - (int) Math.round(r.x())),
                                Math.max(1, (int) Math.round(r.y() + r.h()) - (int) Math.round(r.y())));
                    }
                    case Line l -> {
                        g.setColor(new Color(l.rgb()));
                        g.drawLine((int) l.x1(), (int) l.y1(), (int) l.x2(), (int) l.y2());
                    }
                    case Text t -> {
                        g.setColor(Color.BLACK);
                        g.setFont(new Font(Font.SANS_SERIF, t.bold() ? Font.BOLD : Font.PLAIN, t.size()));
                        int w = g.getFontMetrics().stringWidth(t.text());
                        double x = switch (t.anchor()) {
                            case "middle" -> t.x() - w / 2.0;
                            case "end" -> t.x() - w;
                            default -> t.x();
                        };
                        g.drawString(t.text(), (float) x, (float) t.y());
                    }
                }
            }
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
