package dev.ferry.drm;

/**
 * A device's reference to an attached dma-buf (a GEM handle, in kernel terms). The importer
 * owns it and closes it exactly once; a framebuffer made from it keeps the memory alive on its
 * own, as in the kernel, so closing the handle after AddFB is fine.
 */
public final class BufferHandle implements AutoCloseable {
    private final DrmDevice device;
    private final int id;
    private final ImportPurpose purpose;
    private volatile boolean open = true;

    public BufferHandle(DrmDevice device, int id, ImportPurpose purpose) {
        this.device = device;
        this.id = id;
        this.purpose = purpose;
    }

    public DrmDevice device() { return device; }

    /** The device-local handle number. */
    public int id() { return id; }

    public ImportPurpose purpose() { return purpose; }

    public boolean isOpen() { return open; }

    @Override
    public void close() {
        if (!open) return;
        open = false;
        device.releaseHandle(this);
    }

    @Override
    public String toString() {
        return "handle " + id + " on " + device.info().name() + " for " + purpose + (open ? "" : " (closed)");
    }
}
