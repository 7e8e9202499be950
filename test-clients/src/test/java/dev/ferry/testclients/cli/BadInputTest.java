package dev.ferry.testclients.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.drm.topology.Topologies;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Command lines a new user might type, each run as the `ferry` command in a JVM of its own (its
 * real exit code and stderr): every one must end with a one-line error naming the cause, the
 * expected exit code (2 for a bad command line, 1 for a failed command) and no stack trace. The
 * table is the list of bad input; `{dir}` is a directory of fixtures made here.
 */
class BadInputTest {
    @TempDir
    static Path dir;
    private static Path runtime;

    static Stream<Arguments> cases() {
        return Stream.of(
                // topology files
                row("run --topology {dir}/empty.json", 1, "lists no devices"),
                row("run --topology {dir}/devices-42.json", 1, "at devices (line 1, column 13): expected a list"),
                row("run --topology {dir}/truncated.json", 1, "the file ends too early"),
                row("run --topology {dir}/unknown-role.json", 1, "at devices[0] (line", "role gpu"),
                row("run --topology {dir}/mode-0x0.json", 1, "at devices[0].connectors[0].modes[0]", "mode 0x0"),
                row("run --topology {dir}/no-such.json", 1, "no topology preset or file named {dir}/no-such.json"),
                row("topology show {dir}/devices-42.json", 1, "expected a list"),
                // report --from
                row("report --from {dir}/missing.json", 1, "cannot read {dir}/missing.json: no such file or directory"),
                row("report --from {dir}", 1, "is a directory, not a stats JSON file"),
                row("report --from {dir}/garbage.json", 1, "is not JSON (line 1, column", "Unrecognized token 'garbage'"),
                row("report --from {dir}/object.json", 1, "is not Ferry stats", "\"outputs\" should be a list, found nothing"),
                row("report --from {dir}/list.json", 1, "is not Ferry stats", "expected an object, found a list"),
                row("report --from {dir}/outputs-5.json", 1, "is not Ferry stats", "\"outputs\" should be a list, found a number (5)"),
                // files
                row("ctl --socket wayland-stale screenshot --file /nonexistent-dir/x.png", 1, "directory /nonexistent-dir does not exist"),
                row("demo --out /proc/nope --seconds 1", 1, "cannot create the report directory (--out) /proc/nope"),
                // control socket
                row("ctl --socket wayland-stale stats", 1, "the compositor is gone"),
                row("ctl --socket wayland-none stats", 1, "no Ferry is serving socket wayland-none"),
                row("ctl --socket wayland-stale stats --interval 10 --watch", 2, "--interval 10 is out of range"),
                row("ctl --socket wayland-stale stats --interval 500", 2, "--interval needs --watch"),
                // options
                row("run --bogus", 2, "Unknown option: '--bogus'"),
                row("run --backend foo", 2, "expected one of [kms, headless, nested]"),
                row("run --renderer dummy", 2, "expected one of [gles, vulkan, cpu, auto]"),
                row("demo --renderer dummy", 2, "expected one of [gles, vulkan, cpu, auto]"),
                row("run --mode 800x600", 2, "--mode does not apply to --backend kms"),
                row("run --outputs 2", 2, "--outputs does not apply to --backend kms"),
                row("run --backend headless --outputs 0", 2, "--outputs 0 is out of range (1..16)"),
                row("run --backend headless --topology laptop-igpu", 2, "--topology does not apply to --backend headless"),
                row("run --backend headless --mode 0x0", 2, "out of range"),
                row("run --copy-mode card9=cpu", 1, "--copy-mode names card9, which topology hybrid-laptop does not have (devices: card0, card1)"),
                row("run --copy-mode card1=warp", 2, "unknown copy mode 'warp'"),
                row("run --render-device card7", 1, "--render-device card7: no such device (devices: card0, card1)"),
                row("demo --seconds 0", 2, "--seconds 0.0 must be more than 0"),
                row("demo --seconds -3", 2, "--seconds -3.0 must be more than 0"),
                // faults on purpose
                row("run --faults bogus@card0:frame=1", 2, "--faults item 'bogus@card0:frame=1': unknown fault kind 'bogus' (commit, import,"),
                row("run --faults commit@card9:frame=1", 2, "no device or output card9 in topology hybrid-laptop (card0, card1, eDP-1, HDMI-A-1)"),
                row("run --faults commit@eDP-1", 2, "--faults item 'commit@eDP-1': say when"),
                row("run --faults import:rate=2", 2, "rate must be more than 0 and at most 1"),
                row("run --faults disconnect@card0:time=1-2", 2, "no connector card0 in topology hybrid-laptop (eDP-1, DP-1, HDMI-A-1, DP-2)"),
                row("run --backend headless --faults commit:rate=0.1", 2, "--faults does not apply to --backend headless"),
                row("ctl --socket wayland-stale fault bogus", 1, "unknown fault kind 'bogus'"),
                row("demo --scenario hotplug --topology laptop-igpu", 2, "--scenario hotplug: hotplug needs two display devices"),
                row("demo --scenario offload --topology usb-display", 2, "--scenario offload: offload needs two render devices"),
                row("demo --scenario bogus", 2, "unknown scenario 'bogus' (tour, faults, hotplug, offload)"),
                row("nosuch", 2, "Unmatched argument at index 0: 'nosuch'"));
    }

