package dev.ferry.testclients.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.client.DmabufWindow;
import dev.ferry.compositor.Compositor;
import dev.ferry.drm.topology.Topologies;
import dev.ferry.testclients.video.VideoClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A topology where no device can render (a display-only USB adapter alone) runs: linux-dmabuf is
 * not offered, a wl_shm client's frames reach the display through the system-RAM copy, or, once
 * the client keeps updating, on a plane straight from its udmabuf-wrapped pool; no frame is
 * GPU-composed. Until this fix, `ferry run` on it died with a NullPointerException about the
 * missing main device.
 */
class NoRenderDeviceTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void displayOnlyTopologyShowsShmClientsThroughCpuCopy() throws Exception {
        ObjectNode usb = (ObjectNode) new ObjectMapper().readTree(Topologies.toJson(Topologies.preset("usb-display")));
        for (JsonNode d : usb.path("devices")) {
            ArrayNode roles = ((ObjectNode) d).putArray("roles");
            roles.add("display");
        }
        Path topology = dir.resolve("display-only.json");
        Files.writeString(topology, usb.toPrettyString());
        try (KmsFerry f = KmsFerry.onVirtualClock(topology.toString(), dev.ferry.drm.FaultPlan.none(), "cpu")) {
            Compositor c = f.compositor();
            assertNull(c.linuxDmabuf(), "no render device, no linux-dmabuf");
            // Paced by wp_fifo_v1 at 60 fps, as `ferry client video --fifo` would be.
            VideoClient.Pacing fifo = new VideoClient.Pacing(DmabufWindow.Sync.IMPLICIT, 0, 0, true, 0);
            VideoClient.Summary s = f.run(VideoClient.Options.of(f.socketPath())
                    .buffers(DmabufWindow.Buffers.SHM).size(320, 240).fps(60).frames(20).topology(topology.toString()).pacing(fifo), null);
            System.out.println("display-only: " + s.toJson().replace('\n', ' '));
            // A frame may be replaced before its vblank (discarded); every other one is shown.
            assertEquals(20, s.presented() + s.discarded(), "every frame presented or replaced: " + s);
            assertTrue(s.presented() >= 15, "frames presented: " + s);
            JsonNode stats = new ObjectMapper().readTree(c.statsJson());
            long withoutGpu = 0;
            for (JsonNode o : stats.path("outputs")) {
                JsonNode byPath = o.path("paths").path("by_path");
                assertEquals(0, byPath.path("gpu-composition").asLong(), "no GPU to compose: " + o);
                withoutGpu += byPath.path("system-ram-copy").asLong() + byPath.path("overlay-plane").asLong()
                        + byPath.path("direct-scanout").asLong();
            }
            assertTrue(withoutGpu >= s.presented(), "frames through the system-RAM copy or on a plane: " + stats.path("outputs"));
        }
    }
}
