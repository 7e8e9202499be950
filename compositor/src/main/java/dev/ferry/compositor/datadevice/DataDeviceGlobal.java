package dev.ferry.compositor.datadevice;

import dev.ferry.compositor.seat.Seat;
import dev.ferry.compositor.seat.Selection;
import dev.ferry.posix.OwnedFd;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.WlDataDevice;
import dev.ferry.protocol.interfaces.WlDataDeviceManager;
import dev.ferry.protocol.interfaces.WlDataOffer;
import dev.ferry.protocol.interfaces.WlDataSource;
import dev.ferry.protocol.server.Client;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;


/**
 * wl_data_device_manager: copy and paste between clients through the seat's clipboard
 * {@link Selection}. Drag and drop is not offered: a drag is cancelled at once, so the client
 * ends it cleanly.
 */
public final class DataDeviceGlobal implements WlDataDeviceManager.Requests {
    public static final int VERSION = 3;

    private final Selection clipboard;

    public DataDeviceGlobal(Display display, Seat seat) {
        this.clipboard = new Selection(seat);
        display.addGlobal(WlDataDeviceManager.INTERFACE, VERSION,
                (client, version, id) -> client.createResource(id, WlDataDeviceManager.INTERFACE, version, this));
    }

    public Selection clipboard() { return clipboard; }

    private static final int ALL_ACTIONS = WlDataDeviceManager.DND_ACTION_COPY | WlDataDeviceManager.DND_ACTION_MOVE
            | WlDataDeviceManager.DND_ACTION_ASK;

    /** dnd_actions may hold only copy, move and ask. */
    private static void checkActionMask(Resource self, int actions, int code) {
        if ((actions & ~ALL_ACTIONS) != 0) {
            throw new ProtocolException(self.id(), code, "dnd actions 0x" + Integer.toHexString(actions)
                    + " hold bits other than copy, move and ask");
        }
    }

    @Override
    public void createDataSource(Resource self, int id) {
        Resource r = self.client().createResource(id, WlDataSource.INTERFACE, self.version(), null);
        r.setImplementation(new Source(r));
    }

    @Override
    public void getDataDevice(Resource self, int id, Resource seat) {
        Resource r = self.client().createResource(id, WlDataDevice.INTERFACE, self.version(), null);
        Device d = new Device(r);
        r.setImplementation(d);
        clipboard.addDevice(d);
    }

    private final class Source extends Selection.OfferedTypes implements WlDataSource.Requests, Resource.DestroyListener {
        private boolean used;

        Source(Resource resource) {
            super(resource);
        }

        @Override public void offer(Resource self, String mimeType) { addType(mimeType); }
        @Override public void destroy(Resource self) {}
        @Override
        public void setActions(Resource self, int dndActions) {
            checkActionMask(self, dndActions, WlDataSource.ERROR_INVALID_ACTION_MASK);
        }

        @Override public void send(String mimeType, OwnedFd fd) { WlDataSource.sendSend(resource(), mimeType, fd); }
        @Override public void cancelled() { WlDataSource.sendCancelled(resource()); }
        @Override public void destroyed(Resource r) { clipboard.sourceGone(this); }
    }

    private final class Device implements WlDataDevice.Requests, Selection.Device, Resource.DestroyListener {
        private final Resource resource;

        Device(Resource resource) {
            this.resource = resource;
        }

        @Override
        public void startDrag(Resource self, Resource source, Resource origin, Resource icon, int serial) {
            if (source != null) WlDataSource.sendCancelled(source);
        }

        @Override
        public void setSelection(Resource self, Resource sourceRes, int serial) {
            Source s = sourceRes == null ? null : sourceRes.implementation(Source.class);
            if (s != null && s.used) {
                throw new ProtocolException(self.id(), WlDataDevice.ERROR_USED_SOURCE, sourceRes + " was set as the selection before");
            }
            if (s != null) s.used = true;
            clipboard.set(s, serial);
        }

        @Override public void release(Resource self) {}
        @Override public Client client() { return resource.client(); }
        @Override public void destroyed(Resource r) { clipboard.removeDevice(this); }

        @Override
        public void offer(Selection.Source source) {
            if (source == null) {
                WlDataDevice.sendSelection(resource, null);
                return;
            }
            Resource offer = resource.client().createServerResource(WlDataOffer.INTERFACE, resource.version(), new Offer(source));
            WlDataDevice.sendDataOffer(resource, offer);
            for (String m : source.mimeTypes()) WlDataOffer.sendOffer(offer, m);
            WlDataDevice.sendSelection(resource, offer);
        }
    }

    /** The selection as one client was offered it; a receive after the selection moved on is ignored. */
    private final class Offer implements WlDataOffer.Requests {
        private final Selection.Source source;

        Offer(Selection.Source source) {
            this.source = source;
        }

        @Override
        public void receive(Resource self, String mimeType, OwnedFd fd) {
            try (fd) {
                clipboard.receive(source, mimeType, fd);
            }
        }

        @Override public void accept(Resource self, int serial, String mimeType) {}
        @Override public void destroy(Resource self) {}
        @Override public void finish(Resource self) {}
        @Override
        public void setActions(Resource self, int dndActions, int preferredAction) {
            checkActionMask(self, dndActions, WlDataOffer.ERROR_INVALID_ACTION_MASK);
            if (Integer.bitCount(preferredAction) > 1 || (preferredAction & ~ALL_ACTIONS) != 0 || (preferredAction & ~dndActions) != 0) {
                throw new ProtocolException(self.id(), WlDataOffer.ERROR_INVALID_ACTION,
                        "preferred action " + preferredAction + " is not one action of " + dndActions);
            }
            // Every offer Ferry makes is a selection (drags are cancelled), and actions are for drags only.
            throw new ProtocolException(self.id(), WlDataOffer.ERROR_INVALID_OFFER, "set_actions on a selection offer, not a drag-and-drop one");
        }
    }
}
