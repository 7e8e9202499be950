package dev.ferry.drm;

import dev.ferry.drm.topology.ModeSpec;

import java.util.List;

/** A connector and what is plugged into it. {@code possibleCrtcs}: bit i set if CRTC index i can drive it. */
public record Connector(int id, String name, boolean connected, List<ModeSpec> modes, int possibleCrtcs) {
    public ModeSpec preferredMode() {
        return modes.isEmpty() ? null : modes.get(0);
    }
}
