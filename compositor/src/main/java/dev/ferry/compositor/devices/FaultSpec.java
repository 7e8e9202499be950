package dev.ferry.compositor.devices;

import dev.ferry.drm.FaultKind;
import dev.ferry.drm.FaultPlan;
import dev.ferry.drm.topology.ConnectorSpec;
import dev.ferry.drm.topology.DeviceSpec;
import dev.ferry.drm.topology.Topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * `ferry run --faults SPEC`: faults on purpose, written as a list of items (separated by commas,
 * semicolons or lines; {@code #} starts a comment), each {@code KIND[@TARGET]:WHEN}:
 * <ul>
 *   <li>KIND: {@code commit}, {@code import}, {@code allocation}, {@code fence-never-signals},
 *       {@code unplug}, {@code flip-never-completes}, {@code migration-temporary},
 *       {@code migration-permanent}, {@code test-commit}, {@code replug} (an unplugged device
 *       comes back), {@code disconnect} and {@code reconnect} (a monitor's cable pulled out of a
 *       connector and pushed back in), {@code cpu-map} (the CPU mapping of a dma-buf that device
 *       exported is refused) (fake-drm's fault kinds);</li>
 *   <li>TARGET: a device ({@code card1}) or an output ({@code HDMI-A-1}, meaning the device that
 *       drives it); none: every device. For {@code disconnect} and {@code reconnect} it is the
 *       connector itself ({@code HDMI-A-1}), or none: every connector;</li>
 *   <li>WHEN: {@code frame=N} (the device's Nth real commit), {@code frames=A-B} (A to B-1),
 *       {@code time=S-T} (seconds after start), or {@code rate=P} (each opportunity with
 *       probability P, from the seed).</li>
 * </ul>
 * and optionally {@code seed=N} (default 1). A fault that no work of a running Ferry can reach
 * (see {@link FaultReach}) is refused. Example: {@code commit@eDP-1:frames=120-123,
 * import:rate=0.01, unplug@card1:time=5-6, replug@card1:time=8-9, seed=7}. A bad item is an error naming it.
 */
public final class FaultSpec {
    private FaultSpec() {}

    /** The kinds by the names the spec uses. */
    public static String names() {
        List<String> n = new ArrayList<>();
        for (FaultKind k : FaultKind.values()) n.add(name(k));
        return String.join(", ", n);
    }

    public static String name(FaultKind k) {
        return k.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether a kind targets a connector (by its name) rather than a device. */
    public static boolean targetsConnector(FaultKind k) {
        return k == FaultKind.DISCONNECT || k == FaultKind.RECONNECT;
    }

    public static FaultKind kind(String name) {
        for (FaultKind k : FaultKind.values()) if (name(k).equals(name.toLowerCase(Locale.ROOT))) return k;
        throw new IllegalArgumentException("unknown fault kind '" + name + "' (" + names() + ")");
    }

    /**
     * The plan for spec on topology; time windows are counted from startNs on the kernel clock.
     *
     * @throws IllegalArgumentException naming the item that is wrong and why
     */
    public static FaultPlan parse(String spec, Topology topology, long startNs) {
        long seed = 1;
        List<String> items = new ArrayList<>();
        for (String line : spec.split("\n")) {
            int hash = line.indexOf('#');
            for (String item : (hash < 0 ? line : line.substring(0, hash)).split("[,;]")) {
                if (!item.isBlank()) items.add(item.strip());
            }
        }
        if (items.isEmpty()) throw new IllegalArgumentException("--faults: the spec lists no faults");
        for (String item : items) {
            if (item.startsWith("seed=")) seed = number(item, item.substring(5));
        }
        FaultPlan.Builder plan = FaultPlan.seeded(seed);
        for (String item : items) {
            if (!item.startsWith("seed=")) add(plan, item, topology, startNs);
        }
        return plan.build();
    }

    private static void add(FaultPlan.Builder plan, String item, Topology topology, long startNs) {
        int colon = item.indexOf(':');
        if (colon < 0) {
            throw bad(item, "say when: KIND[@TARGET]:frame=N, frames=A-B, time=S-T (seconds) or rate=P");
        }
        String what = item.substring(0, colon).strip(), when = item.substring(colon + 1).strip();
        int at = what.indexOf('@');
        FaultKind kind;
        try {
            kind = kind(at < 0 ? what : what.substring(0, at));
        } catch (IllegalArgumentException e) {
            throw bad(item, e.getMessage());
        }
        String target = at < 0 ? null : what.substring(at + 1).strip();
        String device = target == null ? null
                : targetsConnector(kind) ? connector(item, target, topology) : device(item, target, topology);
        int eq = when.indexOf('=');
        if (eq < 0) throw bad(item, "WHEN is frame=N, frames=A-B, time=S-T or rate=P");
        String key = when.substring(0, eq).strip(), value = when.substring(eq + 1).strip();
        switch (key) {
            case "frame" -> {
                long frame = number(item, value);
                refuseUnreachable(item, kind, frame, 0);
                plan.atFrame(kind, device, frame);
            }
            case "frames" -> {
                long[] r = range(item, value);
                refuseUnreachable(item, kind, r[0], 0);
                plan.frames(kind, device, r[0], r[1]);
            }
            case "time" -> {
                String[] p = value.split("-", 2);
                if (p.length != 2) throw bad(item, "time=S-T: from S to T seconds after start");
                double from = seconds(item, p[0]), to = seconds(item, p[1]);
                if (to <= from) throw bad(item, "time window ends before it starts");
                refuseUnreachable(item, kind, 0, from);
                plan.during(kind, device, startNs + (long) (from * 1e9), startNs + (long) (to * 1e9));
            }
            case "rate" -> {
                double rate;
                try {
                    rate = Double.parseDouble(value);
                } catch (NumberFormatException e) {
                    throw bad(item, "rate '" + value + "' is not a number");
                }
                if (!(rate > 0 && rate <= 1)) throw bad(item, "rate must be more than 0 and at most 1");
                if (device != null) throw bad(item, "a rate applies to every device: leave out @" + device);
                refuseUnreachable(item, kind, 0, 0);
                plan.rate(kind, rate);
            }
            default -> throw bad(item, "unknown WHEN '" + key + "' (frame, frames, time, rate)");
        }
    }

    /** A fault no work of Ferry's can reach would wait armed for good: refused, saying why ({@link FaultReach}). */
    private static void refuseUnreachable(String item, FaultKind kind, long fromFrame, double fromSeconds) {
        String why = FaultReach.whyNeverScripted(kind, fromFrame, fromSeconds);
        if (why != null) throw bad(item, why);
    }

    /** A device name, or the device driving an output of that name. */
    static String device(String item, String target, Topology topology) {
        List<String> known = new ArrayList<>();
        for (DeviceSpec d : topology.devices()) {
            if (d.name().equals(target)) return d.name();
            known.add(d.name());
        }
        for (DeviceSpec d : topology.devices()) {
            for (ConnectorSpec c : d.connectors()) {
                if (c.name().equals(target)) return d.name();
                if (c.connected()) known.add(c.name());
            }
        }
        throw bad(item, "no device or output " + target + " in topology " + topology.name() + " (" + String.join(", ", known) + ")");
    }

    /** A connector of the topology by name, connected now or not (a monitor can be plugged into an empty port). */
    static String connector(String item, String target, Topology topology) {
        List<String> known = new ArrayList<>();
        for (DeviceSpec d : topology.devices()) {
            for (ConnectorSpec c : d.connectors()) {
                if (c.name().equals(target)) return c.name();
                known.add(c.name());
            }
        }
        throw bad(item, "no connector " + target + " in topology " + topology.name() + " (" + String.join(", ", known) + ")");
    }

    private static long number(String item, String s) {
        try {
            long n = Long.parseLong(s.strip());
            if (n < 0) throw bad(item, s + " is negative");
            return n;
        } catch (NumberFormatException e) {
            throw bad(item, "'" + s + "' is not a whole number");
        }
    }

    private static long[] range(String item, String s) {
        String[] p = s.split("-", 2);
        if (p.length != 2) throw bad(item, "frames=A-B: from frame A to B-1");
        long a = number(item, p[0]), b = number(item, p[1]);
        if (b <= a) throw bad(item, "frames " + a + "-" + b + " is empty (B is exclusive)");
        return new long[] {a, b};
    }

    private static double seconds(String item, String s) {
        try {
            double v = Double.parseDouble(s.strip().replaceFirst("s$", ""));
            if (v < 0) throw bad(item, s + " is negative");
            return v;
        } catch (NumberFormatException e) {
            throw bad(item, "'" + s + "' is not a number of seconds");
        }
    }

    private static IllegalArgumentException bad(String item, String why) {
        return new IllegalArgumentException("--faults item '" + item + "': " + why);
    }
}
