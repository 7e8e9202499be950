package dev.ferry.compositor.cli;

import dev.ferry.drm.topology.Topologies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `ferry topology import` and `probe` as a user runs them: exit codes, the file, the one-line errors. */
class TopologyCommandTest {
    private static final Path DUMPS = Path.of("../fake-drm/src/test/resources/dev/ferry/drm/dumps");

    private record Run(int code, String err) {}

    private static synchronized Run ferry(String... args) {
        PrintStream err = System.err, out = System.out;
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            return new Run(Ferry.execute(args), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
    }

    @Test
    void importWritesATopologyFerryLoadsAndListsItsGuesses(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("laptop.json");
        Run r = ferry("topology", "import", DUMPS.resolve("intel-laptop.txt").toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("assumed (edit the topology to correct):"), r.err());
        assertTrue(r.err().contains("card0 (i915): integrated GPU"), r.err());
        assertEquals("intel-laptop", Topologies.load(out.toString()).name());
    }

    @Test
    void aMalformedDumpIsOneLineNamingTheLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.txt");
        Files.writeString(bad, "Node: /dev/dri/card0\n├───Framebuffer size\n│   └───Width: lots\n");
        Run r = ferry("topology", "import", bad.toString());
        assertEquals(2, r.code());
        assertEquals("ferry topology import: " + bad + ": line 3: expected 'Width: [min, max]' or 'Height: [min, max]', found 'Width: lots'\n", r.err());
    }

    @Test
    void probeWithoutDrmDevicesSaysSoAndFails(@TempDir Path dir) {
        Run r = ferry("topology", "probe", "--dri", dir.toString());
        assertEquals(1, r.code());
        assertEquals("ferry topology probe: no DRM devices: " + dir + " has no card nodes\n", r.err());
    }
}
