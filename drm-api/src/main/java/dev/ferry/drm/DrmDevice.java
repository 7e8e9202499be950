package dev.ferry.drm;

import dev.ferry.posix.OwnedFd;

import java.util.List;

/**
 * The small table of operations the compositor's KMS backend needs from a DRM device, shaped so
 * that a real /dev/dri/cardN (PRIME import, ADDFB2, atomic ioctls, the event fd) can implement it
 * as directly as fake-drm's {@code FakeDevice} does.
 *
 * <p>Lifecycle: handles from {@link #importDmaBuf} are owned by the caller and closed once;
 * a framebuffer keeps its memory alive until {@link #removeFramebuffer}. The device owns its event
 * fd. After an unplug ({@link #isGone()}), KMS object lists are empty and every operation refuses
 * with a DEVICE_GONE reason, but closing handles and removing framebuffers still works.
 *
 * <p>Threading: calls are serialised by the implementation; the intended caller is one event
 * loop thread.
 */
public interface DrmDevice {
    DeviceInfo info();

    boolean isGone();

    /** Its buffer allocator (GBM on a real machine). */
    BufferAllocator allocator();

    /** Formats and modifiers the device can sample from (empty for display-only devices). */
    FormatTable sampleFormats();

    /** Formats and modifiers the device can render to. */
    FormatTable renderFormats();

    /** Union of what the planes accept: what could possibly be scanned out. */
    FormatTable scanoutFormats();

    List<Connector> connectors();

    List<Crtc> crtcs();

    List<Plane> planes();

    /**
     * Attaches a dma-buf for a purpose. Never throws for a buffer the device cannot use: that is
     * a rejection with its reason. The buffer's fds stay the caller's.
     */
    ImportResult importDmaBuf(DmaBuf buffer, ImportPurpose purpose);

    /** Called by {@link BufferHandle#close()}; not by anything else. */
    void releaseHandle(BufferHandle handle);

    /**
     * ADDFB2 with modifiers: one framebuffer over an imported buffer. Offsets and pitches per
     * plane; the modifier applies to every plane.
     */
    AddFbResult addFramebuffer(BufferHandle handle, int width, int height, int fourcc, long modifier,
                               int[] offsets, int[] pitches);

    /** ADDFB2 using the layout the buffer was imported with. */
    AddFbResult addFramebuffer(BufferHandle handle);

    /** RMFB: a plane still showing it is turned off. */
    void removeFramebuffer(int fbId);

    /**
     * An atomic commit. Returns true if accepted; otherwise the request holds the rejection.
     * With {@link AtomicFlags#TEST_ONLY} nothing changes. With NONBLOCK or PAGE_FLIP_EVENT the
     * new state takes effect at a later vblank, once the implicit fences of its buffers have
     * signalled, and each CRTC touched gets a page-flip event carrying userData.
     */
    boolean commit(AtomicRequest request, int flags, long userData);

    /** Readable when page-flip events wait for {@link #dispatchEvents}. Owned by the device. */
    OwnedFd eventFd();

    /** Delivers every pending event; returns how many. */
    int dispatchEvents(PageFlipHandler handler);

    /**
     * What the CRTC shows now, as its display engine composes the planes (a writeback
     * connector on real hardware); null when nothing is shown.
     */
    ScanoutImage readScanout(int crtcId);

    /** The device's DRM syncobjs (unsupported ones refuse every call: {@link SyncobjOps#supported}). */
    SyncobjOps syncobjs();
}
