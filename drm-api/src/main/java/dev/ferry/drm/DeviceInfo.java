package dev.ferry.drm;

import java.util.List;
import java.util.Set;

/**
 * Who a device is and what the compositor may plan with: card node name, render node name (null
 * if it cannot render), dev_t, driver, its roles, the marks that pick the primary GPU, and its
 * memory rules.
 *
 * @param preferred      marked as the render device to prefer (the compositor's primary GPU)
 * @param boot           the device the firmware booted on (boot_vga)
 * @param implicitLayout the layout (a modifier) its driver gives buffers allocated without an
 *                       explicit modifier
 * @param allocates      the domains its allocator places buffers in, in order of preference
 * @param reaches        the domains it can DMA from ({@link MemoryDomain#VRAM}: its own vram; another
 *                       device's vram only through {@code p2pPeers})
 * @param scanoutFrom    the domains its display engine can scan out of
 * @param p2pPeers       names of the devices whose vram it may reach peer to peer
 */
public record DeviceInfo(String name, String renderNode, long devT, String driver,
                         boolean canRender, boolean canDisplay, boolean preferred, boolean boot,
                         long implicitLayout, List<MemoryDomain> allocates, Set<MemoryDomain> reaches,
                         Set<MemoryDomain> scanoutFrom, Set<String> p2pPeers) {
    public DeviceInfo {
        allocates = List.copyOf(allocates);
        reaches = Set.copyOf(reaches);
        scanoutFrom = Set.copyOf(scanoutFrom);
        p2pPeers = Set.copyOf(p2pPeers);
    }

    public String cardPath() { return "/dev/dri/" + name; }

    public int major() { return (int) (devT >>> 8); }

    public int minor() { return (int) (devT & 0xff); }
}
