package dev.ferry.compositor.seat;

import dev.ferry.compositor.core.Surface;
import dev.ferry.posix.OwnedFd;
import dev.ferry.protocol.server.Client;
import dev.ferry.protocol.server.Resource;

import java.util.ArrayList;
import java.util.List;

/**
 * One selection of the seat (the clipboard of wl_data_device, or the primary selection): the
 * source that holds it now and the devices it is offered to. The data itself never passes
 * through Ferry: a paste hands the pasting client's fd to the source's client, which writes
 * into it. Only the client with keyboard focus is offered the selection, when it gets focus
 * and whenever the selection changes while it has it. Both protocols plug in through the two
 * interfaces below.
 */
public final class Selection implements Seat.FocusListener {
    /** What a client offers: its types, and writing the data in one of them to an fd. */
    public interface Source {
        Client client();

        List<String> mimeTypes();

        /** Asks the source's client to write the data as mimeType into fd (the event takes a duplicate). */
        void send(String mimeType, OwnedFd fd);

        /** The source is no longer the selection. */
        void cancelled();
    }

    /** The part every protocol's source has alike: its client and the types it offered, in order. */
    public abstract static class OfferedTypes implements Source {
        private final Resource resource;
        private final List<String> mimeTypes = new ArrayList<>(4);

        protected OfferedTypes(Resource resource) {
            this.resource = resource;
        }

        protected Resource resource() { return resource; }

        /** The source's offer request: one type more (a repeated one is ignored). */
        protected void addType(String mimeType) {
            if (!mimeTypes.contains(mimeType)) mimeTypes.add(mimeType);
        }

        @Override public Client client() { return resource.client(); }
        @Override public List<String> mimeTypes() { return mimeTypes; }
    }

    /** A client's device: offers it the selection (null: there is none). */
    public interface Device {
        Client client();

        void offer(Source source);
    }

    /** Told when the selection changes (nested Ferry hands an inner client's selection on to the host). */
    public interface ChangeListener {
        /** @param now the source now (null: none); @param serial the serial its client's request quoted (0 when it went) */
        void changed(Source now, int serial);
    }

    private final Seat seat;
    private final List<Device> devices = new ArrayList<>();
    private final List<ChangeListener> listeners = new ArrayList<>(1);
    private Source current;

    public Selection(Seat seat) {
        this.seat = seat;
        seat.addFocusListener(this);
    }

    public Source current() { return current; }

    public void addChangeListener(ChangeListener l) {
        listeners.add(l);
    }

    /** A client sets the selection (null clears it), quoting serial; the old source is cancelled. */
    public void set(Source source, int serial) {
        if (source == current) return;
        Source old = current;
        current = source;
        if (old != null) old.cancelled();
        offerToFocused();
        for (int i = 0; i < listeners.size(); i++) listeners.get(i).changed(source, serial);
    }

    /** A source was destroyed: if it held the selection, there is none now. */
    public void sourceGone(Source source) {
        if (source != current) return;
        current = null;
        offerToFocused();
        for (int i = 0; i < listeners.size(); i++) listeners.get(i).changed(null, 0);
    }

    public void addDevice(Device d) {
        devices.add(d);
        Surface f = seat.keyboardFocus();
        if (f != null && f.resource().client() == d.client()) d.offer(current);
    }

    public void removeDevice(Device d) {
        devices.remove(d);
    }

    /** Reads the selection's data with the source's client: the fd reaches it unchanged. */
    public boolean receive(Source from, String mimeType, OwnedFd fd) {
        if (from != current || !from.mimeTypes().contains(mimeType)) return false;
        from.send(mimeType, fd);
        return true;
    }

    @Override
    public void keyboardFocus(Surface old, Surface now) {
        if (now != null && (old == null || old.resource().client() != now.resource().client())) offerTo(now.resource().client());
    }

    private void offerToFocused() {
        Surface f = seat.keyboardFocus();
        if (f != null) offerTo(f.resource().client());
    }

    private void offerTo(Client c) {
        for (Device d : List.copyOf(devices)) if (d.client() == c) d.offer(current);
    }
}
