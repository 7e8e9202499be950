package dev.ferry.drm.topology;

import dev.ferry.drm.FakeDevice;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.NoFdLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoFdLeaks.class)
class TopologiesTest {
    @Test
    void everyPresetLoadsOpensAndRoundTripsThroughJson() {
        assertEquals(6, Topologies.presetNames().size());
        for (String name : Topologies.presetNames()) {
            Topology t = Topologies.load(name);
            assertEquals(name, t.name());
            assertFalse(t.devices().isEmpty(), name);
            String json = Topologies.toJson(t);
            assertEquals(t.name(), Topologies.parse(json).name());
            assertTrue(Topologies.summary(t).startsWith(name + ": "));
            assertEquals(json, Topologies.toJson(Topologies.parse(json)), "stable JSON for " + name);
            try (FakeKernel k = FakeKernel.open(t)) {
                assertNotNull(k.firstDisplay(), name + " has a lit display");
                for (FakeDevice d : k.devices()) assertEquals(226, d.info().major());
            }
        }
    }

    /** `ferry run` asks for its preset from two threads at once: both get the one parse. */
    @Test
    void aPresetIsParsedOnceForEveryCaller() throws Exception {
        var other = java.util.concurrent.CompletableFuture.supplyAsync(() -> Topologies.preset("usb-display"));
        Topology here = Topologies.load("usb-display");
        assertSame(here, other.get());
        assertSame(here, Topologies.preset("usb-display"));
    }

    @Test
    void presetsSayWhatTheIssueAsksFor() {
        Topology hybrid = Topologies.load("hybrid-laptop");
        assertFalse(hybrid.p2pAllowed("card0", "card1"));
        assertEquals("HDMI-A-1", hybrid.device("card1").connectors().get(0).name());
        assertEquals("eDP-1", hybrid.device("card0").connectors().get(0).name());
        assertEquals(java.util.List.of("vram"), hybrid.device("card1").scanoutFrom());
        DeviceSpec usb = Topologies.load("usb-display").device("card1");
        assertFalse(usb.canRender());
        assertTrue(usb.canDisplay());
        DeviceSpec dc = Topologies.load("arm-soc").device("card0");
        assertTrue(dc.needsContiguous());
        assertFalse(Topologies.load("arm-soc").device("card1").snoopsCpuCaches());
        assertTrue(Topologies.load("dual-dgpu-p2p").p2pAllowed("card1", "card0"));
        assertFalse(Topologies.load("dual-dgpu-nop2p").p2pAllowed("card1", "card0"));
    }

    @Test
    void loadsFromAFileAndRejectsUnknownNames(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mine.json");
        Topology t = Topologies.load("laptop-igpu");
        Files.writeString(file, Topologies.toJson(t).replace("\"laptop-igpu\"", "\"mine\""));
        assertEquals("mine", Topologies.load(file.toString()).name());
        assertThrows(IllegalArgumentException.class, () -> Topologies.load("no-such-preset"));
        assertThrows(IllegalArgumentException.class, () -> Topologies.parse("{\"devices\":[{\"name\":\"a\",\"roles\":[\"juggle\"]}]}"));
    }
}
