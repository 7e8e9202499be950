package dev.ferry.drm;

import java.util.List;

/**
 * The DRM devices of the machine a backend drives, and the kernel's fence operations on the
 * buffers they share. fake-drm's {@code FakeKernel} is one; a set of real /dev/dri nodes would be
 * another.
 */
public interface DeviceSet extends SyncFileOps, AutoCloseable {
    List<? extends DrmDevice> devices();

    /** The device with this card name ("card0"). */
    DrmDevice device(String name);

    /** The device with this dev_t, or null. */
    DrmDevice deviceByDevT(long devT);

    /** The clock the devices' vblanks and fences run on (CLOCK_MONOTONIC; a virtual one in tests). */
    KernelClock clock();

    /**
     * A pollable fd readable from deadlineNs on, on {@link #clock()} (a timerfd on the real
     * clock): it bounds a wait for a fence in the time the fence itself keeps. The caller owns it.
     */
    SyncFile timerAt(long deadlineNs);

    /**
     * Maps a dma-buf for the CPU (mmap of its fd, which the kernel hands to the buffer's
     * exporter). An exporter may refuse: one without mmap, or vram past a small BAR. The
     * caller owns the mapping.
     */
    CpuMapping mapForCpu(DmaBuf buf) throws dev.ferry.posix.PosixException;

    /** The kernel's /dev/udmabuf, which wraps memfd pages (a wl_shm pool's) as dma-bufs. */
    UdmabufDevice udmabuf();

    /**
     * Takes in the hotplug events that came since the last call (a udev monitor's queue on a
     * real machine): afterwards {@link DrmDevice#isGone()} and each connector's connected state
     * are as they are now. Returns whether anything changed.
     */
    boolean pollHotplug();

    /** Releases every device's handles, framebuffers and event fd. */
    @Override
    void close();
}
