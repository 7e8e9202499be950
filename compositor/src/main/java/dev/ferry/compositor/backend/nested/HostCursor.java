package dev.ferry.compositor.backend.nested;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.compositor.buffer.ShmShare;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.cursorshape.CursorImage;
import dev.ferry.compositor.cursorshape.CursorImages;
import dev.ferry.compositor.seat.Seat;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.client.ShmPool;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.interfaces.WlBuffer;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.interfaces.WlPointer;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.interfaces.WpCursorShapeDeviceV1;
import dev.ferry.protocol.interfaces.WpCursorShapeManagerV1;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The cursor of Ferry's seat, shown by the host as its own pointer's cursor: a client's
 * wl_pointer.set_cursor surface becomes the host cursor surface with the client's own wl_shm
 * buffer (through {@link HostBuffers}: no copy) and its hotspot, quoted with the serial of the
 * host's last pointer enter; a wp_cursor_shape shape goes to the host's cursor-shape device
 * when the host has wp_cursor_shape_manager_v1. No cursor set: the host's default shape. A host
 * without cursor shapes (Weston before 13) gets Ferry's own picture of the shape (the cursor
 * theme's, else Ferry's built-in arrow, I-beam ...) in a host wl_shm buffer drawn once per shape,
 * so the pointer over an inner client that set no cursor still shows an arrow. The host draws
 * the cursor where its pointer is, so it moves with no frame of Ferry's. A cursor buffer the
 * host cannot take unchanged (not sealed wl_shm, a format the host lacks) is left to the scene,
 * which composes it.
 */
final class HostCursor implements Seat.CursorSink {
    private final HostSeat hostSeat;
    private final HostBuffers buffers;
    private final Set<Integer> hostShmFormats;
    private final Proxy surface;
    private final Proxy shapeManager;
    private final Proxy shm;
    private final CursorImages pictures;
    /** A shape's picture in a host buffer of Ferry's own (hosts without cursor shapes), by shape. */
    private final Map<Integer, Picture> drawn = new HashMap<>();
    private Proxy shapeDevice;
    private Proxy shapeDeviceOf;
    private Seat.Cursor current;
    private ClientBuffer shown;
    private long forwarded;

    private record Picture(ShmPool pool, Proxy buffer, CursorImage image) {}

    /** shapeManager null: the host has no cursor shapes, and shapes are drawn with pictures into host wl_shm buffers. */
    HostCursor(HostSeat hostSeat, Proxy compositor, Proxy shm, HostBuffers buffers, Set<Integer> hostShmFormats, Proxy shapeManager,
               CursorImages pictures) {
        this.hostSeat = hostSeat;
        this.buffers = buffers;
        this.hostShmFormats = hostShmFormats;
        this.shapeManager = shapeManager;
        this.shm = shm;
        this.pictures = pictures;
        surface = WlCompositor.createSurface(compositor);
    }

    /** Cursor images and shapes handed to the host so far. */
    long forwarded() { return forwarded; }

    @Override
    public boolean show(Seat.Cursor cursor) {
        Proxy pointer = hostSeat.pointer();
        if (pointer == null) return false;
        Surface s = cursor == null ? null : cursor.surface();
        if (s != null && !shareable(s.buffer())) return false;
        current = cursor;
        int serial = hostSeat.hostEnterSerial();
        if (s != null) {
            attach(s);
            WlPointer.setCursor(pointer, serial, surface, cursor.hotspotX(), cursor.hotspotY());
        } else {
            int shape = cursor == null || cursor.shape() == 0 ? WpCursorShapeDeviceV1.SHAPE_DEFAULT : cursor.shape();
            Proxy device = shapeDevice(pointer);
            boolean hidden = cursor != null && cursor.shape() == 0;
            if (hidden) WlPointer.setCursor(pointer, serial, null, 0, 0);
            else if (device != null) WpCursorShapeDeviceV1.setShape(device, serial, shape);
            else showPicture(pointer, serial, shape);
        }
        forwarded++;
        return true;
    }

    /** A surface outside every window committed: if it is the cursor, the host gets its new image. */
    void committed(Surface s) {
        if (current == null || current.surface() != s || hostSeat.pointer() == null) return;
        if (shareable(s.buffer())) attach(s);
    }

    private boolean shareable(ClientBuffer b) {
        // No buffer yet: the commit that brings one attaches it.
        if (b == null) return true;
        ShmShare share = b.shmShare();
        return share != null && share.sealed() && hostShmFormats.contains(share.wlShmFormat());
    }

    private void attach(Surface s) {
        ClientBuffer b = s.buffer();
        s.takeTextureDamage();
        if (b == null) return;
        WlSurface.attach(surface, buffers.hostBuffer(b), 0, 0);
        WlSurface.damageBuffer(surface, 0, 0, b.width(), b.height());
        if (s.state().scale() > 1) WlSurface.setBufferScale(surface, s.state().scale());
        buffers.attached(b);
        WlSurface.commit(surface);
        shown = b;
    }

    /** The shape's picture as the host cursor (hidden when it cannot be drawn). */
    private void showPicture(Proxy pointer, int serial, int shape) {
        Picture p = drawn.get(shape);
        if (p == null) {
            try {
                p = draw(pictures.image(shape));
            } catch (PosixException e) {
                WlPointer.setCursor(pointer, serial, null, 0, 0);
                return;
            }
            drawn.put(shape, p);
        }
        WlSurface.attach(surface, p.buffer(), 0, 0);
        WlSurface.damageBuffer(surface, 0, 0, p.image().width(), p.image().height());
        WlSurface.commit(surface);
        shown = null;
        WlPointer.setCursor(pointer, serial, surface, p.image().hotspotX(), p.image().hotspotY());
    }

    /** The picture in a sealed memfd of its own, shared with the host as a wl_shm buffer (premultiplied ARGB8888, as the picture is). */
    private Picture draw(CursorImage image) throws PosixException {
        ShmPool pool = new ShmPool(shm, 4L * image.argb().length, true);
        for (int i = 0; i < image.argb().length; i++) pool.memory().setAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, i, image.argb()[i]);
        return new Picture(pool, pool.buffer(0, image.width(), image.height(), 4 * image.width(), WlShm.FORMAT_ARGB8888), image);
    }

    private Proxy shapeDevice(Proxy pointer) {
        if (shapeManager == null) return null;
        if (shapeDeviceOf != pointer) {
            shapeDevice = WpCursorShapeManagerV1.getPointer(shapeManager, pointer);
            shapeDeviceOf = pointer;
        }
        return shapeDevice;
    }

    void close(boolean hostAlive) {
        for (Picture p : drawn.values()) {
            if (hostAlive) WlBuffer.destroy(p.buffer());
            p.pool().close(); // its memory and fd are Ferry's; the request is dropped on a host connection that failed
        }
        drawn.clear();
        if (!hostAlive) return;
        if (shapeDevice != null) WpCursorShapeDeviceV1.destroy(shapeDevice);
        WlSurface.destroy(surface);
    }
}
