package dev.ferry.compositor.syncobj;

import dev.ferry.client.Canvas;
import dev.ferry.client.DmabufAllocator;
import dev.ferry.client.ExplicitSync;
import dev.ferry.drm.CpuMapping;
import dev.ferry.drm.DmaBuf;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlBuffer;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlSubcompositor;
import dev.ferry.protocol.interfaces.WlSubsurface;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.interfaces.WpPresentation;
import dev.ferry.protocol.interfaces.WpPresentationFeedback;
import dev.ferry.protocol.interfaces.ZwpLinuxBufferParamsV1;
import dev.ferry.protocol.interfaces.ZwpLinuxDmabufV1;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A synchronized subsurface of a {@link SyncFerry.Player}'s window (same client), square, with a
 * fresh dma-buf and its own timeline per commit (explicit sync): its render job's acquire point is
 * the one the parent's commit must wait for. Presentation feedback per commit.
 */
final class SyncedChild implements AutoCloseable {
    final SyncFerry.Player parent;
    final Proxy surface;
    final Proxy subsurface;
    private final int size;
    private final DmabufAllocator allocator;
    private final Proxy linuxDmabuf;
    private final Proxy presentation;
    private final ExplicitSync sync;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final Map<Long, Long> presented = new HashMap<>();
    private long commits;
    /** Runs before each commit (a test's wp_fifo_v1 or wp_commit_timer_v1 requests for it). */
    Runnable beforeCommit = () -> {};

    SyncedChild(SyncFerry ferry, SyncFerry.Player parent, int x, int y, int size) throws IOException {
        this.parent = parent;
        this.size = size;
        var client = parent.client;
        allocator = new DmabufAllocator(ferry.clientKernel);
        Proxy compositor = client.bind(WlCompositor.INTERFACE, 5);
        surface = WlCompositor.createSurface(compositor);
        subsurface = WlSubcompositor.getSubsurface(client.bind(WlSubcompositor.INTERFACE, 1), surface, parent.window.surface());
        WlSubsurface.setPosition(subsurface, x, y);
        linuxDmabuf = client.bind(ZwpLinuxDmabufV1.INTERFACE, 5);
        presentation = client.bind(WpPresentation.INTERFACE, 1);
        sync = ExplicitSync.forSurface(client, surface, ferry.clientKernel);
    }

    /** Caches a commit of a new buffer filled with colour whose render job takes durationNs; its number. */
    long commit(int colour, long durationNs) throws IOException {
        DmaBuf buf;
        try {
            buf = allocator.allocate(parent.window.plan(), size, size);
        } catch (dev.ferry.drm.AllocationException e) {
            throw new IOException(e.getMessage(), e);
        }
        owned.add(buf);
        try (CpuMapping map = buf.map()) {
            map.beginCpuAccess(CpuMapping.WRITE);
            Canvas.mapped(map, size, size, buf.offset(0)).fill(colour);
            map.endCpuAccess(CpuMapping.WRITE);
        } catch (dev.ferry.posix.PosixException e) {
            throw new IOException(e.getMessage(), e);
        }
        Proxy params = ZwpLinuxDmabufV1.createParams(linuxDmabuf);
        long m = buf.modifier();
        for (int p = 0; p < buf.planeCount(); p++) {
            ZwpLinuxBufferParamsV1.add(params, buf.fd(p), p, buf.offset(p), buf.stride(p), (int) (m >>> 32), (int) m);
        }
        Proxy wlBuffer = ZwpLinuxBufferParamsV1.createImmed(params, size, size, buf.fourcc(), 0);
        ZwpLinuxBufferParamsV1.destroy(params);
        owned.add(() -> { if (!wlBuffer.isDestroyed()) WlBuffer.destroy(wlBuffer); });
        ExplicitSync.Timeline timeline = sync.timeline();
        owned.add(timeline);
        timeline.render(durationNs, durationNs);
        long n = commits++;
        beforeCommit.run();
        WlSurface.attach(surface, wlBuffer, 0, 0);
        WlSurface.damageBuffer(surface, 0, 0, size, size);
        WpPresentation.feedback(presentation, surface).listen(new WpPresentationFeedback.Listener() {
            @Override
            public void presented(Proxy self, int secHi, int secLo, int nsec, int refresh, int seqHi, int seqLo, int flags) {
                presented.put(n, (((long) secHi << 32) | Integer.toUnsignedLong(secLo)) * 1_000_000_000L + nsec);
            }

            @Override
            public void discarded(Proxy self) {
                presented.put(n, -2L);
            }
        });
        WlSurface.commit(surface);
        parent.client.flush();
        return n;
    }

    /** When commit n was presented (kernel clock), -1 if not (yet), -2 if discarded. */
    long presentedAt(long n) {
        return presented.getOrDefault(n, -1L);
    }

    @Override
    public void close() throws Exception {
        WlSubsurface.destroy(subsurface);
        WlSurface.destroy(surface);
        for (AutoCloseable c : owned.reversed()) c.close();
        sync.close();
    }
}
