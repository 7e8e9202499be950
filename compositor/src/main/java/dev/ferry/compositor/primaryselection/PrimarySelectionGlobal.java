package dev.ferry.compositor.primaryselection;

import dev.ferry.compositor.seat.Seat;
import dev.ferry.compositor.seat.Selection;
import dev.ferry.posix.OwnedFd;
import dev.ferry.protocol.interfaces.ZwpPrimarySelectionDeviceManagerV1;
import dev.ferry.protocol.interfaces.ZwpPrimarySelectionDeviceV1;
import dev.ferry.protocol.interfaces.ZwpPrimarySelectionOfferV1;
import dev.ferry.protocol.interfaces.ZwpPrimarySelectionSourceV1;
import dev.ferry.protocol.server.Client;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;


/** zwp_primary_selection_device_manager_v1: the middle-click selection, a second {@link Selection} of the seat. */
public final class PrimarySelectionGlobal implements ZwpPrimarySelectionDeviceManagerV1.Requests {
    public static final int VERSION = 1;

    private final Selection primary;

    public PrimarySelectionGlobal(Display display, Seat seat) {
        this.primary = new Selection(seat);
        display.addGlobal(ZwpPrimarySelectionDeviceManagerV1.INTERFACE, VERSION,
                (client, version, id) -> client.createResource(id, ZwpPrimarySelectionDeviceManagerV1.INTERFACE, version, this));
    }

    public Selection primary() { return primary; }

    @Override
    public void createSource(Resource self, int id) {
        Resource r = self.client().createResource(id, ZwpPrimarySelectionSourceV1.INTERFACE, self.version(), null);
        r.setImplementation(new Source(r));
    }

    @Override
    public void getDevice(Resource self, int id, Resource seat) {
        Resource r = self.client().createResource(id, ZwpPrimarySelectionDeviceV1.INTERFACE, self.version(), null);
        Device d = new Device(r);
        r.setImplementation(d);
        primary.addDevice(d);
    }

    @Override
    public void destroy(Resource self) {}

    private final class Source extends Selection.OfferedTypes implements ZwpPrimarySelectionSourceV1.Requests, Resource.DestroyListener {
        Source(Resource resource) {
            super(resource);
        }

        @Override public void offer(Resource self, String mimeType) { addType(mimeType); }
        @Override public void destroy(Resource self) {}
        @Override public void send(String mimeType, OwnedFd fd) { ZwpPrimarySelectionSourceV1.sendSend(resource(), mimeType, fd); }
        @Override public void cancelled() { ZwpPrimarySelectionSourceV1.sendCancelled(resource()); }
        @Override public void destroyed(Resource r) { primary.sourceGone(this); }
    }

    private final class Device implements ZwpPrimarySelectionDeviceV1.Requests, Selection.Device, Resource.DestroyListener {
        private final Resource resource;

        Device(Resource resource) {
            this.resource = resource;
        }

        @Override
        public void setSelection(Resource self, Resource sourceRes, int serial) {
            primary.set(sourceRes == null ? null : sourceRes.implementation(Source.class), serial);
        }

        @Override public void destroy(Resource self) {}
        @Override public Client client() { return resource.client(); }
        @Override public void destroyed(Resource r) { primary.removeDevice(this); }

        @Override
        public void offer(Selection.Source source) {
            if (source == null) {
                ZwpPrimarySelectionDeviceV1.sendSelection(resource, null);
                return;
            }
            Resource offer = resource.client().createServerResource(ZwpPrimarySelectionOfferV1.INTERFACE, resource.version(),
                    new Offer(source));
            ZwpPrimarySelectionDeviceV1.sendDataOffer(resource, offer);
            for (String m : source.mimeTypes()) ZwpPrimarySelectionOfferV1.sendOffer(offer, m);
            ZwpPrimarySelectionDeviceV1.sendSelection(resource, offer);
        }
    }

    private final class Offer implements ZwpPrimarySelectionOfferV1.Requests {
        private final Selection.Source source;

        Offer(Selection.Source source) {
            this.source = source;
        }

        @Override
        public void receive(Resource self, String mimeType, OwnedFd fd) {
            try (fd) {
                primary.receive(source, mimeType, fd);
            }
        }

        @Override public void destroy(Resource self) {}
    }
}
