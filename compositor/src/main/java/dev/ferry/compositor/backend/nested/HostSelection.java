package dev.ferry.compositor.backend.nested;

import dev.ferry.compositor.seat.Selection;
import dev.ferry.posix.OwnedFd;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.server.Client;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One selection of Ferry's seat (the clipboard, or the primary selection) shared with the host's,
 * both ways, so nested Ferry's clients and the host's other applications copy and paste between
 * each other. The data never passes through Ferry: each paste hands the paster's fd to the
 * owner, across the host connection.
 *
 * <p>Inside to the host: when an inner client sets the selection, Ferry sets a host source with
 * the same types, quoting the host serial of the input event the inner client's serial came from
 * ({@link HostSerials}); the host asking that source passes the host's fd on to the inner client.
 *
 * <p>The host to inside: the host offers its selection to Ferry while Ferry's window has the
 * host's keyboard focus; Ferry makes it the inner selection ({@link HostOffer}), and an inner
 * paste passes the inner client's fd on to the host's offer. While Ferry's own source is the
 * host's selection, the host's selection events are about that source and are not taken in
 * (that would cancel the inner client's source with a copy of itself); once the host cancels it
 * (another host client copied), the next one is.
 */
final class HostSelection implements Selection.ChangeListener, HostSelectionWire.Events {
    private final Selection selection;
    private final HostSerials serials;
    private final HostSelectionWire wire;
    private final Proxy device;
    /** The host source standing for the inner selection, or null. */
    private Proxy hostSource;
    private Selection.Source hostSourceFor;
    /** Types of the host's offers not yet named by a selection event (or not yet destroyed). */
    private final Map<Proxy, List<String>> offerTypes = new IdentityHashMap<>();
    private long forwarded;
    private long taken;
    private int lastHostSerial = HostSerials.UNKNOWN;

    HostSelection(Selection selection, HostSerials serials, HostSelectionWire wire, Proxy hostSeat) {
        this.selection = selection;
        this.serials = serials;
        this.wire = wire;
        // At once: the host offers its selection only to a client with a device when focus comes.
        this.device = wire.device(hostSeat, this);
        selection.addChangeListener(this);
    }

    /** Inner selections handed to the host so far. */
    long forwarded() { return forwarded; }

    /** Host selections taken in as the inner selection so far. */
    long taken() { return taken; }

    /** The host serial the last one handed on quoted (UNKNOWN before any). */
    int lastHostSerial() { return lastHostSerial; }

    // ---- inside to the host ----

    @Override
    public void changed(Selection.Source now, int serial) {
        if (now instanceof HostOffer) return; // the host's own selection, taken in: nothing to hand back
        dropHostSource();
        if (now == null) return;
        int hostSerial = serials.hostSerialFor(serial);
        // Before any host input there is nothing the host would take the selection for.
        if (hostSerial == HostSerials.UNKNOWN) return;
        hostSource = wire.source(now.mimeTypes(), this);
        hostSourceFor = now;
        wire.setSelection(device, hostSource, hostSerial);
        lastHostSerial = hostSerial;
        forwarded++;
    }

    @Override
    public void send(Proxy source, String mimeType, OwnedFd fd) {
        try (fd) {
            // The host pastes what is the inner selection now; a stale source asks nobody.
            if (source == hostSource) selection.receive(hostSourceFor, mimeType, fd);
        }
    }

    @Override
    public void cancelled(Proxy source) {
        // Another host client took the host's selection; the inner one stays until the host's comes in.
        if (source == hostSource) {
            hostSource = null;
            hostSourceFor = null;
        }
        wire.destroySource(source);
    }

    private void dropHostSource() {
        if (hostSource == null) return;
        wire.destroySource(hostSource);
        hostSource = null;
        hostSourceFor = null;
    }

    // ---- the host to inside ----

    @Override
    public void offerType(Proxy offer, String mimeType) {
        List<String> types = offerTypes.computeIfAbsent(offer, o -> new ArrayList<>(4));
        if (!types.contains(mimeType)) types.add(mimeType);
    }

    @Override
    public void selection(Proxy offer) {
        List<String> types = offer == null ? null : offerTypes.remove(offer);
        // Offers announced but not named (a selection that changed again at once) are of no use.
        for (Proxy stale : offerTypes.keySet()) wire.destroyOffer(stale);
        offerTypes.clear();
        if (hostSource != null) {
            // Ferry's own source, offered back: the inner selection is already what the host holds.
            if (offer != null) wire.destroyOffer(offer);
            return;
        }
        if (offer == null) {
            if (selection.current() instanceof HostOffer) selection.set(null, 0);
            return;
        }
        taken++;
        selection.set(new HostOffer(offer, types == null ? List.of() : List.copyOf(types)), 0);
    }

    /** The host's selection as a source of the inner one: a paste inside reads the host's offer. */
    private final class HostOffer implements Selection.Source {
        private final Proxy offer;
        private final List<String> mimeTypes;
        private boolean gone;

        HostOffer(Proxy offer, List<String> mimeTypes) {
            this.offer = offer;
            this.mimeTypes = mimeTypes;
        }

        /** No inner client: the host holds it. */
        @Override public Client client() { return null; }
        @Override public List<String> mimeTypes() { return mimeTypes; }

        @Override
        public void send(String mimeType, OwnedFd fd) {
            if (!gone) wire.receive(offer, mimeType, fd);
        }

        @Override
        public void cancelled() {
            if (gone) return;
            gone = true;
            wire.destroyOffer(offer);
        }
    }

    void close(boolean hostAlive) {
        if (!hostAlive) return;
        dropHostSource();
        if (selection.current() instanceof HostOffer h) h.cancelled();
        for (Proxy o : offerTypes.keySet()) wire.destroyOffer(o);
        offerTypes.clear();
        wire.releaseDevice(device);
    }
}
