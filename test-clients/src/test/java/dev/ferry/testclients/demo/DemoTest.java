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
import java.util.ArrayList;
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
        // Ferry's own clients make pools udmabuf can wrap: a 480x270 ring of three ends inside its last page.
        for (String own : List.of("shm-pages-past-pool", "shm-unsealed")) {
            assertTrue(!printed.contains(own), "the demo's own shm client causes " + own + ":\n" + printed);
        }
        assertTrue(Files.readString(dir.resolve(ReportCommand.STATS)).contains("\"timeline\""));
        assertTrue(r.clients().values().stream().anyMatch(s -> s.presented() > 0), "clients presented frames");
    }

    /**
     * The demo keeps every output at the display's rate: from its second second on, each output
     * of hybrid-laptop presents at least 50 frames in every whole second while its clients play
     * (60 fps), counted by presentation time from the demo's own stats, not by waiting.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void everyOutputPresentsFiftyFramesASecondFromTheSecondSecond() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int seconds = 5;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            new Demo(new Demo.Options("hybrid-laptop", "auto", seconds, 60, dir), out).run();
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        var perSecond = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve(ReportCommand.STATS).toFile())
                .path("demo").path("frames_per_second");
        List<String> outputs = new java.util.ArrayList<>();
        perSecond.fieldNames().forEachRemaining(outputs::add);
        assertEquals(List.of("eDP-1", "HDMI-A-1"), outputs, perSecond.toString());
        for (var e : (Iterable<java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>>) perSecond::fields) {
            // Seconds 1 .. seconds-2: the first is start-up, the last the clients finishing.
            assertTrue(e.getValue().size() >= seconds - 1, e.getKey() + ": " + e.getValue() + "\n" + printed);
            for (int s = 1; s <= seconds - 2; s++) {
                assertTrue(e.getValue().get(s).asLong() >= 50, e.getKey() + " second " + s + ": " + e.getValue() + "\n" + printed);
            }
        }
        assertTrue(printed.contains("frames presented per second, by presentation time:"), printed);
    }

    /** --show: the same demo with each fake connector in a window of a host (a Ferry headless here), titled with name, mode and device. */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shownDemoPutsEachConnectorInAHostWindow() throws Exception {
        Path hostDir = Files.createTempDirectory("ferry-demo-host-",
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        try (dev.ferry.compositor.Compositor host = dev.ferry.compositor.Compositor.create(
                dev.ferry.compositor.Compositor.Options.headless(hostDir, "wayland-host").withRenderer("cpu").withOutputs(1, 3840, 2160, 60_000))) {
            host.startThread();
            java.util.Set<String> titles = java.util.concurrent.ConcurrentHashMap.newKeySet();
            Thread watcher = Thread.ofPlatform().daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        titles.addAll(host.onLoop(() -> host.scene().windows().stream().map(dev.ferry.compositor.scene.Window::title).toList()));
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        // The host is closing.
                    }
                }
            });
            Demo.Result r;
            try (PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)) {
                r = new Demo(new Demo.Options("hybrid-laptop", "cpu", 2, 30, dir).showingOn(hostDir.resolve("wayland-host").toString()), out).run();
            } finally {
                watcher.interrupt();
                watcher.join(2000);
            }
            assertEquals(List.of("eDP-1", "HDMI-A-1"), r.outputs());
            assertTrue(titles.containsAll(List.of("eDP-1 1920x1080@60 on card0", "HDMI-A-1 2560x1440@60 on card1")), "host windows: " + titles);
            assertTrue(r.clients().values().stream().anyMatch(s -> s.presented() > 0), "clients presented frames");
        }
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
        // Once the windows map over the video the frame is composed (the CPU renderer's composition is
        // the system-RAM copy in the one path vocabulary), or the planner puts them on overlay planes.
        assertTrue(byPath.path("direct-scanout").asLong() > 0 && byPath.path("gpu-composition").asLong()
                        + byPath.path("system-ram-copy").asLong() + byPath.path("overlay-plane").asLong() > 0,
                "scanout first, then the windows: " + byPath + "\n" + printed);
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

    /** The hotplug scenario: the second display device unplugged at a third and back at two thirds, each said as it happens. */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void hotplugScenarioUnplugsAndReplugsTheSecondDisplayDevice() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            new Demo(new Demo.Options("hybrid-laptop", "cpu", 6, 30, dir, Scenario.HOTPLUG), out).run();
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("faults unplug@card1:time=2.00-3.00,replug@card1:time=4.00-5.00"), printed);
        assertTrue(printed.contains("device-unplugged card1/HDMI-A-1: output withdrawn"), printed);
        assertTrue(printed.contains("device-replugged card1/HDMI-A-1: output back"), printed);
        var stats = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve(ReportCommand.STATS).toFile());
        var byKind = stats.path("faults").path("by_kind");
        assertEquals(1, byKind.path("device-unplugged").asInt(), stats.path("faults") + "\n" + printed);
        assertEquals(1, byKind.path("device-replugged").asInt(), stats.path("faults") + "\n" + printed);
        List<String> outputs = new ArrayList<>();
        stats.path("outputs").forEach(o -> outputs.add(o.path("name").asText()));
        assertTrue(outputs.contains("HDMI-A-1"), "HDMI-A-1 is back at the end: " + outputs);
    }
}
