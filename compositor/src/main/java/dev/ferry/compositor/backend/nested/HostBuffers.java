package dev.ferry.compositor.backend.nested;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.compositor.buffer.ShmShare;
import dev.ferry.drm.DmaBuf;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlBuffer;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.interfaces.WlShmPool;
import dev.ferry.protocol.interfaces.ZwpLinuxBufferParamsV1;
import dev.ferry.protocol.interfaces.ZwpLinuxDmabufV1;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The host's wl_buffers for client buffers that go to the host as they are: a client's wl_shm
 * pool becomes one host wl_shm pool over the same file (its fd is sent to the host; the client's
 * pool keeps owning it), and each client buffer one host wl_buffer at the same offset, size,
 * stride and format. A client dma-buf becomes a host wl_buffer over the same planes (its fds are
 * sent to the host through the host's zwp_linux_dmabuf_v1; the client's buffer keeps owning
 * them). Nothing is copied.
 *
 * <p>A dma-buf's host buffer is made with params.create, not create_immed: the host answers
 * created or failed a round trip later, and until then the buffer is composed
 * ({@link Take#PENDING}). A refusal with create_immed may be a protocol error, which would end
 * the whole host connection; failed is a named miss ({@link Take#REFUSED}), remembered for that
 * buffer and never retried.
 *
 * <p>Release: a client buffer the host holds (attached, not yet released by the host) is locked
 * here, so the client hears wl_buffer.release only once the host and Ferry are both done with
 * it. A client buffer destroyed while the host holds it keeps its host buffer until the host
 * releases it. Shared by the outputs of one host connection.
 */
final class HostBuffers implements AutoCloseable {
    /** Whether the host can show a client buffer as it is now. */
    enum Take { READY, PENDING, REFUSED }

    private final class HostPool {
        final Proxy proxy;
        long size;
        int buffers;

        HostPool(Proxy proxy, long size) {
            this.proxy = proxy;
            this.size = size;
        }
    }

    private final class HostBuffer {
        final ClientBuffer client;
        /** The host pool of a wl_shm buffer; null for a dma-buf. */
        final HostPool pool;
        final Object poolKey;
        /** The host wl_buffer; null while the host has not answered a dma-buf's create, or refused it. */
        Proxy proxy;
        Take take;
        boolean held;
        boolean clientGone;
        /** Told when the host lets go of the buffer; null while nobody waits. */
        List<Runnable> whenFree;

        HostBuffer(ClientBuffer client, HostPool pool, Object poolKey, Proxy proxy, Take take) {
            this.client = client;
            this.pool = pool;
            this.poolKey = poolKey;
            this.proxy = proxy;
            this.take = take;
        }
    }

    private final Proxy shm;
    /** The host's linux-dmabuf, or null: then no dma-buf goes to the host. */
    private final Proxy hostDmabuf;
    /** Told when the host answers a dma-buf's create (a frame may now pass it through). */
    private final Runnable answered;
    private long refused;
    private final Map<Object, HostPool> pools = new IdentityHashMap<>();
    private final Map<ClientBuffer, HostBuffer> buffers = new IdentityHashMap<>();
    private long created;
    private long releases;
    private boolean closed;

    HostBuffers(Proxy hostShm, Proxy hostDmabuf, Runnable answered) {
        this.shm = hostShm;
        this.hostDmabuf = hostDmabuf;
        this.answered = answered;
    }

    /**
     * Whether the host can show b as it is now; the first time a dma-buf is asked about, its
     * host buffer is asked for (PENDING until the host answers). b must have an
     * {@link ClientBuffer#shmShare()} or a {@link ClientBuffer#dmaBuf()}.
     */
    Take take(ClientBuffer b) {
        HostBuffer hb = buffers.get(b);
        if (hb == null) hb = b.shmShare() != null ? shmBuffer(b) : dmabufBuffer(b);
        return hb.take;
    }

    /** The host wl_buffer showing b's pixels: a wl_shm one at once, a dma-buf's only once {@link #take} said READY. */
    Proxy hostBuffer(ClientBuffer b) {
        HostBuffer hb = buffers.get(b);
        if (hb == null && b.shmShare() != null) hb = shmBuffer(b);
        if (hb == null || hb.take != Take.READY) throw new IllegalStateException("no host buffer for " + b);
        return hb.proxy;
    }

    private HostBuffer shmBuffer(ClientBuffer b) {
        ShmShare share = b.shmShare();
        HostPool pool = pools.get(share.pool());
        if (pool == null) {
            pool = new HostPool(WlShm.createPool(shm, share.fd(), (int) share.poolSize()), share.poolSize());
            pools.put(share.pool(), pool);
        } else if (share.poolSize() > pool.size) {
            // The client grew its pool since: the host maps the new size before a buffer reaches into it.
            WlShmPool.resize(pool.proxy, (int) share.poolSize());
            pool.size = share.poolSize();
        }
        Proxy proxy = WlShmPool.createBuffer(pool.proxy, share.offset(), share.width(), share.height(), share.stride(), share.wlShmFormat());
        pool.buffers++;
        HostBuffer made = new HostBuffer(b, pool, share.pool(), proxy, Take.READY);
        created++;
        listenRelease(made);
        buffers.put(b, made);
        b.onDestroyed(() -> clientDestroyed(made));
        return made;
    }

    private HostBuffer dmabufBuffer(ClientBuffer b) {
        DmaBuf buf = b.dmaBuf();
        HostBuffer made = new HostBuffer(b, null, null, null, Take.PENDING);
        buffers.put(b, made);
        b.onDestroyed(() -> clientDestroyed(made));
        Proxy params = ZwpLinuxDmabufV1.createParams(hostDmabuf);
        long m = buf.modifier();
        for (int p = 0; p < buf.planeCount(); p++) {
            ZwpLinuxBufferParamsV1.add(params, buf.fd(p), p, buf.offset(p), buf.stride(p), (int) (m >>> 32), (int) m);
        }
        params.listen(new ZwpLinuxBufferParamsV1.Listener() {
            @Override
            public void created(Proxy self, Proxy buffer) {
                ZwpLinuxBufferParamsV1.destroy(self);
                if (closed) return;
                made.proxy = buffer;
                made.take = Take.READY;
                created++;
                listenRelease(made);
                if (made.clientGone) destroy(made);
                else answered.run();
            }

            @Override
            public void failed(Proxy self) {
                ZwpLinuxBufferParamsV1.destroy(self);
                if (closed) return;
                made.take = Take.REFUSED;
                refused++;
                if (made.clientGone) buffers.remove(made.client);
                else answered.run();
            }
        });
        ZwpLinuxBufferParamsV1.create(params, buf.width(), buf.height(), buf.fourcc(), 0);
        return made;
    }

    private void listenRelease(HostBuffer hb) {
        hb.proxy.listen(new WlBuffer.Listener() {
            @Override
            public void release(Proxy self) {
                released(hb);
            }
        });
    }

    /** The host was given b in a commit: Ferry holds b for the host until the host releases it. */
    void attached(ClientBuffer b) {
        HostBuffer hb = buffers.get(b);
        if (hb == null || hb.held) return;
        hb.held = true;
        b.lock();
    }

    /**
     * Runs r once the host no longer holds b: at once when it does not hold it now, else when the
     * host releases it (or the host connection ends).
     */
    void whenFree(ClientBuffer b, Runnable r) {
        HostBuffer hb = buffers.get(b);
        if (hb == null || !hb.held) {
            r.run();
            return;
        }
        if (hb.whenFree == null) hb.whenFree = new ArrayList<>(2);
        hb.whenFree.add(r);
    }

    /** Host wl_buffers made so far, and host releases heard; dma-bufs the host refused. */
    long created() { return created; }
    long refused() { return refused; }
    long releases() { return releases; }

    /** Client buffers the host holds now. */
    int held() {
        int n = 0;
        for (HostBuffer hb : buffers.values()) if (hb.held) n++;
        return n;
    }

    private void released(HostBuffer hb) {
        if (closed) return;
        releases++;
        if (hb.held) {
            hb.held = false;
            hb.client.unlock();
            tellFree(hb);
        }
        if (hb.clientGone) destroy(hb);
    }

    private static void tellFree(HostBuffer hb) {
        List<Runnable> waiting = hb.whenFree;
        hb.whenFree = null;
        if (waiting != null) for (Runnable r : waiting) r.run();
    }

    private void clientDestroyed(HostBuffer hb) {
        if (closed || buffers.get(hb.client) != hb) return;
        hb.clientGone = true;
        // A pending one goes when the host answers; a refused one has nothing on the host.
        if (hb.take == Take.REFUSED) buffers.remove(hb.client);
        else if (hb.take == Take.READY && !hb.held) destroy(hb);
    }

    private void destroy(HostBuffer hb) {
        buffers.remove(hb.client);
        WlBuffer.destroy(hb.proxy);
        if (hb.pool != null && --hb.pool.buffers == 0) {
            WlShmPool.destroy(hb.pool.proxy);
            pools.remove(hb.poolKey);
        }
    }

    /** Destroys the host objects (when the host is still there) and lets go of every client buffer held. */
    void close(boolean hostAlive) {
        if (closed) return;
        closed = true;
        for (HostBuffer hb : buffers.values()) {
            if (hostAlive && hb.proxy != null) WlBuffer.destroy(hb.proxy);
            if (hb.held) {
                hb.held = false;
                hb.client.unlock();
                tellFree(hb);
            }
        }
        if (hostAlive) for (HostPool p : pools.values()) WlShmPool.destroy(p.proxy);
        buffers.clear();
        pools.clear();
    }

    @Override
    public void close() {
        close(true);
    }
}
