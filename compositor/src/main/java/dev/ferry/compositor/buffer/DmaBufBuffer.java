package dev.ferry.compositor.buffer;

import dev.ferry.compositor.core.Surface;
import dev.ferry.drm.CpuMapping;
import dev.ferry.drm.DmaBuf;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.interfaces.WlBuffer;
import dev.ferry.protocol.server.Resource;
import dev.ferry.renderer.CpuAccess;
import dev.ferry.renderer.PixelPlane;
import dev.ferry.renderer.PixelSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A wl_buffer made by zwp_linux_buffer_params_v1: it owns the {@link DmaBuf} (one fd per plane)
 * and closes it once, when the wl_buffer is destroyed and no frame reads it any more.
 *
 * <p>Readers: the kms backend imports {@link #dmaBuf()} for scanout; the renderer imports it as a
 * dma-buf where it can; otherwise {@link #pixels()} maps it for the CPU (mapped once, kept until
 * the contents close) with READ brackets around every read, and passes the real layout through
 * as the modifier — de-tiling is the renderer's job. A commit attaching this buffer waits for its
 * implicit write fence through {@link Surface.ReadinessGate}.
 */
public final class DmaBufBuffer extends ClientBuffer implements WlBuffer.Requests, Surface.ReadinessGate {
    /** Waits for a buffer's implicit write fence on the event loop (linux-dmabuf's fence waiter). */
    public interface FenceWait {
        /** Null if the buffer is idle now; otherwise completes on the loop: true signalled, false gave up. */
        CompletionStage<Boolean> whenIdle(DmaBuf buf, Surface surface);
    }

    private final DmaBuf dmaBuf;
    private final long readLayout;
    private final boolean samplingImportOk;
    private final boolean cpuReadable;
    private final FenceWait fences;
    private CpuMapping mapping;
    private String unreadable;
    private boolean closed;

    /**
     * @param dmaBuf           taken over: this buffer closes it
     * @param readLayout       the real layout the CPU path reads with (the modifier, or what the
     *                         implicit modifier stands for)
     * @param samplingImportOk whether the main device imported it for sampling at creation
     * @param cpuReadable      whether the CPU path may map and read it
     * @param fences           the fence waiter, or null to latch without waiting
     */
    public DmaBufBuffer(Resource resource, DmaBuf dmaBuf, long readLayout, boolean samplingImportOk,
                        boolean cpuReadable, FenceWait fences) {
        super(resource);
        this.dmaBuf = dmaBuf;
        this.readLayout = readLayout;
        this.samplingImportOk = samplingImportOk;
        this.cpuReadable = cpuReadable;
        this.fences = fences;
    }

    /** The buffer for the kms backend's scanout import and the renderer's dma-buf import; owned here. */
    public DmaBuf dmaBuf() { return dmaBuf; }

    /** The modifier the client declared (may be INVALID, the implicit modifier). */
    public long modifier() { return dmaBuf.modifier(); }

    /** The layout the CPU path reads (never INVALID). */
    public long readLayout() { return readLayout; }

    /** Whether the main device accepted it for sampling when it was created. */
    public boolean samplingImportOk() { return samplingImportOk; }

    /** Whether the CPU path may map it (the system-RAM copy path). */
    public boolean cpuReadable() { return cpuReadable; }

    @Override public int width() { return dmaBuf.width(); }
    @Override public int height() { return dmaBuf.height(); }
    @Override public int fourcc() { return dmaBuf.fourcc(); }
    @Override public boolean hasAlpha() { return Fourcc.hasAlpha(dmaBuf.fourcc()); }
    @Override public String kind() { return "dmabuf"; }

    @Override
    public CompletionStage<Boolean> whenReady(Surface surface) {
        return fences == null || closed ? null : fences.whenIdle(dmaBuf, surface);
    }

    @Override
    public PixelSource pixels() {
        if (closed) {
            unreadable = "the dma-buf is closed";
            return null;
        }
        if (!cpuReadable) {
            unreadable = "the CPU path cannot read this dma-buf (" + dmaBuf + ")";
            return null;
        }
        if (mapping == null) {
            try {
                mapping = dmaBuf.map();
            } catch (PosixException | RuntimeException e) {
                unreadable = "cannot map the dma-buf: " + e.getMessage();
                return null;
            }
        }
        unreadable = null;
        MemorySegment view = mapping.view();
        List<PixelPlane> planes = new ArrayList<>(dmaBuf.planeCount());
        for (int p = 0; p < dmaBuf.planeCount(); p++) {
            long off = Integer.toUnsignedLong(dmaBuf.offset(p));
            planes.add(new PixelPlane(view.asSlice(off, view.byteSize() - off), dmaBuf.stride(p)));
        }
        CpuMapping m = mapping;
        CpuAccess access = new CpuAccess() {
            @Override public void begin() { m.beginCpuAccess(CpuMapping.READ); }
            @Override public void end() { m.endCpuAccess(CpuMapping.READ); }
        };
        return new PixelSource(dmaBuf.width(), dmaBuf.height(), dmaBuf.fourcc(), readLayout, planes, access);
    }

    @Override
    public String unreadableReason() { return unreadable; }

    @Override
    public void destroy(Resource self) {
        // Destruction follows; the dma-buf closes once no surface or frame holds the buffer.
    }

    @Override
    protected void closeContents() {
        if (closed) return;
        closed = true;
        if (mapping != null) {
            mapping.close();
            mapping = null;
        }
        dmaBuf.close();
    }

    public boolean contentsClosed() { return closed; }

    @Override
    public String toString() {
        return "dmabuf " + resource() + " " + dmaBuf;
    }
}
