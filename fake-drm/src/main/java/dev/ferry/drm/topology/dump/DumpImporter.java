package dev.ferry.drm.topology.dump;

import dev.ferry.drm.topology.ConnectorSpec;
import dev.ferry.drm.topology.DeviceSpec;
import dev.ferry.drm.topology.FormatSet;
import dev.ferry.drm.topology.ModeSpec;
import dev.ferry.drm.topology.PlaneSpec;
import dev.ferry.drm.topology.Topology;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.drm.uapi.PixelFormats;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a drm_info dump into a fake-drm topology. What the dump says is kept: drivers,
 * connectors with their modes and CRTCs, planes with type, CRTCs, zpos and IN_FORMATS, the
 * framebuffer size limits. What it cannot say (memory domains, p2p, cache snooping, render and
 * sample formats) is filled from the driver's kind with conservative defaults, and every such
 * guess is listed in {@link Imported#assumptions()} (and in the topology's description) so the
 * user can edit the file. fake-drm simulates two tiled layouts of its own: a vendor's tiled
 * modifiers stand in as those, the first two distinct ones seen, and the listing says which.
 */
public final class DumpImporter {
    private static final Pattern CARD = Pattern.compile(".*card(\\d+)$");
    private static final int[] RENDER_FORMATS = {Fourcc.ARGB8888, Fourcc.XRGB8888, Fourcc.ABGR8888, Fourcc.XBGR8888};

    /** The topology, the guesses it rests on, and what the dump lacked. */
    public record Imported(Topology topology, List<String> assumptions, List<String> missing) {}

    /** How a driver's hardware is treated where the dump is silent. */
    private enum Kind {
        INTEGRATED("integrated GPU: render+display, system memory (snooped), pitch 64"),
        DISCRETE("discrete GPU: render+display, vram+system, scanout from vram only, pitch 256, no p2p"),
        USB_DISPLAY("USB display adapter: display only, system memory, dumb buffers, pitch 4"),
        DISPLAY_ONLY("display-only device: system memory, dumb buffers, pitch 64");

        final String describe;

        Kind(String describe) { this.describe = describe; }

        static Kind of(String driver) {
            return switch (driver == null ? "" : driver) {
                case "i915", "xe" -> INTEGRATED;
                case "amdgpu", "radeon", "nouveau", "nvidia-drm" -> DISCRETE;
                case "evdi", "udl", "gud" -> USB_DISPLAY;
                default -> DISPLAY_ONLY;
            };
        }
    }

    private final List<String> assumptions = new ArrayList<>();
    private final List<String> missing = new ArrayList<>();
    /** Vendor modifier -> the fake layout simulating it (or absent: dropped). */
    private final Map<Long, Long> simulated = new LinkedHashMap<>();

    private DumpImporter() {}

    public static Imported toTopology(DrmInfoDump dump, String name) {
        return new DumpImporter().run(dump, name);
    }

    /** Reads either form: the tree text when it starts with "Node:", else JSON. */
    public static DrmInfoDump read(String text) {
        return DrmInfoText.looksLikeTree(text) ? DrmInfoText.parse(text) : DrmInfoJson.parse(text);
    }

    private Imported run(DrmInfoDump dump, String name) {
        missing.addAll(dump.missing());
        List<DeviceSpec> devices = new ArrayList<>();
        for (int i = 0; i < dump.nodes().size(); i++) devices.add(device(dump.nodes().get(i), i));
        if (devices.size() > 1) assumptions.add("p2p: none between the devices (the dump cannot say; add pairs to \"p2p\")");
        StringBuilder description = new StringBuilder("Imported from a drm_info dump.");
        if (!assumptions.isEmpty()) description.append(" Assumed: ").append(String.join("; ", assumptions)).append('.');
        if (!missing.isEmpty()) description.append(" Missing from the dump: ").append(String.join("; ", missing)).append('.');
        Topology t = new Topology(name, description.toString(), devices, List.of());
        return new Imported(t, List.copyOf(assumptions), List.copyOf(missing));
    }

    private DeviceSpec device(DrmInfoDump.Node n, int index) {
        Matcher m = CARD.matcher(n.path());
        int minor = m.matches() ? Integer.parseInt(m.group(1)) : index;
        String cardName = "card" + minor;
        if (!m.matches()) assumptions.add(n.path() + " is not a card node: named " + cardName);
        Kind kind = Kind.of(n.driver());
        String driver = n.driver() == null ? "unknown" : n.driver();
        assumptions.add(cardName + " (" + driver + "): " + kind.describe);

        int crtcCount = n.crtcs();
        if (crtcCount == 0 && !n.connectors().isEmpty()) {
            crtcCount = 1;
            assumptions.add(cardName + ": one CRTC (the dump lists none)");
        }
        int maxW = n.fbMaxWidth() > 0 ? n.fbMaxWidth() : 16384;
        int maxH = n.fbMaxHeight() > 0 ? n.fbMaxHeight() : 16384;
        if (n.fbMaxWidth() <= 0) assumptions.add(cardName + ": framebuffers up to 16384x16384 (no size limits in the dump)");

        Integer prime = n.caps().prime();
        if (prime != null && (prime & DrmInfoDump.Caps.PRIME_IMPORT) == 0) {
            assumptions.add(cardName + ": imports dma-bufs all the same (the driver offers no PRIME import; fake-drm cannot refuse it by device)");
        }
        List<ConnectorSpec> connectors = connectors(cardName, n, crtcCount);
        List<PlaneSpec> planes = planes(cardName, n, crtcCount, maxW, maxH);
        boolean render = kind == Kind.INTEGRATED || kind == Kind.DISCRETE;
        List<String> roles = new ArrayList<>();
        if (render) roles.add("render");
        if (crtcCount > 0) roles.add("display");
        List<String> allocates = switch (kind) {
            case INTEGRATED -> List.of("system", "system-uncached");
            case DISCRETE -> List.of("vram", "system", "system-uncached");
            default -> List.of("system");
        };
        List<String> scanoutFrom = kind == Kind.DISCRETE ? List.of("vram") : allocates;
        int pitch = switch (kind) {
            case DISCRETE -> 256;
            case USB_DISPLAY -> 4;
            default -> 64;
        };
        List<FormatSet> renderSets = List.of();
        List<FormatSet> sampleSets = List.of();
        if (render) {
            List<String> mods = new ArrayList<>(List.of("LINEAR"));
            for (long fake : simulated.values()) {
                String fakeName = Modifiers.name(fake);
                if (!mods.contains(fakeName)) mods.add(fakeName);
            }
            List<String> fs = new ArrayList<>();
            for (int f : RENDER_FORMATS) fs.add(Fourcc.name(f));
            renderSets = List.of(new FormatSet(fs, mods));
            List<String> sampleMods = new ArrayList<>(mods);
            sampleMods.add("INVALID");
            List<String> sfs = new ArrayList<>(fs);
            sfs.add("NV12");
            sampleSets = List.of(new FormatSet(sfs, sampleMods));
            assumptions.add(cardName + ": renders " + fs + " and samples those and NV12, with " + mods
                    + " (render formats are not in a KMS dump)");
        }
        return new DeviceSpec(cardName, null, minor, driver, roles, allocates, allocates, scanoutFrom,
                true, true, false, pitch, maxW, maxH, "LINEAR", renderSets, sampleSets, crtcCount,
                connectors, planes, !Boolean.FALSE.equals(n.caps().dumbBuffer()), false, false);
    }

    private List<ConnectorSpec> connectors(String card, DrmInfoDump.Node n, int crtcCount) {
        Map<String, Integer> perType = new HashMap<>();
        List<ConnectorSpec> out = new ArrayList<>();
        for (DrmInfoDump.Connector c : n.connectors()) {
            if (c.type().equals("Writeback")) continue;
            int number = perType.merge(c.type(), 1, Integer::sum);
            String name = c.type() + "-" + number;
            List<Integer> crtcs = new ArrayList<>();
            int mask = 0;
            for (int e : c.encoders()) if (e < n.encoderCrtcMasks().size()) mask |= n.encoderCrtcMasks().get(e);
            for (int i = 0; i < crtcCount; i++) if ((mask & (1 << i)) != 0) crtcs.add(i);
            if (crtcs.isEmpty()) {
                for (int i = 0; i < crtcCount; i++) crtcs.add(i);
                if (c.connected()) assumptions.add(card + " " + name + ": any CRTC (its encoders are not in the dump)");
            }
            List<ModeSpec> modes = c.modes();
            if (c.connected() && modes.isEmpty()) {
                modes = List.of(new ModeSpec(1920, 1080, 60000));
                assumptions.add(card + " " + name + ": mode 1920x1080@60 (connected, but the dump lists no modes)");
            }
            out.add(new ConnectorSpec(name, c.connected(), modes, crtcs));
        }
        return out;
    }

    private List<PlaneSpec> planes(String card, DrmInfoDump.Node n, int crtcCount, int maxW, int maxH) {
        List<PlaneSpec> out = new ArrayList<>();
        int dropped = 0;
        List<DrmInfoDump.Plane> planes = n.planes();
        DrmInfoDump.Caps caps = n.caps();
        int cursorW = caps.cursorWidth() != null && caps.cursorWidth() > 0 ? caps.cursorWidth() : 256;
        int cursorH = caps.cursorHeight() != null && caps.cursorHeight() > 0 ? caps.cursorHeight() : 256;
        if (planes.isEmpty() && crtcCount > 0) {
            assumptions.add(card + ": one primary plane per CRTC, XRGB8888/ARGB8888 LINEAR (no planes in the dump)");
            for (int i = 0; i < crtcCount; i++) {
                out.add(new PlaneSpec("primary", List.of(i), List.of(new FormatSet(List.of("XRGB8888", "ARGB8888"), List.of("LINEAR"))),
                        maxW, maxH, false, 0));
            }
            return out;
        }
        for (int i = 0; i < planes.size(); i++) {
            DrmInfoDump.Plane p = planes.get(i);
            Map<Long, List<Integer>> table = p.inFormats();
            if (!table.isEmpty() && Boolean.FALSE.equals(caps.addFb2Modifiers())) {
                // Without DRM_CAP_ADDFB2_MODIFIERS the kernel refuses a framebuffer with a modifier: LINEAR (implicit) only.
                table = Map.of(Modifiers.LINEAR, p.formats());
                assumptions.add(card + " plane " + i + ": LINEAR only (the driver takes no modifiers in ADDFB2)");
            }
            if (table.isEmpty()) {
                table = Map.of(Modifiers.LINEAR, p.formats());
                assumptions.add(card + " plane " + i + ": LINEAR only (no IN_FORMATS in the dump)");
            }
            Map<Long, List<String>> byFake = new LinkedHashMap<>();
            for (Map.Entry<Long, List<Integer>> e : table.entrySet()) {
                Long layout = layout(e.getKey());
                if (layout == null) {
                    dropped++;
                    continue;
                }
                List<String> names = byFake.computeIfAbsent(layout, k -> new ArrayList<>());
                for (int f : e.getValue()) {
                    if (!PixelFormats.isSupported(f)) continue;
                    String fn = Fourcc.name(f);
                    if (!names.contains(fn)) names.add(fn);
                }
            }
            List<FormatSet> sets = new ArrayList<>();
            for (Map.Entry<Long, List<String>> e : byFake.entrySet()) {
                if (!e.getValue().isEmpty()) sets.add(new FormatSet(e.getValue(), List.of(Modifiers.name(e.getKey()))));
            }
            List<Integer> crtcs = new ArrayList<>();
            for (int c = 0; c < crtcCount; c++) if ((p.crtcMask() & (1 << c)) != 0) crtcs.add(c);
            int zpos = p.zpos() != null ? p.zpos() : switch (p.type()) {
                case "primary" -> 0;
                case "cursor" -> 100 + i;
                default -> 1 + i;
            };
            boolean cursor = p.type().equals("cursor");
            out.add(new PlaneSpec(p.type(), crtcs, sets, cursor ? cursorW : maxW, cursor ? cursorH : maxH, false, zpos));
        }
        if (!planes.isEmpty()) {
            assumptions.add(card + ": planes do not scale" + (caps.cursorWidth() != null && caps.cursorHeight() != null ? ""
                    : "; cursor planes up to 256x256 (not in a dump)"));
        }
        if (dropped > 0) assumptions.add(card + ": " + dropped + " plane modifier entries left out (beyond the two tiled layouts fake-drm simulates)");
        return out;
    }

    /** The layout fake-drm simulates a dumped modifier with; null if it cannot. */
    private Long layout(long modifier) {
        if (modifier == Modifiers.LINEAR) return Modifiers.LINEAR;
        if (modifier == Modifiers.INVALID) return null;
        Long known = simulated.get(modifier);
        if (known != null) return known;
        long[] fakes = {Modifiers.FAKE_TILED_4X4, Modifiers.FAKE_TILED_16X16_COLUMN};
        if (simulated.size() >= fakes.length) return null;
        long fake = fakes[simulated.size()];
        simulated.put(modifier, fake);
        assumptions.add(String.format("modifier 0x%016x simulated as %s", modifier, Modifiers.name(fake)));
        return fake;
    }
}
