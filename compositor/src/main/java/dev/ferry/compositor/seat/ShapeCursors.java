package dev.ferry.compositor.seat;

import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.cursorshape.CursorImage;
import dev.ferry.compositor.cursorshape.CursorImages;
import dev.ferry.posix.Memfd;
import dev.ferry.posix.MessageSocket;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;
import dev.ferry.posix.UnixSockets;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.interfaces.WlShmPool;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.loop.EventLoop;
import dev.ferry.protocol.server.Client;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The wp_cursor_shape shapes as cursor surfaces, so that the backends that draw the cursor
 * themselves (headless, kms) show a shape exactly as they show a set_cursor surface: in the
 * scene above every window, composed or on a cursor plane, in screenshots. The surfaces belong
 * to Ferry's own client: one end of a socketpair added to the display as a client, whose
 * objects (a wl_shm pool per picture, its wl_buffer, a wl_surface with the cursor role) are
 * made by calling the globals' own request handlers with ids Ferry picks, so every rule of
 * wl_shm and wl_surface applies to them as to any client's. The events Ferry sends that client
 * (buffer releases, output enters) are read from the other end and dropped. One surface per
 * shape, made the first time the shape is shown, kept until Ferry stops.
 */
public final class ShapeCursors implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShapeCursors.class);

    /** A shape's surface and the hotspot of its picture. */
    public record Shown(Surface surface, int hotspotX, int hotspotY) {}

    private final CursorImages images;
    private final WlShm.Requests shm;
    private final Surface.SurfaceEvents events;
    private final Display display;
    /** Ferry's client, made with the first shape shown (until then no client is there to count). */
    private Client client;
    private MessageSocket peer;
    private EventLoop.Source drain;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment sink = arena.allocate(4096);
    private final Shown[] shown = new Shown[64];
    private int nextId = 2;
    private boolean closed;

    public ShapeCursors(Display display, WlShm.Requests shm, Surface.SurfaceEvents events, CursorImages images) {
        this.display = display;
        this.images = images;
        this.shm = shm;
        this.events = events;
    }

    private void connect() throws PosixException {
        OwnedFd[] pair = UnixSockets.pair();
        peer = new MessageSocket(pair[1]);
        drain = display.loop().add(pair[1].fd(), dev.ferry.posix.Epoll.EPOLLIN, ev -> dropEvents());
        client = display.addClient(pair[0]);
        if (client == null) throw new PosixException("socketpair client", dev.ferry.posix.Errno.EMFILE);
        LOG.info("cursor shapes drawn by Ferry, from {}", images.source());
    }

    /** Where the pictures come from, in words. */
    public String source() { return images.source(); }

    /** The picture of a shape (what its surface shows). */
    public CursorImage image(int shape) { return images.image(shape); }

    /** The surface showing the shape (1..34), or null if it could not be made (logged). */
    public Shown surface(int shape) {
        if (closed || shape < 1 || shape >= shown.length) return null;
        if (shown[shape] != null) return shown[shape];
        CursorImage img = images.image(shape);
        try {
            shown[shape] = make(img);
        } catch (PosixException | RuntimeException e) {
            LOG.warn("cursor shape {}: cannot make its surface: {}", CursorImages.name(shape), e.toString());
            return null;
        }
        return shown[shape];
    }

    private Shown make(CursorImage img) throws PosixException {
        if (client == null) connect();
        int stride = 4 * img.width();
        long size = (long) stride * img.height();
        OwnedFd fd = Memfd.create("ferry-cursor-" + img.name(), size);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment px = a.allocate(size, 4);
            MemorySegment.copy(img.argb(), 0, px, JAVA_INT, 0, img.argb().length);
            Memfd.pwrite(fd.fd(), px, 0);
        }
        Memfd.addSeals(fd, Memfd.F_SEAL_SHRINK);
        Resource shmResource = client.createResource(nextId++, WlShm.INTERFACE, 1, shm);
        int poolId = nextId++;
        shm.createPool(shmResource, poolId, fd, (int) size);
        Resource pool = client.resource(poolId);
        int bufferId = nextId++;
        pool.implementation(WlShmPool.Requests.class).createBuffer(pool, bufferId, 0, img.width(), img.height(), stride, WlShm.FORMAT_ARGB8888);
        Resource buffer = client.resource(bufferId);
        Resource surfaceResource = client.createResource(nextId++, WlSurface.INTERFACE, 4, null);
        Surface surface = new Surface(surfaceResource, events);
        surfaceResource.setImplementation(surface);
        surface.setRole(SeatGlobal.CursorRole.INSTANCE, surfaceResource, 0);
        surface.attach(surfaceResource, buffer, 0, 0);
        surface.damageBuffer(surfaceResource, 0, 0, img.width(), img.height());
        surface.commit(surfaceResource);
        return new Shown(surface, img.hotspotX(), img.hotspotY());
    }

    /** Ferry's client hears its events here; nobody needs them. */
    private void dropEvents() {
        try {
            long n;
            while ((n = peer.receive(sink, 0, sink.byteSize(), rawFd -> dev.ferry.posix.Fds.closeRaw(rawFd))) > 0) {
                // Read to the end of what is there.
            }
            if (n == 0) stopDraining();
        } catch (PosixException e) {
            // The display's end is gone, and so is the client.
            stopDraining();
        }
    }

    private void stopDraining() {
        if (drain != null) drain.remove();
        drain = null;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        stopDraining();
        if (peer != null) peer.close();
        arena.close();
    }
}
