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

    /** The devices of a topology preset or file, on a clock, with faults to inject. */
    public static DeviceSet open(String topology, KernelClock clock, FaultPlan faults) {
        return FakeKernel.open(Topologies.load(topology), clock, faults);
    }
}
