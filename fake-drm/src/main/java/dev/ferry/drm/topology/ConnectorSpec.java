package dev.ferry.drm.topology;

import java.util.List;

/** A connector ("eDP-1", "HDMI-A-1"): its modes (preferred first), whether a monitor is
 * attached, and the indices of the CRTCs that can drive it. */
public record ConnectorSpec(String name, boolean connected, List<ModeSpec> modes, List<Integer> crtcs) {
    public ConnectorSpec {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("connector without a name");
        modes = List.copyOf(modes == null ? List.of() : modes);
        crtcs = List.copyOf(crtcs == null ? List.of(0) : crtcs);
    }
}
