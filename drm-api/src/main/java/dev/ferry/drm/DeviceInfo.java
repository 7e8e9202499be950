package dev.ferry.drm;

/** Who a device is: card node name, render node name (null if it cannot render), dev_t, driver. */
public record DeviceInfo(String name, String renderNode, long devT, String driver,
                         boolean canRender, boolean canDisplay) {
    public String cardPath() { return "/dev/dri/" + name; }

    public int major() { return (int) (devT >>> 8); }

    public int minor() { return (int) (devT & 0xff); }
}
