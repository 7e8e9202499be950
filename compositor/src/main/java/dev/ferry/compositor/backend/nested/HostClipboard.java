package dev.ferry.compositor.backend.nested;

import dev.ferry.compositor.seat.Selection;
import dev.ferry.posix.OwnedFd;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlDataDevice;
import dev.ferry.protocol.interfaces.WlDataDeviceManager;
import dev.ferry.protocol.interfaces.WlDataSource;

/**
 * A copy inside nested Ferry becomes the host's clipboard too, so it can be pasted in the host's
 * other applications: when an inner client sets the selection, Ferry sets a host data source
 * with the same types, quoting the host serial of the input event the inner client's serial
 * came from ({@link HostSerials}); a paste on the host asks Ferry's source, which passes the
 * host's fd on to the inner client unchanged (the data never passes through Ferry). The other
 * way, a host selection pasted inside, is not built.
 */
final class HostClipboard implements Selection.ChangeListener {
    private final Selection clipboard;
    private final HostSerials serials;
    private final Proxy manager;
    private final Proxy hostSeat;
    private Proxy device;
    /** The host source standing for clipboard's current inner source, or null. */
    private Proxy hostSource;
    private long forwarded;
    private int lastHostSerial = HostSerials.UNKNOWN;

    HostClipboard(Selection clipboard, HostSerials serials, Proxy manager, Proxy hostSeat) {
        this.clipboard = clipboard;
        this.serials = serials;
        this.manager = manager;
        this.hostSeat = hostSeat;
        clipboard.addChangeListener(this);
    }

    /** Inner selections handed to the host so far. */
    long forwarded() { return forwarded; }

    /** The host serial the last one quoted (UNKNOWN before any). */
    int lastHostSerial() { return lastHostSerial; }

    @Override
    public void changed(Selection.Source now, int serial) {
        dropHostSource();
        if (now == null) return;
        int hostSerial = serials.hostSerialFor(serial);
        // Before any host input there is nothing the host would take the selection for.
        if (hostSerial == HostSerials.UNKNOWN) return;
        if (device == null) device = WlDataDeviceManager.getDataDevice(manager, hostSeat);
        Proxy source = WlDataDeviceManager.createDataSource(manager);
        for (String type : now.mimeTypes()) WlDataSource.offer(source, type);
        source.listen(new WlDataSource.Listener() {
            @Override
            public void send(Proxy self, String mimeType, OwnedFd fd) {
                try (fd) {
                    // The host pastes what is the inner selection now; a stale source asks nobody.
                    if (self == hostSource) clipboard.receive(now, mimeType, fd);
                }
            }

            @Override
            public void cancelled(Proxy self) {
                // Another host client took the host's selection; the inner one stays as it is.
                if (self == hostSource) hostSource = null;
                WlDataSource.destroy(self);
            }
        });
        WlDataDevice.setSelection(device, source, hostSerial);
        hostSource = source;
        lastHostSerial = hostSerial;
        forwarded++;
    }

    private void dropHostSource() {
        if (hostSource == null) return;
        WlDataSource.destroy(hostSource);
        hostSource = null;
    }

    void close(boolean hostAlive) {
        if (!hostAlive) return;
        dropHostSource();
        if (device != null) WlDataDevice.release(device);
    }
}