    private static Arguments row(String args, int exit, String... fragments) {
        return Arguments.of(args, exit, List.of(fragments));
    }

    @BeforeAll
    static void fixtures() throws IOException {
        Files.writeString(dir.resolve("empty.json"), "{\"devices\": []}");
        Files.writeString(dir.resolve("devices-42.json"), "{\"devices\": 42}");
        Files.writeString(dir.resolve("truncated.json"), "{\"devices\": [\n");
        ObjectMapper json = new ObjectMapper();
        ObjectNode usb = (ObjectNode) json.readTree(Topologies.toJson(Topologies.preset("usb-display")));
        ObjectNode role = usb.deepCopy();
        ((ArrayNode) role.path("devices").get(0).path("roles")).add("gpu");
        Files.writeString(dir.resolve("unknown-role.json"), role.toPrettyString());
        ObjectNode mode = usb.deepCopy();
        ((ObjectNode) mode.path("devices").get(0).path("connectors").get(0).path("modes").get(0)).put("width", 0).put("height", 0);
        Files.writeString(dir.resolve("mode-0x0.json"), mode.toPrettyString());
        Files.writeString(dir.resolve("garbage.json"), "garbage");
        Files.writeString(dir.resolve("object.json"), "{}");
        Files.writeString(dir.resolve("list.json"), "[1,2]");
        Files.writeString(dir.resolve("outputs-5.json"), "{\"outputs\":5}");
        // A control socket whose compositor is gone: bound, then closed without unlinking.
        runtime = Files.createDirectory(dir.resolve("runtime"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path stale = Files.createDirectory(runtime.resolve("ferry-wayland-stale")).resolve("control");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(stale));
        }
    }

    @ParameterizedTest(name = "ferry {0}")
    @MethodSource("cases")
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void saysWhatIsWrongInOneLine(String args, int exit, List<String> fragments) throws Exception {
        Result r = ferry(args.replace("{dir}", dir.toString()).split(" "));
        String stderr = r.stderr.strip();
        assertEquals(exit, r.exit, "exit code of ferry " + args + "; stderr:\n" + stderr);
        for (String f : fragments) {
            String expected = f.replace("{dir}", dir.toString());
            assertTrue(stderr.contains(expected), "stderr names the cause (" + expected + "):\n" + stderr);
        }
        assertFalse(stderr.contains("\tat ") || stderr.contains("Exception"), "no stack trace or exception name:\n" + stderr);
        // The compositor's start-up INFO lines (the renderer auto chose) are not errors.
        List<String> lines = stderr.lines().filter(l -> !l.startsWith("Try 'ferry") && !l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO .*")).toList();
        assertEquals(1, lines.size(), "one line of error (and a pointer to --help):\n" + stderr);
        if (exit == 2) assertTrue(stderr.contains("--help' for more information"), "points to --help:\n" + stderr);
        if (args.startsWith("report")) {
            try (Stream<Path> files = Files.list(dir)) {
                assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith("stats.json")), "report wrote nothing beside its input");
            }
        }
    }

    private record Result(int exit, String stderr) {}

    /** The ferry command in a JVM of its own, with a private runtime dir. */
    private static Result ferry(String... args) throws Exception {
        List<String> cmd = FerryJvm.command(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("XDG_RUNTIME_DIR", runtime.toString());
        pb.environment().remove("WAYLAND_DISPLAY");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ferry " + String.join(" ", args) + " did not exit within 90 s: " + Files.readString(err));
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        Files.delete(err);
        return new Result(p.exitValue(), stderr);
    }
}
