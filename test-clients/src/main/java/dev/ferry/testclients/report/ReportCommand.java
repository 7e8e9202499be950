package dev.ferry.testclients.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ferry.compositor.cli.Ferry;
import dev.ferry.compositor.cli.UserErrors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** `ferry report --from stats.json [--out DIR]`: renders a saved run as the demo does. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Render a saved `ferry ctl stats` (or `ferry demo`) JSON as the fallback report: text, HTML with a timeline chart, PNG.")
public final class ReportCommand implements Callable<Integer> {
    public static final String HTML = "report.html";
    public static final String PNG = "timeline.png";
    public static final String STATS = "stats.json";

    @Option(names = "--from", required = true, description = "The stats JSON of a run")
    Path from;

    @Option(names = "--out", description = "Where to write report.html and timeline.png (default: beside the JSON)")
    Path out;

    @Option(names = "--quiet", description = "Do not print the text report")
    boolean quiet;

    /** Registers `report` with the ferry command. */
    public static final class Subcommand implements Ferry.FerrySubcommand {
        @Override public String name() { return "report"; }
        @Override public Object command() { return new ReportCommand(); }
    }

    /** What {@link #write} wrote. */
    public record Written(Path html, Path png, Path stats) {}

    @Override
    public Integer call() throws IOException {
        JsonNode root = StatsFile.read(from);
        Path dir = out != null ? UserErrors.makeWritableDirectory(out, "the report directory (--out)") : from.toAbsolutePath().getParent();
        // The stats are copied only into a directory asked for with --out, never beside the input.
        Written w = write(root, dir, System.out, quiet, out != null);
        System.out.println("report: " + w.html().toAbsolutePath());
        System.out.println("chart:  " + w.png().toAbsolutePath());
        return 0;
    }

    /**
     * Writes the HTML page, the PNG chart and, with saveStats (unless the same file is already
     * there), the stats JSON into dir; prints the text report to out unless quiet.
     */
    public static Written write(JsonNode root, Path dir, PrintStream out, boolean quiet, boolean saveStats) throws IOException {
        Files.createDirectories(dir);
        RunData run = RunData.of(root);
        TimelineChart chart = new TimelineChart(run.timeline());
        Path html = dir.resolve(HTML), png = dir.resolve(PNG), stats = dir.resolve(STATS);
        Files.write(png, chart.png());
        TimelineChart surfaces = run.surfaceTimeline().outputs().isEmpty() ? null : new TimelineChart(run.surfaceTimeline(), "surface");
        Files.writeString(html, Html.page(run, chart, surfaces, PNG));
        if (saveStats && !Files.exists(stats)) {
            Files.write(stats, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(root));
        }
        if (!quiet) out.print(FallbackReport.text(run));
        return new Written(html, png, stats);
    }
}
