package dev.ferry.compositor.backend.nested;

import dev.ferry.posix.OwnedFd;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlDataDevice;
import dev.ferry.protocol.interfaces.WlDataDeviceManager;
import dev.ferry.protocol.interfaces.WlDataOffer;
import dev.ferry.protocol.interfaces.WlDataSource;
import dev.ferry.protocol.interfaces.ZwpPrimarySelectionDeviceManagerV1;
import dev.ferry.protocol.interfaces.ZwpPrimarySelectionDeviceV1;
import dev.ferry.protocol.interfaces.ZwpPrimarySelectionOfferV1;
import dev.ferry.protocol.interfaces.ZwpPrimarySelectionSourceV1;

import java.util.List;

/**
 * One of the host's selection protocols as {@link HostSelection} speaks it: wl_data_device_manager
 * (the clipboard) or zwp_primary_selection_device_manager_v1 (the primary selection). The two
 * have the same shape (a device per seat, sources that offer types and are asked to send, offers
 * that are read by receive), so the forwarding is written once and only the requests differ.
 */
interface HostSelectionWire {
    /** What the host tells {@link HostSelection}. */
    interface Events {
        /** A new host offer is one of these types (told before the selection event that names it). */
        void offerType(Proxy offer, String mimeType);

        /** The host's selection is now this offer (null: none). */
        void selection(Proxy offer);

        /** The host asks Ferry's source for its data as mimeType, written into fd. */
        void send(Proxy source, String mimeType, OwnedFd fd);

        /** Ferry's source is no longer the host's selection. */
        void cancelled(Proxy source);
    }

    /** The host's device on its seat, telling events its selections. */
    Proxy device(Proxy hostSeat, Events events);

    /** A host source offering these types, telling events what the host asks of it. */
    Proxy source(List<String> mimeTypes, Events events);

    void setSelection(Proxy device, Proxy source, int serial);

    void destroySource(Proxy source);

    /** Asks the host's selection owner to write offer's data as mimeType into fd (the request takes a duplicate). */
    void receive(Proxy offer, String mimeType, OwnedFd fd);

    void destroyOffer(Proxy offer);

    void releaseDevice(Proxy device);

    /** wl_data_device_manager (version 3). */
    static HostSelectionWire clipboard(Proxy manager) {
        return new HostSelectionWire() {
            @Override
            public Proxy device(Proxy hostSeat, Events events) {
                Proxy d = WlDataDeviceManager.getDataDevice(manager, hostSeat);
                d.listen(new WlDataDevice.Listener() {
                    @Override
                    public void dataOffer(Proxy self, Proxy offer) {
                        offer.listen(new WlDataOffer.Listener() {
                            @Override
                            public void offer(Proxy o, String mimeType) {
                                events.offerType(o, mimeType);
                            }
                        });
                    }

                    @Override
                    public void selection(Proxy self, Proxy offer) {
                        events.selection(offer);
                    }
                });
                return d;
            }

            @Override
            public Proxy source(List<String> mimeTypes, Events events) {
                Proxy s = WlDataDeviceManager.createDataSource(manager);
                for (String t : mimeTypes) WlDataSource.offer(s, t);
                s.listen(new WlDataSource.Listener() {
                    @Override
                    public void send(Proxy self, String mimeType, OwnedFd fd) {
                        events.send(self, mimeType, fd);
                    }

                    @Override
                    public void cancelled(Proxy self) {
                        events.cancelled(self);
                    }
                });
                return s;
            }

            @Override public void setSelection(Proxy device, Proxy source, int serial) { WlDataDevice.setSelection(device, source, serial); }
            @Override public void destroySource(Proxy source) { WlDataSource.destroy(source); }
            @Override public void receive(Proxy offer, String mimeType, OwnedFd fd) { WlDataOffer.receive(offer, mimeType, fd); }
            @Override public void destroyOffer(Proxy offer) { WlDataOffer.destroy(offer); }
            @Override public void releaseDevice(Proxy device) { WlDataDevice.release(device); }
            @Override public String toString() { return "the clipboard"; }
        };
    }

    /** zwp_primary_selection_device_manager_v1. */
    static HostSelectionWire primary(Proxy manager) {
        return new HostSelectionWire() {
            @Override
            public Proxy device(Proxy hostSeat, Events events) {
                Proxy d = ZwpPrimarySelectionDeviceManagerV1.getDevice(manager, hostSeat);
                d.listen(new ZwpPrimarySelectionDeviceV1.Listener() {
                    @Override
                    public void dataOffer(Proxy self, Proxy offer) {
                        offer.listen(new ZwpPrimarySelectionOfferV1.Listener() {
                            @Override
                            public void offer(Proxy o, String mimeType) {
                                events.offerType(o, mimeType);
                            }
                        });
                    }

                    @Override
                    public void selection(Proxy self, Proxy offer) {
                        events.selection(offer);
                    }
                });
                return d;
            }

            @Override
            public Proxy source(List<String> mimeTypes, Events events) {
                Proxy s = ZwpPrimarySelectionDeviceManagerV1.createSource(manager);
                for (String t : mimeTypes) ZwpPrimarySelectionSourceV1.offer(s, t);
                s.listen(new ZwpPrimarySelectionSourceV1.Listener() {
                    @Override
                    public void send(Proxy self, String mimeType, OwnedFd fd) {
                        events.send(self, mimeType, fd);
                    }

                    @Override
                    public void cancelled(Proxy self) {
                        events.cancelled(self);
                    }
                });
                return s;
            }

            @Override public void setSelection(Proxy device, Proxy source, int serial) { ZwpPrimarySelectionDeviceV1.setSelection(device, source, serial); }
            @Override public void destroySource(Proxy source) { ZwpPrimarySelectionSourceV1.destroy(source); }
            @Override public void receive(Proxy offer, String mimeType, OwnedFd fd) { ZwpPrimarySelectionOfferV1.receive(offer, mimeType, fd); }
            @Override public void destroyOffer(Proxy offer) { ZwpPrimarySelectionOfferV1.destroy(offer); }
            @Override public void releaseDevice(Proxy device) { ZwpPrimarySelectionDeviceV1.destroy(device); }
            @Override public String toString() { return "the primary selection"; }
        };
    }
}
