package dev.ferry.drm.topology.dump;

/** DRM_MODE_CONNECTOR_* (drm_mode.h) as the kernel names connectors ("DP-1", "HDMI-A-1"). */
final class ConnectorTypes {
    private ConnectorTypes() {}

    private static final String[] KERNEL_NAMES = {
        "Unknown", "VGA", "DVI-I", "DVI-D", "DVI-A", "Composite", "SVIDEO", "LVDS", "Component", "DIN",
        "DP", "HDMI-A", "HDMI-B", "TV", "eDP", "Virtual", "DSI", "DPI", "Writeback", "SPI", "USB",
    };

    /** The kernel's name for a type number; null if unknown. */
    static String name(int type) {
        return type >= 0 && type < KERNEL_NAMES.length ? KERNEL_NAMES[type] : null;
    }

    /** drm_info's tree prints some types differently from the kernel's connector names. */
    static String fromTreeName(String treeName) {
        return switch (treeName) {
            case "DisplayPort" -> "DP";
            case "unknown" -> "Unknown";
            case "composite" -> "Composite";
            case "S-VIDEO" -> "SVIDEO";
            case "component" -> "Component";
            case "virtual" -> "Virtual";
            case "writeback" -> "Writeback";
            default -> treeName;
        };
    }
}
