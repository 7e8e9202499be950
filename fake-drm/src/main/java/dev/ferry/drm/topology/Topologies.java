package dev.ferry.drm.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The built-in topology presets and loading of topology files (JSON). This is what
 * {@code ferry topology list|show} prints.
 */
public final class Topologies {
    private Topologies() {}

    /** The preset used when nothing else is asked for. */
    public static final String DEFAULT = "hybrid-laptop";

    private static final List<String> PRESETS = List.of("laptop-igpu", "hybrid-laptop", "usb-display",
            "arm-soc", "dual-dgpu-p2p", "dual-dgpu-nop2p");

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    public static List<String> presetNames() {
        return PRESETS;
    }

    /** A preset by name, or else a JSON file at that path. */
    public static Topology load(String presetOrPath) {
        if (PRESETS.contains(presetOrPath)) return preset(presetOrPath);
        Path path = Path.of(presetOrPath);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("no topology preset or file named " + presetOrPath
                    + " (presets: " + String.join(", ", PRESETS) + ")");
        }
        try (InputStream in = Files.newInputStream(path)) {
            return JSON.readValue(in, Topology.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("topology " + path + ": " + TopologyError.describe(e));
        } catch (IOException e) {
            throw new UncheckedIOException("reading topology " + path, e);
        }
    }

    /**
     * Presets parsed so far. A topology is immutable, and `ferry run` asks for its preset three
     * times while starting (the warm-up thread, the command line's check, the devices' opening):
     * parsed once, a second caller waits for the first one's result instead of parsing alongside
     * it through cold Jackson code.
     */
    private static final java.util.concurrent.ConcurrentMap<String, Topology> PARSED = new java.util.concurrent.ConcurrentHashMap<>();

    public static Topology preset(String name) {
        if (!PRESETS.contains(name)) throw new IllegalArgumentException("no topology preset " + name);
        return PARSED.computeIfAbsent(name, Topologies::parsePreset);
    }

    private static Topology parsePreset(String name) {
        try (InputStream in = Topologies.class.getResourceAsStream(name + ".json")) {
            if (in == null) throw new IllegalStateException("preset resource missing: " + name);
            return JSON.readValue(in, Topology.class);
        } catch (IOException e) {
            throw new UncheckedIOException("reading preset " + name, e);
        }
    }

    public static Topology parse(String json) {
        try {
            return JSON.readValue(json, Topology.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad topology JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** One line per device, for {@code ferry topology list}-style listings. */
    public static String summary(Topology topology) {
        StringBuilder sb = new StringBuilder(topology.name()).append(": ").append(topology.description()).append('\n');
        for (DeviceSpec d : topology.devices()) {
            sb.append("  ").append(d.name()).append(" (").append(d.driver()).append(", 226:").append(d.minor())
                    .append(") roles ").append(d.roles()).append(", memory ").append(d.allocates())
                    .append(", scanout from ").append(d.scanoutFrom());
            for (ConnectorSpec c : d.connectors()) {
                sb.append(", ").append(c.name()).append(c.connected() && !c.modes().isEmpty()
                        ? " " + c.modes().get(0).width() + "x" + c.modes().get(0).height() : " (disconnected)");
            }
            sb.append('\n');
        }
        if (!topology.p2p().isEmpty()) sb.append("  p2p: ").append(topology.p2p()).append('\n');
        return sb.toString();
    }

    public static String toJson(Topology topology) {
        try {
            return JSON.writeValueAsString(topology);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
