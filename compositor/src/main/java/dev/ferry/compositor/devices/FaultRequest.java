package dev.ferry.compositor.devices;

import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.drm.DeviceSet;
import dev.ferry.drm.DrmDevice;

import java.util.ArrayList;
import java.util.List;

/**
 * The control request {@code fault KIND TARGET COUNT} (`ferry ctl fault`): the next COUNT
 * opportunities of KIND fail on TARGET, a device, the device driving an output, or {@code any}
 * ({@code disconnect} and {@code reconnect}: a connector). {@code unplug} then {@code replug}
 * takes a device away and brings it back.
 * Served on the event loop.
 */
public final class FaultRequest {
    private FaultRequest() {}

    public static String serve(String[] words, DeviceSet devices, Scene scene) {
        if (words.length != 4) throw new IllegalArgumentException("fault KIND TARGET COUNT (kinds: " + FaultSpec.names() + ")");
        if (devices == null) throw new IllegalArgumentException("this backend has no devices to break");
        int count;
        try {
            count = Integer.parseInt(words[3]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("fault count '" + words[3] + "' is not a whole number");
        }
        boolean connector = FaultSpec.targetsConnector(FaultSpec.kind(words[1]));
        String target = words[2].equals("any") ? null : connector ? connector(words[2], devices) : device(words[2], devices, scene);
        return FakeDevices.failNext(devices, words[1], target, count);
    }

    /** A connector of any device by name, connected now or not; gone devices' connectors are not there to pull. */
    private static String connector(String target, DeviceSet devices) {
        List<String> known = new ArrayList<>();
        for (DrmDevice d : devices.devices()) {
            for (var c : d.connectors()) {
                if (c.name().equals(target)) return target;
                known.add(c.name());
            }
        }
        throw new IllegalArgumentException("no connector " + target + " (" + String.join(", ", known) + ", any)");
    }

    private static String device(String target, DeviceSet devices, Scene scene) {
        Output o = scene.outputNamed(target);
        if (o != null && o.scanoutTarget() != null) return o.scanoutTarget().deviceName();
        List<String> known = new ArrayList<>();
        for (DrmDevice d : devices.devices()) {
            if (d.info().name().equals(target)) return target;
            known.add(d.info().name());
        }
        for (Output out : scene.outputs()) known.add(out.name());
        throw new IllegalArgumentException("no device or output " + target + " (" + String.join(", ", known) + ", any)");
    }
}
