package dev.ferry.testclients.scenarios;

import dev.ferry.drm.topology.ConnectorSpec;
import dev.ferry.drm.topology.DeviceSpec;
import dev.ferry.drm.topology.Topologies;
import dev.ferry.drm.topology.dump.DumpImporter;
import dev.ferry.kms.PathKind;
import dev.ferry.testclients.video.VideoClient;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Is my fullscreen video scanned out on this machine?": a drm_info dump (fake-drm's test dumps,
 * both forms) imported as `ferry topology import` does, Ferry run on the result, a fullscreen
 * dma-buf video on the machine's connected output, and the per-frame paths checked.
 */
@Timeout(180)
class ImportedTopologyTest {
    private static final Path DUMPS = Path.of("../fake-drm/src/test/resources/dev/ferry/drm/dumps");

    @ParameterizedTest
    @CsvSource({
        "intel-laptop.txt, card0", "intel-laptop.json, card0",
        "amd-dgpu.txt, card1", "amd-dgpu.json, card1",
        "displaylink-evdi.txt, card2", "displaylink-evdi.json, card2",
    })
    void fullscreenVideoOnTheImportedMachineIsScannedOutDirectly(String dump, String device, @TempDir Path dir) throws Exception {
        var imported = DumpImporter.toTopology(DumpImporter.read(Files.readString(DUMPS.resolve(dump))), "imported");
        Path topo = dir.resolve("imported.json");
        Files.writeString(topo, Topologies.toJson(imported.topology()));
        DeviceSpec d = imported.topology().device(device);
        String output = d.connectors().stream().filter(ConnectorSpec::connected).findFirst().orElseThrow().name();
        try (KmsFerry f = new KmsFerry(topo.toString(), 250_000_000L)) {
            VideoClient.Summary s = new VideoClient(VideoClient.Options.of(f.socketPath()).topology(topo.toString())
                    .title("v").fullscreen(true).output(output).frames(60)).run(f.capture("v", output));
            assertNull(s.failure(), s.toJson());
            assertEquals("dmabuf", s.buffers());
            List<KmsFerry.FrameRecord> recs = f.frames(f.captured("v").window());
            int first = -1;
            for (int i = 0; i < recs.size(); i++) {
                boolean allScanout = true;
                for (int j = i; j < recs.size(); j++) allScanout &= recs.get(j).path() == PathKind.DIRECT_SCANOUT;
                if (allScanout) {
                    first = i;
                    break;
                }
            }
            System.out.printf("imported %s: %s on %s, direct scanout from frame %d; paths %s%n", dump, device, output, first, KmsFerry.shares(recs));
            assertTrue(first >= 0 && first <= 20, dump + ": direct scanout from frame " + first + ": " + KmsFerry.shares(recs));
        }
    }
}
