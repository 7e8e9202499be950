package dev.ferry.drm.topology;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A machine's DRM devices and which pairs of them may reach each other's vram (p2p). A pair
 * absent from {@code p2p} is refused, in both directions.
 */
public record Topology(String name, String description, List<DeviceSpec> devices, List<List<String>> p2p) {
    public Topology {
        if (name == null) name = "unnamed";
        if (description == null) description = "";
        devices = List.copyOf(devices == null ? List.of() : devices);
        p2p = p2p == null ? List.of() : p2p.stream().map(List::copyOf).toList();
        Set<String> names = new HashSet<>();
        Set<Integer> minors = new HashSet<>();
        for (DeviceSpec d : devices) {
            if (!names.add(d.name())) throw new IllegalArgumentException("two devices named " + d.name());
            if (!minors.add(d.minor())) throw new IllegalArgumentException("two devices with minor " + d.minor());
        }
        for (List<String> pair : p2p) {
            if (pair.size() != 2 || !names.contains(pair.get(0)) || !names.contains(pair.get(1))) {
                throw new IllegalArgumentException("p2p entry " + pair + " does not name two devices");
            }
        }
    }

    public DeviceSpec device(String deviceName) {
        for (DeviceSpec d : devices) if (d.name().equals(deviceName)) return d;
        throw new IllegalArgumentException("no device " + deviceName + " in topology " + name);
    }

    public boolean p2pAllowed(String a, String b) {
        if (a.equals(b)) return true;
        for (List<String> pair : p2p) {
            if (pair.get(0).equals(a) && pair.get(1).equals(b) || pair.get(0).equals(b) && pair.get(1).equals(a)) {
                return true;
            }
        }
        return false;
    }
}
