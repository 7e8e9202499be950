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
 * dma-buf video on the machine's connected output, and the per-frame paths checked; and a windowed
 * video on the overlay plane the Intel and AMD dumps list (the DisplayLink adapter lists none).
 */
@Timeout(180)
class ImportedTopologyTest {
    private static final Path DUMPS = Path.of("../fake-drm/src/test/resources/dev/ferry/drm/dumps");

    /** The first frame from which every frame took path p, or -1. */
    private static int firstFromWhichAll(List<KmsFerry.FrameRecord> recs, PathKind p) {
        int i = recs.size();
        while (i > 0 && recs.get(i - 1).path() == p) i--;
        return i == recs.size() ? -1 : i;
    }

    private static DumpImporter.Imported importTo(String dump, Path topo) throws Exception {
        var imported = DumpImporter.toTopology(DumpImporter.read(Files.readString(DUMPS.resolve(dump))), "imported");
        Files.writeString(topo, Topologies.toJson(imported.topology()));
        return imported;
    }

    @ParameterizedTest
    @CsvSource({
        "intel-laptop.txt, card0", "intel-laptop.json, card0", "amd-dgpu.txt, card1", "amd-dgpu.json, card1",
    })
    void windowedVideoTakesTheOverlayTheDumpLists(String dump, String device, @TempDir Path dir)
            throws Exception {
        Path topo = dir.resolve("imported.json");
        DeviceSpec d = importTo(dump, topo).topology().device(device);
        String output = d.connectors().stream().filter(ConnectorSpec::connected).findFirst().orElseThrow().name();
        try (KmsFerry f = KmsFerry.onVirtualClock(topo.toString(), 250_000_000L)) {
            VideoClient.Summary s = f.run(VideoClient.Options.of(f.socketPath()).topology(topo.toString())
                    .title("w").output(output).fullscreen(false).size(640, 360).frames(60), f.capture("w", output));
            assertNull(s.failure(), s.toJson());
            List<KmsFerry.FrameRecord> recs = f.frames(f.captured("w").window());
            int first = firstFromWhichAll(recs, PathKind.OVERLAY_PLANE);
            System.out.printf("imported %s windowed: %s on %s, on an overlay from frame %d; paths %s%n", dump, device, output, first,
                    KmsFerry.shares(recs));
            assertTrue(first >= 0 && first <= 20, dump + ": " + KmsFerry.shares(recs));
        }
    }

    @ParameterizedTest
    @CsvSource({
        "intel-laptop.txt, card0", "intel-laptop.json, card0",
        "amd-dgpu.txt, card1", "amd-dgpu.json, card1",
        "displaylink-evdi.txt, card2", "displaylink-evdi.json, card2",
    })
    void fullscreenVideoOnTheImportedMachineIsScannedOutDirectly(String dump, String device, @TempDir Path dir) throws Exception {
        Path topo = dir.resolve("imported.json");
        DeviceSpec d = importTo(dump, topo).topology().device(device);
        String output = d.connectors().stream().filter(ConnectorSpec::connected).findFirst().orElseThrow().name();
        try (KmsFerry f = KmsFerry.onVirtualClock(topo.toString(), 250_000_000L)) {
            VideoClient.Summary s = f.run(VideoClient.Options.of(f.socketPath()).topology(topo.toString())
                    .title("v").fullscreen(true).output(output).frames(60), f.capture("v", output));
            assertNull(s.failure(), s.toJson());
            assertEquals("dmabuf", s.buffers());
            List<KmsFerry.FrameRecord> recs = f.frames(f.captured("v").window());
            int first = firstFromWhichAll(recs, PathKind.DIRECT_SCANOUT);
            System.out.printf("imported %s: %s on %s, direct scanout from frame %d; paths %s%n", dump, device, output, first, KmsFerry.shares(recs));
            assertTrue(first >= 0 && first <= 20, dump + ": direct scanout from frame " + first + ": " + KmsFerry.shares(recs));
        }
    }
}
