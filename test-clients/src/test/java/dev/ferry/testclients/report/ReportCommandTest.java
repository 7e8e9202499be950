package dev.ferry.testclients.report;

import dev.ferry.compositor.cli.Ferry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `ferry report --from` on a small saved run: HTML with the SVG chart, a PNG in the path colours. */
class ReportCommandTest {
    @TempDir
    Path dir;

    @Test
    void rendersSavedRunAsHtmlWithSvgAndPngInPathColours() throws Exception {
        Path stats = dir.resolve("saved.json");
        try (InputStream in = getClass().getResourceAsStream("/report/small-stats.json")) {
            Files.copy(in, stats);
        }
        Path out = dir.resolve("out");
        assertEquals(0, Ferry.execute("report", "--from", stats.toString(), "--out", out.toString(), "--quiet"));

        String html = Files.readString(out.resolve(ReportCommand.HTML));
        assertTrue(html.contains("<svg"), "inline SVG chart");
        assertTrue(html.contains("fill=\"#2ca02c\""), "direct-scanout bars in the SVG");
        assertTrue(html.contains("fill=\"#ff7f0e\""), "system-ram-copy bars in the SVG");
        assertTrue(html.contains(">eDP-1</text>") && html.contains(">HDMI-A-1</text>"), "a panel per output");
        assertTrue(html.contains("cpu-copy"), "copy mode");
        assertTrue(html.contains("renderer-import-failed 4"), "reasons per surface");
        assertTrue(html.contains("direct scanout 1017 ms after it"), "time to recover after feedback");
        assertTrue(!html.contains("<script"), "no scripts");
        // Older stats without explained reasons: the report explains them from the labels.
        assertTrue(html.contains("<th>what to do</th>"), "a what-to-do column");
        assertTrue(html.contains("<td>renderer-import-failed</td><td>fixable by reallocation</td><td>4</td>"
                + "<td>the render device cannot import the buffer</td><td>allocate where the render GPU can read"), "reason explained");
        assertTrue(html.matches("(?s).*<title>eDP-1, \\d+\\.\\d\\d-\\d+\\.\\d\\d s: direct-scanout \\d+ of \\d+ frames</title>.*"), "tooltips with counts");
        assertTrue(Files.exists(out.resolve(ReportCommand.STATS)), "the stats JSON saved beside the report");

        BufferedImage png = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(out.resolve(ReportCommand.PNG))));
        assertEquals(TimelineChart.WIDTH, png.getWidth());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < png.getHeight(); y++) for (int x = 0; x < png.getWidth(); x++) colours.add(png.getRGB(x, y) & 0xFFFFFF);
        for (String path : new String[] {"direct-scanout", "gpu-composition", "system-ram-copy"}) {
            assertTrue(colours.contains(TimelineChart.colour(path)), path + " colour in the PNG");
        }
    }

    @Test
    void textReportNamesOutputsSurfacesReasonsAndCopyModes() throws Exception {
        Path stats = dir.resolve("stats.json");
        try (InputStream in = getClass().getResourceAsStream("/report/small-stats.json")) {
            Files.copy(in, stats);
        }
        String text = FallbackReport.text(RunData.read(stats));
        assertTrue(text.contains("eDP-1") && text.contains("direct-scanout 6 (75%)"), text);
        assertTrue(text.contains("copy mode now: cpu-copy; frames by copy mode: cpu-copy 6"), text);
        assertTrue(text.contains("not zero-copy: display refuses"), text);
        assertTrue(text.contains("done by: system-ram-copy@cpu 4, gpu-composition@card1 2"), "which device composed: " + text);
        assertTrue(text.contains("video-offload") && text.contains("because renderer-import-failed 4"), text);
    }
}
