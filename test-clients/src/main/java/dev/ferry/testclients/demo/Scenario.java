package dev.ferry.testclients.demo;

import dev.ferry.drm.topology.ConnectorSpec;
import dev.ferry.drm.topology.DeviceSpec;
import dev.ferry.drm.topology.Topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What `ferry demo --scenario NAME` shows: the tour of every path (default), the tour with
 * failed commits injected, a device unplugged and plugged back in, or PRIME offload alone. Each says which
 * topologies it needs and picks its clients and faults from the topology's devices.
 */
public enum Scenario {
    TOUR("every path: fullscreen and windowed, shm and dma-buf, offload where there are two GPUs"),
    FAULTS("the tour, with three failed commits on each output's device (ferry run --faults)"),
    HOTPLUG("the tour, with the second display device unplugged a third of the way through and plugged back in at two thirds"),
    OFFLOAD("PRIME offload only: clients allocate on the second render device");

    private final String description;

    Scenario(String description) { this.description = description; }

    public String label() { return name().toLowerCase(Locale.ROOT); }

    public String description() { return description; }

    /** For picocli: names in lower case. */
    public static Scenario parse(String name) {
        for (Scenario s : values()) if (s.label().equals(name)) return s;
        throw new IllegalArgumentException("unknown scenario '" + name + "' (" + String.join(", ", labels()) + ")");
    }

    public static List<String> labels() {
        List<String> l = new ArrayList<>();
        for (Scenario s : values()) l.add(s.label());
        return l;
    }

    /** Why this scenario cannot run on the topology, or null when it can. */
    public String unfitFor(Topology t) {
        return switch (this) {
            case TOUR, FAULTS -> displays(t).isEmpty() ? "topology " + t.name() + " has no connected display" : null;
            case HOTPLUG -> displays(t).size() < 2 ? "hotplug needs two display devices with a connected output (e.g. hybrid-laptop, usb-display); "
                    + t.name() + " has " + displays(t).size() : null;
            case OFFLOAD -> renderers(t).size() < 2 ? "offload needs two render devices (e.g. hybrid-laptop, dual-dgpu-nop2p); "
                    + t.name() + " has " + renderers(t).size() : null;
        };
    }

    /** The `--faults` spec of this scenario for a run of that many seconds, or null. */
    public String faults(Topology t, double seconds) {
        return switch (this) {
            case TOUR, OFFLOAD -> null;
            case FAULTS -> {
                List<String> items = new ArrayList<>();
                for (DeviceSpec d : displays(t)) items.add("commit@" + d.name() + ":frames=60-63");
                yield String.join(",", items);
            }
            case HOTPLUG -> {
                // Windows of at most a second: the hotplug poll (250 ms) lands in each, and the
                // device is back for the last third of the run.
                String device = displays(t).get(1).name();
                double width = Math.min(1, seconds / 6);
                yield String.format(Locale.ROOT, "unplug@%s:time=%.2f-%.2f,replug@%s:time=%.2f-%.2f", device, seconds / 3, seconds / 3 + width,
                        device, 2 * seconds / 3, 2 * seconds / 3 + width);
            }
        };
    }

    /** Devices with a connected display, in topology order. */
    static List<DeviceSpec> displays(Topology t) {
        List<DeviceSpec> out = new ArrayList<>();
        for (DeviceSpec d : t.devices()) {
            if (d.canDisplay() && d.connectors().stream().anyMatch(ConnectorSpec::connected)) out.add(d);
        }
        return out;
    }

    static List<DeviceSpec> renderers(Topology t) {
        return t.devices().stream().filter(DeviceSpec::canRender).toList();
    }
}
