package dev.ferry.drm.topology.dump;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.drm.topology.ModeSpec;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code drm_info -j}: an object keyed by node path, each with {@code driver},
 * {@code fb_size}, {@code connectors}, {@code encoders}, {@code crtcs} and {@code planes}; KMS
 * properties as {@code {"flags", "raw_value", "spec", "data"}} objects. A field of the wrong type
 * is an error naming its path; a section a node lacks is listed as missing.
 */
public final class DrmInfoJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MODE_TYPE_PREFERRED = 1 << 3;

    private DrmInfoJson() {}

    public static DrmInfoDump parse(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new DumpFormatException(loc == null ? "JSON" : "line " + loc.getLineNr() + " column " + loc.getColumnNr(),
                    e.getOriginalMessage() + (e.getOriginalMessage().contains("end-of-input")
                            ? " (the JSON is cut short: paste it whole, or the tree text, which imports in part)" : ""));
        }
        if (root == null || !root.isObject() || root.isEmpty()) {
            throw new DumpFormatException("JSON", "expected an object of DRM nodes keyed by path (\"/dev/dri/card0\": {...})");
        }
        List<DrmInfoDump.Node> nodes = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            nodes.add(node(e.getKey(), object(e.getValue(), e.getKey()), missing));
        }
        return new DrmInfoDump(nodes, missing);
    }

    private static DrmInfoDump.Node node(String path, JsonNode n, List<String> missing) {
        String driver = null;
        JsonNode d = n.get("driver");
        if (d != null) driver = text(object(d, path + ".driver").get("name"), path + ".driver.name");
        else missing.add(path + ": no driver");
        int maxW = 0, maxH = 0;
        JsonNode fb = n.get("fb_size");
        if (fb != null) {
            maxW = integer(fb.get("max_width"), path + ".fb_size.max_width");
            maxH = integer(fb.get("max_height"), path + ".fb_size.max_height");
        }
        List<DrmInfoDump.Connector> connectors = new ArrayList<>();
        JsonNode cs = section(n, "connectors", path, missing);
        for (int i = 0; i < cs.size(); i++) connectors.add(connector(cs.get(i), path + ".connectors[" + i + "]"));
        List<Integer> encoderMasks = new ArrayList<>();
        List<Long> encoderIds = new ArrayList<>();
        JsonNode es = section(n, "encoders", path, missing);
        for (int i = 0; i < es.size(); i++) {
            String at = path + ".encoders[" + i + "]";
            encoderIds.add(number(es.get(i).get("id"), at + ".id"));
            encoderMasks.add(integer(es.get(i).get("possible_crtcs"), at + ".possible_crtcs"));
        }
        // Connectors name encoders by object id; the tree (and the model) by index.
        for (int i = 0; i < connectors.size(); i++) {
            DrmInfoDump.Connector c = connectors.get(i);
            List<Integer> indices = new ArrayList<>();
            for (int id : c.encoders()) {
                int idx = encoderIds.indexOf((long) id);
                if (idx >= 0) indices.add(idx);
            }
            connectors.set(i, new DrmInfoDump.Connector(c.type(), c.connected(), c.modes(), indices));
        }
        int crtcs = section(n, "crtcs", path, missing).size();
        List<DrmInfoDump.Plane> planes = new ArrayList<>();
        JsonNode ps = section(n, "planes", path, missing);
        for (int i = 0; i < ps.size(); i++) planes.add(plane(ps.get(i), path + ".planes[" + i + "]"));
        return new DrmInfoDump.Node(path, driver, maxW, maxH, connectors, encoderMasks, crtcs, planes);
    }

    private static JsonNode section(JsonNode n, String name, String path, List<String> missing) {
        JsonNode s = n.get(name);
        if (s == null) {
            missing.add(path + ": no " + name);
            return JSON.createArrayNode();
        }
        if (!s.isArray()) throw new DumpFormatException("field " + path + "." + name, "expected an array");
        return s;
    }

    private static DrmInfoDump.Connector connector(JsonNode c, String at) {
        object(c, at);
        int type = integer(c.get("type"), at + ".type");
        String name = ConnectorTypes.name(type);
        if (name == null) throw new DumpFormatException("field " + at + ".type", "unknown connector type " + type);
        boolean connected = integer(c.get("status"), at + ".status") == 1;
        List<ModeSpec> modes = new ArrayList<>();
        JsonNode ms = c.get("modes");
        if (ms != null) {
            for (int j = 0; j < ms.size(); j++) {
                String m = at + ".modes[" + j + "]";
                ModeSpec mode = mode(ms.get(j), m);
                if ((integer(ms.get(j).get("type"), m + ".type") & MODE_TYPE_PREFERRED) != 0) modes.add(0, mode);
                else modes.add(mode);
            }
        }
        List<Integer> encoders = new ArrayList<>();
        JsonNode es = c.get("encoders");
        if (es != null) for (int j = 0; j < es.size(); j++) encoders.add(integer(es.get(j), at + ".encoders[" + j + "]"));
        return new DrmInfoDump.Connector(name, connected, modes, encoders);
    }

    /** Refresh from the timings, in mHz, as drm_info computes it (vrefresh is rounded). */
    private static ModeSpec mode(JsonNode m, String at) {
        int w = integer(m.get("hdisplay"), at + ".hdisplay");
        int h = integer(m.get("vdisplay"), at + ".vdisplay");
        long clock = number(m.get("clock"), at + ".clock");
        long htotal = number(m.get("htotal"), at + ".htotal");
        long vtotal = number(m.get("vtotal"), at + ".vtotal");
        if (htotal <= 0 || vtotal <= 0) throw new DumpFormatException("field " + at, "htotal and vtotal must be positive");
        int flags = m.has("flags") ? integer(m.get("flags"), at + ".flags") : 0;
        int vscan = m.has("vscan") ? integer(m.get("vscan"), at + ".vscan") : 0;
        return new ModeSpec(w, h, DrmInfoDump.refreshMhz(clock, (int) htotal, (int) vtotal, vscan, flags));
    }

    private static DrmInfoDump.Plane plane(JsonNode p, String at) {
        object(p, at);
        int mask = integer(p.get("possible_crtcs"), at + ".possible_crtcs");
        List<Integer> formats = new ArrayList<>();
        JsonNode fs = p.get("formats");
        if (fs != null) for (int j = 0; j < fs.size(); j++) formats.add((int) number(fs.get(j), at + ".formats[" + j + "]"));
        JsonNode props = p.get("properties");
        String type = null;
        Integer zpos = null;
        Map<Long, List<Integer>> inFormats = new LinkedHashMap<>();
        if (props != null) {
            JsonNode t = props.get("type");
            if (t != null) {
                long v = number(t.get("raw_value"), at + ".properties.type.raw_value");
                type = switch ((int) v) {
                    case 0 -> "overlay";
                    case 1 -> "primary";
                    case 2 -> "cursor";
                    default -> throw new DumpFormatException("field " + at + ".properties.type.raw_value", "plane type " + v);
                };
            }
            JsonNode z = props.get("zpos");
            if (z != null) zpos = (int) number(z.get("raw_value"), at + ".properties.zpos.raw_value");
            JsonNode in = props.get("IN_FORMATS");
            if (in != null && in.get("data") != null) {
                JsonNode data = in.get("data");
                for (int j = 0; j < data.size(); j++) {
                    String m = at + ".properties.IN_FORMATS.data[" + j + "]";
                    long modifier = number(data.get(j).get("modifier"), m + ".modifier");
                    List<Integer> list = inFormats.computeIfAbsent(modifier, k -> new ArrayList<>());
                    JsonNode mf = data.get(j).get("formats");
                    if (mf == null) throw new DumpFormatException("field " + m + ".formats", "missing");
                    for (int k = 0; k < mf.size(); k++) list.add((int) number(mf.get(k), m + ".formats[" + k + "]"));
                }
            }
        }
        return new DrmInfoDump.Plane(mask, type, zpos, inFormats, formats);
    }

    private static JsonNode object(JsonNode n, String at) {
        if (n == null || !n.isObject()) throw new DumpFormatException("field " + at, "expected an object");
        return n;
    }

    private static String text(JsonNode n, String at) {
        if (n == null || !n.isTextual()) throw new DumpFormatException("field " + at, "expected a string");
        return n.asText();
    }

    private static long number(JsonNode n, String at) {
        if (n == null || !n.isIntegralNumber()) throw new DumpFormatException("field " + at, "expected an integer");
        // 64-bit modifiers arrive as unsigned numbers above Long.MAX_VALUE (json-c prints uint64).
        return n.bigIntegerValue().longValue();
    }

    private static int integer(JsonNode n, String at) {
        return (int) number(n, at);
    }
}
