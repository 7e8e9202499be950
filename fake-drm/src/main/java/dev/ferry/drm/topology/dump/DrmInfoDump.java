package dev.ferry.drm.topology.dump;

import dev.ferry.drm.topology.ModeSpec;

import java.util.List;
import java.util.Map;

/**
 * What a drm_info dump says about a machine's DRM nodes, whichever form it came in (the JSON of
 * {@code drm_info -j} or the default tree text), and what it left out.
 *
 * @param nodes   the nodes, in dump order
 * @param missing what a cut-short or partial dump did not hold, one line each
 */
public record DrmInfoDump(List<Node> nodes, List<String> missing) {
    /** The kernel's name for a DRM_MODE_CONNECTOR_* type ("eDP", "DP", "HDMI-A"), "Unknown" if unknown. */
    public static String connectorTypeName(int type) {
        String name = ConnectorTypes.name(type);
        return name == null ? "Unknown" : name;
    }

    private static final int MODE_FLAG_INTERLACE = 1 << 4;
    private static final int MODE_FLAG_DBLSCAN = 1 << 5;

    /**
     * A mode's refresh in mHz from its timings (drm_mode_modeinfo's clock in kHz, totals, vscan
     * and flags), as drm_info computes it: vrefresh itself is rounded to whole hertz.
     */
    public static int refreshMhz(long clockKhz, int htotal, int vtotal, int vscan, int flags) {
        if (htotal <= 0 || vtotal <= 0) throw new IllegalArgumentException("htotal and vtotal must be positive");
        long refresh = (clockKhz * 1_000_000L / htotal + vtotal / 2) / vtotal;
        if ((flags & MODE_FLAG_INTERLACE) != 0) refresh *= 2;
        if ((flags & MODE_FLAG_DBLSCAN) != 0) refresh /= 2;
        if (vscan > 1) refresh /= vscan;
        return (int) refresh;
    }

    public DrmInfoDump {
        nodes = List.copyOf(nodes);
        missing = List.copyOf(missing);
    }

    /**
     * One node ("/dev/dri/card0"). {@code fbMaxWidth}/{@code fbMaxHeight} are the framebuffer size
     * limits (0 if the dump lacks them); {@code crtcs} how many CRTCs it listed.
     */
    public record Node(String path, String driver, int fbMaxWidth, int fbMaxHeight, List<Connector> connectors,
                       List<Integer> encoderCrtcMasks, int crtcs, List<Plane> planes, Caps caps) {
        public Node {
            connectors = List.copyOf(connectors);
            encoderCrtcMasks = List.copyOf(encoderCrtcMasks);
            planes = List.copyOf(planes);
            if (caps == null) caps = Caps.UNKNOWN;
        }

        /** A node whose capabilities the source does not give. */
        public Node(String path, String driver, int fbMaxWidth, int fbMaxHeight, List<Connector> connectors,
                    List<Integer> encoderCrtcMasks, int crtcs, List<Plane> planes) {
            this(path, driver, fbMaxWidth, fbMaxHeight, connectors, encoderCrtcMasks, crtcs, planes, Caps.UNKNOWN);
        }
    }

    /**
     * A connector: its type as the kernel names it ("eDP", "DP", "HDMI-A"), whether connected,
     * its modes (preferred first) and the indices of its encoders in the node's encoder list.
     */
    public record Connector(String type, boolean connected, List<ModeSpec> modes, List<Integer> encoders) {
        public Connector {
            modes = List.copyOf(modes);
            encoders = List.copyOf(encoders);
        }
    }

    /**
     * A plane: bitmask of CRTC indices, "primary"/"overlay"/"cursor" (null if the dump lacks it),
     * zpos (null if absent), and IN_FORMATS as modifier -> fourccs in dump order (empty if the
     * dump lacks the blob: then {@code formats}, the legacy list, is all that is known).
     */
    public record Plane(int crtcMask, String type, Integer zpos, Map<Long, List<Integer>> inFormats, List<Integer> formats) {
        public Plane {
            inFormats = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(inFormats));
            formats = List.copyOf(formats);
        }
    }

    /**
     * What DRM_IOCTL_GET_CAP answered; null where it was not asked or the kernel refused the
     * question (an older kernel answers EINVAL for a capability it does not know).
     * {@code prime} holds DRM_PRIME_CAP_IMPORT (1) and DRM_PRIME_CAP_EXPORT (2) bits.
     */
    public record Caps(Boolean dumbBuffer, Integer prime, Boolean addFb2Modifiers, Integer cursorWidth, Integer cursorHeight) {
        public static final Caps UNKNOWN = new Caps(null, null, null, null, null);
        public static final int PRIME_IMPORT = 1, PRIME_EXPORT = 2;
    }
}
