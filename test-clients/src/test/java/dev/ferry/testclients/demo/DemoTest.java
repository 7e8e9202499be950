package dev.ferry.testclients.demo;

import dev.ferry.testclients.report.ReportCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo end to end, shortened: real compositor, real clients, the report for every output. */
class DemoTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shortDemoReportsEveryOutputOfHybridLaptop() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Demo.Result r;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            r = new Demo(new Demo.Options("hybrid-laptop", "auto", 2, 30, dir), out).run();
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(List.of("eDP-1", "HDMI-A-1"), r.outputs());
        String html = Files.readString(dir.resolve(ReportCommand.HTML));
        for (String output : r.outputs()) {
            assertTrue(printed.contains("  " + output + " "), "text report names " + output + ":\n" + printed);
            assertTrue(html.contains(">" + output + "</text>"), "chart has a panel for " + output);
        }
        assertTrue(printed.contains(" 1 s "), "progress lines:\n" + printed);
        assertTrue(printed.contains("report: " + dir.resolve(ReportCommand.HTML).toAbsolutePath()), printed);
        assertTrue(Files.size(dir.resolve(ReportCommand.PNG)) > 0);
        assertTrue(html.contains("Frames by path over time, per surface</h2>") && html.contains("<title>video-eDP-1-fullscreen-dmabuf"),
                "a per-surface timeline with tooltips");
        assertTrue(printed.contains("what to do: "), "reasons explained in the text report:\n" + printed);
        assertTrue(Files.readString(dir.resolve(ReportCommand.STATS)).contains("\"timeline\""));
        assertTrue(r.clients().values().stream().anyMatch(s -> s.presented() > 0), "clients presented frames");
    }

    /** One output: the windows start halfway, so the fullscreen video reaches direct scanout first (it never did). */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void singleOutputTopologyReachesDirectScanout() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            new Demo(new Demo.Options("laptop-igpu", "cpu", 4, 30, dir), out).run();
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        var stats = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve(ReportCommand.STATS).toFile());
        var byPath = stats.path("outputs").get(0).path("paths").path("by_path");
        // The CPU renderer's composition is the system-RAM copy in the one path vocabulary.
        assertTrue(byPath.path("direct-scanout").asLong() > 0 && byPath.path("system-ram-copy").asLong() > 0,
                "both scanout and composition on eDP-1: " + byPath + "\n" + printed);
        assertTrue(printed.contains("windowed   on eDP-1, from 2.0 s"), printed);
    }

    /** The faults scenario: failed commits injected by the spec, listed in the stats and the report. */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void faultsScenarioInjectsAndReportsFailedCommits() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            new Demo(new Demo.Options("laptop-igpu", "cpu", 4, 30, dir, Scenario.FAULTS), out).run();
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        var stats = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve(ReportCommand.STATS).toFile());
        assertEquals(3, stats.path("faults").path("injected").path("by_kind").path("commit").asInt(), stats.path("faults") + "\n" + printed);
        assertTrue(printed.contains("faults commit@card0:frames=60-63"), printed);
        assertTrue(printed.contains("3 injected on purpose: commit 3"), printed);
    }
}
