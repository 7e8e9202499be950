package dev.ferry.compositor.devices;

import dev.ferry.drm.DeviceSet;

/**
 * Where a kms backend's devices come from: a fake-drm topology today ({@link FakeDevices#source}),
 * the machine's own /dev/dri nodes for a real DRM implementation. The backend opens it once at
 * start and sees the result only as a {@link DeviceSet}; the name is what the user asked for
 * (a preset or a file), for messages.
 */
public interface DeviceSource {
    /** What the devices were asked for as: a topology preset or file. */
    String name();

    /** Opens the devices; the caller owns the set and closes it. */
    DeviceSet open();

    /**
     * The clock the devices' vblanks and fences run on, known before they are opened: the
     * compositor's event loop runs on it too, so its timers and the devices agree on the time.
     */
    default dev.ferry.drm.KernelClock clock() { return dev.ferry.drm.KernelClock.monotonic(); }
}
