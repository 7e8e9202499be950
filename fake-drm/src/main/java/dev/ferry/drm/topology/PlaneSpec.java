package dev.ferry.drm.topology;

import java.util.List;

/**
 * A KMS plane. {@code type} is primary, overlay or cursor; {@code crtcs} are the indices of
 * the CRTCs it can be attached to; {@code maxWidth}/{@code maxHeight} bound both source and
 * destination size; {@code scaling} says whether source and destination may differ in size.
 * {@code zpos} orders planes on one CRTC (higher is nearer the viewer).
 */
public record PlaneSpec(String type, List<Integer> crtcs, List<FormatSet> formats,
                        int maxWidth, int maxHeight, boolean scaling, int zpos) {
    public PlaneSpec {
        if (type == null) type = "overlay";
        if (!type.equals("primary") && !type.equals("overlay") && !type.equals("cursor")) {
            throw new IllegalArgumentException("plane type " + type);
        }
        crtcs = List.copyOf(crtcs == null ? List.of(0) : crtcs);
        formats = List.copyOf(formats == null ? List.of() : formats);
        if (maxWidth <= 0) maxWidth = type.equals("cursor") ? 256 : 8192;
        if (maxHeight <= 0) maxHeight = type.equals("cursor") ? 256 : 8192;
    }
}
