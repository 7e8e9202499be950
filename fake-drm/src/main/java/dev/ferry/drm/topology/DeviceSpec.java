package dev.ferry.drm.topology;

import java.util.List;

/**
 * One DRM device as a topology file describes it.
 *
 * <p>Memory: {@code allocates} lists the domains its allocator may place buffers in, in
 * order of preference; {@code reaches} the domain kinds it can DMA from ({@code vram} here
 * means its own vram; another device's vram is reachable only through the topology's p2p
 * list); {@code scanoutFrom} the domains its display engine can scan out of.
 * {@code snoopsCpuCaches}: it sees CPU writes to cached memory as soon as they happen;
 * otherwise {@code cacheMaintenance} says whether begin/end CPU-access brackets can make such
 * writes visible to it (if neither, it must refuse cached memory). {@code needsContiguous}:
 * no IOMMU, so it can only use physically contiguous (cma) memory.
 * {@code implicitModifier} is the layout its allocator picks when the caller allows only
 * INVALID (no explicit modifier).
 */
public record DeviceSpec(
        String name,
        String renderNode,
        int minor,
        String driver,
        List<String> roles,
        List<String> allocates,
        List<String> reaches,
        List<String> scanoutFrom,
        boolean snoopsCpuCaches,
        boolean cacheMaintenance,
        boolean needsContiguous,
        int pitchAlignment,
        int maxWidth,
        int maxHeight,
        String implicitModifier,
        List<FormatSet> render,
        List<FormatSet> sample,
        int crtcs,
        List<ConnectorSpec> connectors,
        List<PlaneSpec> planes,
        boolean dumbBuffers,
        boolean preferred,
        boolean boot) {

    public DeviceSpec {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("device without a name");
        if (minor < 0 || minor > 63) throw new IllegalArgumentException(name + ": card minor " + minor);
        if (renderNode == null && roles != null && roles.contains("render")) renderNode = "renderD" + (128 + minor);
        if (driver == null) driver = "fake";
        roles = List.copyOf(roles == null ? List.of() : roles);
        for (String r : roles) {
            if (!r.equals("render") && !r.equals("display")) throw new IllegalArgumentException(name + ": role " + r);
        }
        allocates = List.copyOf(allocates == null ? List.of("system") : allocates);
        reaches = List.copyOf(reaches == null ? allocates : reaches);
        scanoutFrom = List.copyOf(scanoutFrom == null ? List.of() : scanoutFrom);
        if (pitchAlignment <= 0) pitchAlignment = 64;
        if (maxWidth <= 0) maxWidth = 16384;
        if (maxHeight <= 0) maxHeight = 16384;
        if (implicitModifier == null) implicitModifier = "LINEAR";
        render = List.copyOf(render == null ? List.of() : render);
        sample = List.copyOf(sample == null ? List.of() : sample);
        connectors = List.copyOf(connectors == null ? List.of() : connectors);
        planes = List.copyOf(planes == null ? List.of() : planes);
        if (crtcs < 0) throw new IllegalArgumentException(name + ": " + crtcs + " crtcs");
    }

    public boolean canRender() { return roles.contains("render"); }

    /** Marked in the topology as the render device to prefer (the compositor's primary GPU). */
    public boolean preferred() { return preferred; }

    /** The device the firmware booted on (boot_vga). */
    public boolean boot() { return boot; }

    public boolean canDisplay() { return roles.contains("display"); }

    /** dev_t of the card node: major 226, minor as given. */
    public long devT() {
        return (226L << 8) | minor;
    }
}
