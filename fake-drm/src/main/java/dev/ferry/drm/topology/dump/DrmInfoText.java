package dev.ferry.drm.topology.dump;

import dev.ferry.drm.topology.ModeSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads drm_info's default tree text, the form pasted into bug reports. Each tree level is four
 * characters of prefix ({@code "│   "}, {@code "├───"}, {@code "└───"}, {@code "    "}); the depth
 * of a line says what it belongs to: {@code Node:} at 0, sections ({@code Connectors}, {@code Planes})
 * at 1, objects at 2, their fields at 3, modes and plane properties at 4, an IN_FORMATS modifier at 5
 * and its formats at 6. A dump cut short imports what it holds and lists what is missing; a line
 * that is there but not what its place needs is an error naming the line.
 */
public final class DrmInfoText {
    private static final Pattern DRIVER = Pattern.compile("Driver: (\\S+).*");
    private static final Pattern RANGE = Pattern.compile("(Width|Height): \\[(\\d+), (\\d+)]");
    private static final Pattern MODE = Pattern.compile("(\\d+)x(\\d+)@(\\d+(?:\\.\\d+)?)( .*)?");
    private static final Pattern SET = Pattern.compile("\\{([\\d, ]*)}");
    private static final Pattern HEX = Pattern.compile(".*\\(0x([0-9a-fA-F]+)\\)");
    private static final Pattern TYPE_ENUM = Pattern.compile("\"type\".*= (Overlay|Primary|Cursor)");
    private static final Pattern ZPOS = Pattern.compile("\"zpos\".*= (\\d+)");

    private DrmInfoText() {}

    /** Whether text looks like the tree form (its first non-blank line is a Node:). */
    public static boolean looksLikeTree(String text) {
        return text.stripLeading().startsWith("Node: ");
    }

    public static DrmInfoDump parse(String text) {
        return new Reader().read(text.split("\n", -1));
    }

    private static final class Reader {
        private final List<DrmInfoDump.Node> nodes = new ArrayList<>();
        private final List<String> missing = new ArrayList<>();
        private int lineNo;

        // The node being read.
        private String path;
        private String driver;
        private int fbW, fbH;
        private List<DrmInfoDump.Connector> connectors;
        private List<Integer> encoders;
        private int crtcs;
        private List<DrmInfoDump.Plane> planes;
        private final List<String> sections = new ArrayList<>();

        // The object being read, by section.
        private String section = "";
        private String connType;
        private boolean connConnected;
        private List<ModeSpec> modes;
        private List<Integer> connEncoders;
        private boolean inModes;
        private int planeMask;
        private String planeType;
        private Integer zpos;
        private Map<Long, List<Integer>> inFormats;
        private List<Integer> planeFormats;
        private List<Integer> currentModifier;
        private String planeProperty = "";

        DrmInfoDump read(String[] lines) {
            String lastPrefix = "";
            int lastLine = 0;
            for (String raw : lines) {
                lineNo++;
                String line = raw.stripTrailing();
                if (line.isBlank()) continue;
                int prefix = 0;
                while (prefix < line.length() && "│├└─ ".indexOf(line.charAt(prefix)) >= 0) prefix++;
                lastPrefix = line.substring(0, prefix);
                lastLine = lineNo;
                int depth = prefix / 4;
                String content = line.substring(prefix);
                if (depth == 0) {
                    if (!content.startsWith("Node: ")) fail("expected 'Node: /dev/dri/...' at the top level, found '" + content + "'");
                    endNode();
                    startNode(content.substring(6).trim());
                    continue;
                }
                if (path == null) fail("not a drm_info tree: it must begin with 'Node: /dev/dri/...'");
                line(depth, content);
            }
            // drm_info draws "│" and "├" only where a sibling follows: a last line with either was cut.
            if (path != null && (lastPrefix.indexOf('│') >= 0 || lastPrefix.indexOf('├') >= 0)) {
                missing.add(path + ": the dump is cut short after line " + lastLine + " (more was to follow there);"
                        + " the last " + (section.isEmpty() ? "section" : section + " entry") + " may be partial");
            }
            endNode();
            if (nodes.isEmpty()) throw new DumpFormatException("line 1", "no 'Node:' in the dump");
            return new DrmInfoDump(nodes, missing);
        }

        private void startNode(String p) {
            path = p;
            driver = null;
            fbW = fbH = 0;
            connectors = new ArrayList<>();
            encoders = new ArrayList<>();
            crtcs = 0;
            planes = new ArrayList<>();
            sections.clear();
            section = "";
        }

        private void line(int depth, String content) {
            if (depth == 1) {
                endObject();
                Matcher d = DRIVER.matcher(content);
                if (d.matches()) {
                    driver = d.group(1);
                    section = "Driver";
                } else {
                    section = content.startsWith("Device:") ? "Device" : content;
                }
                sections.add(section);
                return;
            }
            switch (section) {
                case "Framebuffer size" -> {
                    Matcher m = RANGE.matcher(content);
                    if (!m.matches()) fail("expected 'Width: [min, max]' or 'Height: [min, max]', found '" + content + "'");
                    if (m.group(1).equals("Width")) fbW = Integer.parseInt(m.group(3));
                    else fbH = Integer.parseInt(m.group(3));
                }
                case "Connectors" -> connectorLine(depth, content);
                case "Encoders" -> {
                    if (depth == 3 && content.startsWith("CRTCS: ")) encoders.add(mask(content.substring(7)));
                }
                case "CRTCs" -> {
                    if (depth == 2 && content.startsWith("CRTC ")) crtcs++;
                }
                case "Planes" -> planeLine(depth, content);
                default -> { } // driver caps, device: nothing the topology needs
            }
        }

