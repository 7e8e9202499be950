package dev.ferry.compositor.backend.nested;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.compositor.buffer.ShmShare;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlBuffer;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.interfaces.WlShmPool;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The host's wl_buffers for client buffers that go to the host as they are: a client's wl_shm
 * pool becomes one host wl_shm pool over the same file (its fd is sent to the host; the client's
 * pool keeps owning it), and each client buffer one host wl_buffer at the same offset, size,
 * stride and format. Nothing is copied.
 *
 * <p>Release: a client buffer the host holds (attached, not yet released by the host) is locked
 * here, so the client hears wl_buffer.release only once the host and Ferry are both done with
 * it. A client buffer destroyed while the host holds it keeps its host buffer until the host
 * releases it. Shared by the outputs of one host connection.
 */
final class HostBuffers implements AutoCloseable {
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
        final HostPool pool;
        final Object poolKey;
        final Proxy proxy;
        boolean held;
        boolean clientGone;

        HostBuffer(ClientBuffer client, HostPool pool, Object poolKey, Proxy proxy) {
            this.client = client;
            this.pool = pool;
            this.poolKey = poolKey;
            this.proxy = proxy;
        }
    }

    private final Proxy shm;
    private final Map<Object, HostPool> pools = new IdentityHashMap<>();
    private final Map<ClientBuffer, HostBuffer> buffers = new IdentityHashMap<>();
    private long created;
    private long releases;
    private boolean closed;

    HostBuffers(Proxy hostShm) {
        this.shm = hostShm;
    }

    /** The host wl_buffer showing b's pixels (b must have an {@link ClientBuffer#shmShare()}). */
    Proxy hostBuffer(ClientBuffer b) {
        HostBuffer hb = buffers.get(b);
        if (hb != null) return hb.proxy;
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
        HostBuffer made = new HostBuffer(b, pool, share.pool(), proxy);
        created++;
        proxy.listen(new WlBuffer.Listener() {
            @Override
            public void release(Proxy self) {
                released(made);
            }
        });
        buffers.put(b, made);
        b.onDestroyed(() -> clientDestroyed(made));
        return proxy;
    }

    /** The host was given b in a commit: Ferry holds b for the host until the host releases it. */
    void attached(ClientBuffer b) {
        HostBuffer hb = buffers.get(b);
        if (hb == null || hb.held) return;
        hb.held = true;
        b.lock();
    }

    /** Host wl_buffers made so far, and host releases heard. */
    long created() { return created; }
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
        }
        if (hb.clientGone) destroy(hb);
    }

    private void clientDestroyed(HostBuffer hb) {
        if (closed || buffers.get(hb.client) != hb) return;
        hb.clientGone = true;
        if (!hb.held) destroy(hb);
    }

    private void destroy(HostBuffer hb) {
        buffers.remove(hb.client);
        WlBuffer.destroy(hb.proxy);
        if (--hb.pool.buffers == 0) {
            WlShmPool.destroy(hb.pool.proxy);
            pools.remove(hb.poolKey);
        }
    }

    /** Destroys the host objects (when the host is still there) and lets go of every client buffer held. */
    void close(boolean hostAlive) {
        if (closed) return;
        closed = true;
        for (HostBuffer hb : buffers.values()) {
            if (hostAlive) WlBuffer.destroy(hb.proxy);
            if (hb.held) {
                hb.held = false;
                hb.client.unlock();
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
