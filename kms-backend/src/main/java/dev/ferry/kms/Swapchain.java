package dev.ferry.kms;

import dev.ferry.drm.AllocationException;
import dev.ferry.drm.BufferHandle;
import dev.ferry.drm.CpuMapping;
import dev.ferry.drm.DmaBuf;
import dev.ferry.drm.DrmDevice;
import dev.ferry.drm.ImportPurpose;
import dev.ferry.drm.ImportResult;
import dev.ferry.drm.AddFbResult;
import dev.ferry.drm.Usage;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.posix.PosixException;

/**
 * Buffers a composed frame is drawn into and scanned out from, allocated on the display device
 * in a format its primary plane shows, each with its framebuffer and a CPU mapping (the
 * renderer writes the pixels through memory). A slot is drawn, queued for a flip, shown, then
 * free again once a newer frame is on screen; its age (frames since it was last drawn) lets
 * the compositor redraw only what changed since then.
 */
public final class Swapchain implements AutoCloseable {
    /** One buffer of the chain. */
    public static final class Slot {
        final DmaBuf buffer;
        final CpuMapping mapping;
        final int fbId;
        long drawnAtFrame = -1;
        boolean busy;

        Slot(DmaBuf buffer, CpuMapping mapping, int fbId) {
            this.buffer = buffer;
            this.mapping = mapping;
            this.fbId = fbId;
        }

        public DmaBuf buffer() { return buffer; }
        public CpuMapping mapping() { return mapping; }
        public int fbId() { return fbId; }
    }

    private final DrmDevice device;
    private final Slot[] slots;
    private final int width;
    private final int height;
    private final int fourcc;
    private long frameCounter;

    /**
     * Allocates {@code count} LINEAR scanout buffers. The renderer writes linear rows, so a
     * plane that cannot show LINEAR cannot take a composed frame from this chain.
     */
    public Swapchain(DrmDevice device, int width, int height, int fourcc, int count, boolean dumb)
            throws AllocationException, PosixException {
        this.device = device;
        this.width = width;
        this.height = height;
        this.fourcc = fourcc;
        this.slots = new Slot[count];
        try {
            for (int i = 0; i < count; i++) {
                DmaBuf buf = dumb ? device.allocator().createDumb(width, height, fourcc)
                        : device.allocator().allocate(width, height, fourcc, new long[] {Modifiers.LINEAR}, Usage.SCANOUT | Usage.RENDERING | Usage.LINEAR);
                CpuMapping map = null;
                try {
                    map = buf.map();
                    ImportResult imported = device.importDmaBuf(buf, ImportPurpose.SCANOUT);
                    if (!imported.ok()) throw new AllocationException(dev.ferry.drm.AllocationFailure.SYSTEM,
                            "swapchain buffer refused by its own device: " + imported);
                    try (BufferHandle h = imported.handle()) {
                        AddFbResult fb = device.addFramebuffer(h);
                        if (!fb.ok()) throw new AllocationException(dev.ferry.drm.AllocationFailure.SYSTEM,
                                "ADDFB2 of a swapchain buffer: " + fb.rejection() + " " + fb.detail());
                        slots[i] = new Slot(buf, map, fb.fbId());
                    }
                } catch (AllocationException | RuntimeException e) {
                    if (map != null) map.close();
                    buf.close();
                    throw e;
                }
            }
        } catch (AllocationException | PosixException | RuntimeException e) {
            close();
            throw e;
        }
    }

    public int width() { return width; }
    public int height() { return height; }
    public int fourcc() { return fourcc; }

    /**
     * A framebuffer of this chain for TEST_ONLY commits that ask about other planes: the test
     * needs a primary framebuffer of the right size and format, not its contents.
     */
    public int testFramebuffer() {
        return slots[0].fbId;
    }

    /** A slot no flip holds, or null when every slot is queued or on screen. */
    public Slot acquire() {
        Slot best = null;
        for (Slot s : slots) {
            if (s != null && !s.busy && (best == null || s.drawnAtFrame < best.drawnAtFrame)) best = s;
        }
        if (best != null) best.busy = true;
        return best;
    }

    /**
     * The buffer age of a slot about to be drawn, as EGL counts it: 1 when it holds the frame
     * drawn last, 2 when one frame was drawn since, ...; 0 when its contents are unknown and
     * everything must be redrawn. (Counting from 0 for the newest frame made a slot two frames
     * old look one frame old, and its redraw skip the damage of the frame in between.)
     */
    public int age(Slot s) {
        return s.drawnAtFrame < 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, frameCounter + 1 - s.drawnAtFrame);
    }

    /** The slot now holds the newest frame. */
    public void drawn(Slot s) {
        s.drawnAtFrame = ++frameCounter;
    }

    /** The slot's frame is off screen (a newer one replaced it) or was never queued. */
    public void release(Slot s) {
        if (s != null) s.busy = false;
    }

    /** Forgets what the slot holds (a failed draw may have left it half written). */
    public void invalidate(Slot s) {
        s.drawnAtFrame = -1;
    }

    @Override
    public void close() {
        for (Slot s : slots) {
            if (s == null) continue;
            device.removeFramebuffer(s.fbId);
            s.mapping.close();
            s.buffer.close();
        }
    }
}
