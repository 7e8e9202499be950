package dev.ferry.compositor.backend.nested;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.compositor.buffer.ShmShare;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.seat.Seat;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlPointer;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.interfaces.WpCursorShapeDeviceV1;
import dev.ferry.protocol.interfaces.WpCursorShapeManagerV1;

import java.util.Set;

/**
 * The cursor of Ferry's seat, shown by the host as its own pointer's cursor: a client's
 * wl_pointer.set_cursor surface becomes the host cursor surface with the client's own wl_shm
 * buffer (through {@link HostBuffers}: no copy) and its hotspot, quoted with the serial of the
 * host's last pointer enter; a wp_cursor_shape shape goes to the host's cursor-shape device
 * when the host has wp_cursor_shape_manager_v1. No cursor set: the host's default shape (or
 * none, without cursor shapes). The host draws it where its pointer is, so it moves with no
 * frame of Ferry's. A cursor buffer the host cannot take unchanged (not sealed wl_shm, a
 * format the host lacks) is left to the scene, which composes it.
 */
final class HostCursor implements Seat.CursorSink {
    private final HostSeat hostSeat;
    private final HostBuffers buffers;
    private final Set<Integer> hostShmFormats;
    private final Proxy surface;
    private final Proxy shapeManager;
    private Proxy shapeDevice;
    private Proxy shapeDeviceOf;
    private Seat.Cursor current;
    private ClientBuffer shown;
    private long forwarded;

    HostCursor(HostSeat hostSeat, Proxy compositor, HostBuffers buffers, Set<Integer> hostShmFormats, Proxy shapeManager) {
        this.hostSeat = hostSeat;
        this.buffers = buffers;
        this.hostShmFormats = hostShmFormats;
        this.shapeManager = shapeManager;
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
            if (hidden || device == null) WlPointer.setCursor(pointer, serial, null, 0, 0);
            else WpCursorShapeDeviceV1.setShape(device, serial, shape);
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

    private Proxy shapeDevice(Proxy pointer) {
        if (shapeManager == null) return null;
        if (shapeDeviceOf != pointer) {
            shapeDevice = WpCursorShapeManagerV1.getPointer(shapeManager, pointer);
            shapeDeviceOf = pointer;
        }
        return shapeDevice;
    }

    void close(boolean hostAlive) {
        if (!hostAlive) return;
        if (shapeDevice != null) WpCursorShapeDeviceV1.destroy(shapeDevice);
        WlSurface.destroy(surface);
    }
}