        private void connectorLine(int depth, String content) {
            if (depth == 2) {
                if (!content.startsWith("Connector ")) fail("expected 'Connector N', found '" + content + "'");
                endObject();
                connType = null;
                connConnected = false;
                modes = new ArrayList<>();
                connEncoders = new ArrayList<>();
                inModes = false;
                return;
            }
            if (modes == null) fail("'" + content + "' outside a connector");
            if (depth == 3) {
                inModes = content.equals("Modes");
                if (content.startsWith("Type: ")) connType = ConnectorTypes.fromTreeName(content.substring(6));
                else if (content.startsWith("Status: ")) connConnected = content.substring(8).equals("connected");
                else if (content.startsWith("Encoders: ")) {
                    Matcher m = SET.matcher(content.substring(10));
                    if (!m.matches()) fail("expected 'Encoders: {0, 1}', found '" + content + "'");
                    connEncoders.addAll(list(m.group(1)));
                }
            } else if (depth == 4 && inModes) {
                Matcher m = MODE.matcher(content);
                if (!m.matches()) fail("expected a mode 'WIDTHxHEIGHT@HZ', found '" + content + "'");
                ModeSpec mode = new ModeSpec(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                        (int) Math.round(Double.parseDouble(m.group(3)) * 1000));
                if (m.group(4) != null && m.group(4).contains(" preferred")) modes.add(0, mode);
                else modes.add(mode);
            }
        }

        private void planeLine(int depth, String content) {
            if (depth == 2) {
                if (!content.startsWith("Plane ")) fail("expected 'Plane N', found '" + content + "'");
                endObject();
                planeMask = -1;
                planeType = null;
                zpos = null;
                inFormats = new LinkedHashMap<>();
                planeFormats = new ArrayList<>();
                currentModifier = null;
                planeProperty = "";
                return;
            }
            if (inFormats == null) fail("'" + content + "' outside a plane");
            if (depth == 3) {
                planeProperty = content;
                if (content.startsWith("CRTCs: ")) planeMask = mask(content.substring(7));
            } else if (depth == 4) {
                if (planeProperty.equals("Formats:")) {
                    planeFormats.add((int) hex(content));
                    return;
                }
                planeProperty = content.startsWith("\"IN_FORMATS\"") ? "IN_FORMATS" : "Properties";
                currentModifier = null;
                Matcher t = TYPE_ENUM.matcher(content);
                if (content.startsWith("\"type\"")) {
                    if (!t.find()) fail("expected '\"type\": enum {Overlay, Primary, Cursor} = Primary', found '" + content + "'");
                    planeType = t.group(1).toLowerCase(java.util.Locale.ROOT);
                }
                Matcher z = ZPOS.matcher(content);
                if (content.startsWith("\"zpos\"") && z.find()) zpos = Integer.parseInt(z.group(1));
            } else if (depth == 5 && planeProperty.equals("IN_FORMATS")) {
                currentModifier = inFormats.computeIfAbsent(hex(content), k -> new ArrayList<>());
            } else if (depth == 6 && planeProperty.equals("IN_FORMATS")) {
                if (currentModifier == null) fail("a format outside a modifier: '" + content + "'");
                currentModifier.add((int) hex(content));
            }
        }

        private void endObject() {
            if (modes != null) {
                if (connType == null) missing.add(path + ": a connector without its Type (cut short?): left out");
                else connectors.add(new DrmInfoDump.Connector(connType, connConnected, modes, connEncoders));
                modes = null;
            }
            if (inFormats != null) {
                if (planeMask < 0 || planeType == null) {
                    missing.add(path + ": plane " + planes.size() + " without its " + (planeMask < 0 ? "CRTCs" : "type")
                            + " (cut short?): left out");
                } else {
                    planes.add(new DrmInfoDump.Plane(planeMask, planeType, zpos, inFormats, planeFormats));
                }
                inFormats = null;
            }
        }

        private void endNode() {
            if (path == null) return;
            endObject();
            for (String s : List.of("Framebuffer size", "Connectors", "Encoders", "CRTCs", "Planes")) {
                if (!sections.contains(s)) missing.add(path + ": no " + s + " section (the dump ends before it)");
            }
            nodes.add(new DrmInfoDump.Node(path, driver, fbW, fbH, connectors, encoders, crtcs, planes));
            path = null;
        }

        private long hex(String content) {
            Matcher m = HEX.matcher(content);
            if (!m.matches()) fail("expected 'NAME (0x...)', found '" + content + "'");
            return Long.parseUnsignedLong(m.group(1), 16);
        }

        private int mask(String set) {
            Matcher m = SET.matcher(set);
            if (!m.matches()) fail("expected a set of indices like '{0, 1}', found '" + set + "'");
            int mask = 0;
            for (int i : list(m.group(1))) mask |= 1 << i;
            return mask;
        }

        private static List<Integer> list(String items) {
            List<Integer> out = new ArrayList<>();
            for (String s : items.split(",")) if (!s.isBlank()) out.add(Integer.parseInt(s.trim()));
            return out;
        }

        private void fail(String what) {
            throw new DumpFormatException("line " + lineNo, what);
        }
    }
}
