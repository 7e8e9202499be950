package dev.ferry.kms;

import dev.ferry.drm.Connector;
import dev.ferry.drm.DrmDevice;

import java.util.List;

/**
 * The one rule that picks the primary render device, for every backend that has devices: the
 * one marked preferred, else the device driving a built-in panel, else the boot device, else the
 * first that can render; an explicit choice overrides. A device that cannot render is never primary.
 *
 * @param device the choice, or null when no device can render
 * @param why one line for the log and the report
 */
public record RenderDeviceChoice(DrmDevice device, String why) {
    public static RenderDeviceChoice choose(List<? extends DrmDevice> devices, String override) {
        if (override != null) {
            for (DrmDevice d : devices) {
                if (d.info().name().equals(override) || override.equals(d.info().renderNode())
                        || override.equals(d.info().cardPath())) {
                    if (!d.info().canRender()) throw new IllegalArgumentException(override + " cannot render");
                    return new RenderDeviceChoice(d, "chosen with --render-device");
                }
            }
            throw new IllegalArgumentException("--render-device " + override + ": no such device (devices: "
                    + String.join(", ", devices.stream().map(d -> d.info().name()).toList()) + ")");
        }
        for (DrmDevice d : devices) if (d.info().canRender() && d.info().preferred()) return new RenderDeviceChoice(d, "marked preferred");
        for (DrmDevice d : devices) {
            if (!d.info().canRender()) continue;
            for (Connector c : d.connectors()) if (c.connected() && builtIn(c.name())) return new RenderDeviceChoice(d, "drives the built-in panel " + c.name());
        }
        for (DrmDevice d : devices) if (d.info().canRender() && d.info().boot()) return new RenderDeviceChoice(d, "boot device");
        for (DrmDevice d : devices) if (d.info().canRender()) return new RenderDeviceChoice(d, "first device that can render");
        return new RenderDeviceChoice(null, "no device can render: every frame is a CPU copy");
    }

    static boolean builtIn(String connector) {
        return connector.startsWith("eDP") || connector.startsWith("LVDS") || connector.startsWith("DSI");
    }
}
