package dev.ferry.drm.topology.dump;

import dev.ferry.drm.topology.ConnectorSpec;
import dev.ferry.drm.topology.DeviceSpec;
import dev.ferry.drm.topology.ModeSpec;
import dev.ferry.drm.topology.PlaneSpec;
import dev.ferry.drm.topology.Topologies;
import dev.ferry.drm.topology.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * drm_info dumps written for the test in its two layouts (tree text and {@code drm_info -j}) of
 * three machines: an Intel laptop (primary/overlay/cursor planes, Intel tiled modifiers), an AMD
 * dGPU, and a DisplayLink evdi adapter beside the Intel GPU (LINEAR only). Both forms of a machine
 * must import to the same topology.
 */
class DumpImportTest {
    static String dump(String file) throws IOException {
        try (InputStream in = DumpImportTest.class.getResourceAsStream("/dev/ferry/drm/dumps/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static DumpImporter.Imported imported(String file) throws IOException {
        return DumpImporter.toTopology(DumpImporter.read(dump(file)), "t");
    }

    @ParameterizedTest
    @ValueSource(strings = {"intel-laptop", "amd-dgpu", "displaylink-evdi"})
    void bothFormsImportToTheSameTopology(String machine) throws IOException {
        DumpImporter.Imported text = imported(machine + ".txt");
        DumpImporter.Imported json = imported(machine + ".json");
        assertEquals(Topologies.toJson(json.topology()), Topologies.toJson(text.topology()));
        assertEquals(List.of(), text.missing());
        assertFalse(text.assumptions().isEmpty(), "what the dump cannot say is listed");
        // The file fake-drm reads back is the same topology.
        assertEquals(Topologies.toJson(text.topology()), Topologies.toJson(Topologies.parse(Topologies.toJson(text.topology()))));
    }

    @Test
    void intelLaptop() throws IOException {
        DumpImporter.Imported i = imported("intel-laptop.txt");
        DeviceSpec d = i.topology().devices().get(0);
        assertEquals("card0", d.name());
        assertEquals("i915", d.driver());
        assertEquals(List.of("render", "display"), d.roles());
        assertEquals(3, d.crtcs());
        assertEquals(List.of("eDP-1", "DP-1", "HDMI-A-1"), d.connectors().stream().map(ConnectorSpec::name).toList());
        ConnectorSpec edp = d.connectors().get(0);
        assertTrue(edp.connected());
        assertEquals(List.of(new ModeSpec(1920, 1200, 60000), new ModeSpec(1920, 1080, 60000)), edp.modes());
        assertEquals(List.of(0, 1, 2), edp.crtcs());
        assertEquals(List.of("primary", "overlay", "cursor", "primary", "cursor", "primary"), d.planes().stream().map(PlaneSpec::type).toList());
        PlaneSpec primary = d.planes().get(0);
        assertEquals(List.of(0), primary.crtcs());
        assertEquals(0, primary.zpos());
        assertEquals(2, d.planes().get(2).zpos());
        assertEquals(256, d.planes().get(2).maxWidth());
        // Y_TILED_CCS and X_TILED are the first two tiled modifiers: fake-drm's two layouts stand in.
        assertEquals(List.of("FAKE_TILED_4X4", "FAKE_TILED_16X16_COLUMN", "LINEAR"),
                primary.formats().stream().map(f -> f.modifiers().get(0)).toList());
        // RGB565 and XRGB2101010 are left out: fake-drm does not simulate them.
        assertEquals(List.of("XRGB8888", "ARGB8888", "XBGR8888", "ABGR8888"), primary.formats().get(2).formats());
        assertTrue(i.assumptions().contains("modifier 0x0100000000000004 simulated as FAKE_TILED_4X4"), i.assumptions().toString());
        assertTrue(i.assumptions().contains("modifier 0x0100000000000001 simulated as FAKE_TILED_16X16_COLUMN"), i.assumptions().toString());
        assertTrue(i.topology().description().contains("Assumed: card0 (i915): integrated GPU"), i.topology().description());
    }

    @Test
    void amdDgpu() throws IOException {
        DeviceSpec d = imported("amd-dgpu.json").topology().devices().get(0);
        assertEquals("card1", d.name());
        assertEquals(1, d.minor());
        assertEquals(List.of("vram"), d.scanoutFrom());
        assertEquals(256, d.pitchAlignment());
        assertEquals(List.of("DP-1", "HDMI-A-1", "DP-2"), d.connectors().stream().map(ConnectorSpec::name).toList());
        assertEquals(new ModeSpec(3840, 2160, 30000), d.connectors().get(1).modes().get(0));
        assertEquals(4, d.crtcs());
        assertEquals(List.of(0, 1, 2, 3), d.planes().get(4).crtcs(), "the overlay goes on any CRTC");
        assertEquals(255, d.planes().get(5).zpos());
    }

    @Test
    void displayLinkIsDisplayOnlyAndLinear() throws IOException {
        Topology t = imported("displaylink-evdi.txt").topology();
        assertEquals(2, t.devices().size());
        DeviceSpec evdi = t.device("card2");
        assertEquals("evdi", evdi.driver());
        assertEquals(List.of("display"), evdi.roles());
        assertEquals(4096, evdi.maxWidth());
        assertEquals(List.of("DVI-I-1"), evdi.connectors().stream().map(ConnectorSpec::name).toList());
        assertEquals(List.of("primary", "cursor"), evdi.planes().stream().map(PlaneSpec::type).toList(), "no overlay");
        for (PlaneSpec p : evdi.planes()) for (var f : p.formats()) assertEquals(List.of("LINEAR"), f.modifiers());
        assertEquals(List.of(0, 101), evdi.planes().stream().map(PlaneSpec::zpos).toList(), "no zpos in the dump: primary at 0, cursors on top");
    }

    @Test
    void aTruncatedTreeImportsWhatItHoldsAndSaysWhatIsMissing() throws IOException {
        String whole = dump("intel-laptop.txt");
        String cut = whole.substring(0, whole.indexOf("├───Encoders\n"));
        DumpImporter.Imported i = DumpImporter.toTopology(DumpImporter.read(cut), "cut");
        DeviceSpec d = i.topology().devices().get(0);
        assertEquals(3, d.connectors().size());
        assertTrue(i.missing().contains("/dev/dri/card0: no Planes section (the dump ends before it)"), i.missing().toString());
        assertTrue(i.missing().contains("/dev/dri/card0: no CRTCs section (the dump ends before it)"), i.missing().toString());
        assertEquals(1, d.crtcs(), "one CRTC assumed");
        assertEquals("primary", d.planes().get(0).type(), "a primary plane assumed");
        assertTrue(i.topology().description().contains("Missing from the dump"));
    }

    @Test
    void aTreeCutInsideAPlaneSaysSoAndKeepsWhatItHolds() throws IOException {
        String whole = dump("intel-laptop.txt");
        String cut = whole.substring(0, whole.indexOf("I915_FORMAT_MOD_Y_TILED (0x100000000000002)"));
        cut = cut.substring(0, cut.lastIndexOf('\n') + 1);
        int lines = (int) cut.lines().count();
        DumpImporter.Imported i = DumpImporter.toTopology(DumpImporter.read(cut), "cut");
        assertEquals(List.of("/dev/dri/card0: the dump is cut short after line " + lines
                + " (more was to follow there); the last Planes entry may be partial"), i.missing());
        DeviceSpec d = i.topology().devices().get(0);
        // Cut inside the primary plane's IN_FORMATS, before Y_TILED and LINEAR.
        assertEquals(List.of("primary"), d.planes().stream().map(PlaneSpec::type).toList());
        assertEquals(List.of("FAKE_TILED_4X4", "FAKE_TILED_16X16_COLUMN"),
                d.planes().get(0).formats().stream().map(f -> f.modifiers().get(0)).toList(), "it keeps the modifiers it got to");
    }

    @Test
    void malformedDumpsNameTheLineOrField() throws IOException {
        String tree = dump("amd-dgpu.txt").replace("2560x1440@60.00", "2560x1440 at 60");
        DumpFormatException e = assertThrows(DumpFormatException.class, () -> DumpImporter.read(tree));
        int line = 1 + (int) dump("amd-dgpu.txt").lines().takeWhile(l -> !l.contains("2560x1440@60.00")).count();
        assertEquals("line " + line + ": expected a mode 'WIDTHxHEIGHT@HZ', found '2560x1440 at 60 preferred driver phsync pvsync'", e.getMessage());

        String json = dump("amd-dgpu.json").replaceFirst("\"possible_crtcs\": 1,", "\"possible_crtcs\": \"one\",");
        e = assertThrows(DumpFormatException.class, () -> DumpImporter.read(json));
        assertTrue(e.getMessage().startsWith("field /dev/dri/card1.planes[0].possible_crtcs: expected an integer"), e.getMessage());

        String cutJson = dump("amd-dgpu.json").substring(0, 500);
        e = assertThrows(DumpFormatException.class, () -> DumpImporter.read(cutJson));
        assertTrue(e.getMessage().startsWith("line "), e.getMessage());
        assertTrue(e.getMessage().contains("cut short"), e.getMessage());

        e = assertThrows(DumpFormatException.class, () -> DumpImporter.read("hello"));
        assertTrue(e.getMessage().startsWith("line 1 column"), e.getMessage());
    }
}
