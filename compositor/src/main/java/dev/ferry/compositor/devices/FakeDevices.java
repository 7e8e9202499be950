package dev.ferry.compositor.devices;

import dev.ferry.drm.DeviceSet;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.FaultPlan;
import dev.ferry.drm.KernelClock;
import dev.ferry.drm.topology.Topologies;

/**
 * The composition root for simulated hardware: the one place compositor code builds fake-drm
 * devices. Everything else in the compositor sees them only through drm-api ({@link DeviceSet},
 * {@code DrmDevice}); {@code ArchitectureTest} holds it to that.
 */
public final class FakeDevices {
    private FakeDevices() {}

    /** The preset a kms backend runs on when none is named. */
    public static final String DEFAULT_TOPOLOGY = Topologies.DEFAULT;

    /** A fault fake-drm injected: its kind (as {@link FaultSpec} names it), device, the device's frame, and when. */
    public record InjectedFault(String kind, String device, long frame, long timeNs) {}

    /** Every fault injected into these devices so far, oldest first; empty when they are not fake. */
    public static java.util.List<InjectedFault> injected(DeviceSet devices) {
        if (!(devices instanceof FakeKernel k)) return java.util.List.of();
        java.util.List<InjectedFault> out = new java.util.ArrayList<>();
        for (var f : k.faults().log()) out.add(new InjectedFault(FaultSpec.name(f.kind()), f.device(), f.frame(), f.timeNs()));
        return out;
    }

    /**
     * `ferry ctl fault`: the next count opportunities of kind on device (null: any) fail. Returns
     * what was done, in words.
     */
    public static String failNext(DeviceSet devices, String kind, String device, int count) {
        if (!(devices instanceof FakeKernel k)) throw new IllegalArgumentException("faults can be injected only into fake devices");
        if (count < 1 || count > 1_000_000) throw new IllegalArgumentException("count " + count + " out of range (1..1000000)");
        var k0 = FaultSpec.kind(kind);
        if (device != null && !FaultSpec.targetsConnector(k0)) devices.device(device);
        String never = FaultReach.whyNeverWhileRunning(k0);
        if (never != null) throw new IllegalArgumentException(never);
        k.faults().failNext(k0, device, count);
        return switch (k0) {
            case UNPLUG -> device == null ? "the next device to commit will be unplugged" : device + " will be unplugged at its next commit";
            case REPLUG -> (device == null ? "every unplugged device" : device) + " will be plugged back in at the next hotplug poll (250 ms)";
            case DISCONNECT -> (device == null ? "a connector's monitor" : device + "'s monitor") + " will be unplugged at the next hotplug poll (250 ms)";
            case RECONNECT -> "a monitor will be plugged into " + (device == null ? "a free connector" : device) + " at the next hotplug poll (250 ms)";
            default -> "the next " + (count == 1 ? "" : count + " ") + kind + (count == 1 ? "" : "s") + " on "
                    + (device == null ? "any device" : device) + " will fail";
        };
    }

    /** The plan of a `--faults` spec (an inline list or a file holding one) for a topology, times counted from now. */
    public static FaultPlan faultPlan(String specOrFile, String topology) throws java.io.IOException {
        java.nio.file.Path file = java.nio.file.Path.of(specOrFile);
        String spec = java.nio.file.Files.isRegularFile(file) ? java.nio.file.Files.readString(file) : specOrFile;
        return FaultSpec.parse(spec, Topologies.load(topology == null ? DEFAULT_TOPOLOGY : topology), KernelClock.monotonic().nowNs());
    }

    /** The devices of a topology preset or file, on a clock, with faults to inject. */
    public static DeviceSet open(String topology, KernelClock clock, FaultPlan faults) {
        return FakeKernel.open(Topologies.load(topology), clock, faults);
    }

    /** A kms backend's devices: a topology preset or file (null: the default), on a clock, with faults to inject. */
    public static DeviceSource source(String topology, KernelClock clock, FaultPlan faults) {
        return new TopologySource(topology == null ? DEFAULT_TOPOLOGY : topology, clock, faults);
    }

    /** A topology's devices on the monotonic clock with no faults: what `ferry run` uses. */
    public static DeviceSource source(String topology) {
        return source(topology, KernelClock.monotonic(), FaultPlan.none());
    }

    private record TopologySource(String name, KernelClock clock, FaultPlan faults) implements DeviceSource {
        @Override
        public DeviceSet open() {
            return FakeDevices.open(name, clock, faults);
        }
    }
}
