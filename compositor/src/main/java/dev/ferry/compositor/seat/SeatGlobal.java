package dev.ferry.compositor.seat;

import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.WlDataDevice;
import dev.ferry.protocol.interfaces.WlDataDeviceManager;
import dev.ferry.protocol.interfaces.WlDataSource;
import dev.ferry.protocol.interfaces.WlSeat;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

/**
 * wl_seat with no input devices yet (Ferry's outputs are headless or fake), and a data device
 * manager that accepts sources and devices but never offers data: enough for toolkits that
 * insist on binding them.
 */
public final class SeatGlobal implements WlSeat.Requests {
    public static final int VERSION = 9;

    public SeatGlobal(Display display) {
        display.addGlobal(WlSeat.INTERFACE, VERSION, (client, version, id) -> {
            Resource r = client.createResource(id, WlSeat.INTERFACE, version, this);
            WlSeat.sendCapabilities(r, 0);
            if (version >= 2) WlSeat.sendName(r, "seat0");
        });
        DataDeviceManager ddm = new DataDeviceManager();
        display.addGlobal(WlDataDeviceManager.INTERFACE, 3,
                (client, version, id) -> client.createResource(id, WlDataDeviceManager.INTERFACE, version, ddm));
    }

    private static ProtocolException missing(Resource self, String what) {
        return new ProtocolException(self.id(), WlSeat.ERROR_MISSING_CAPABILITY, "seat0 has no " + what);
    }

    @Override public void getPointer(Resource self, int id) { throw missing(self, "pointer"); }
    @Override public void getKeyboard(Resource self, int id) { throw missing(self, "keyboard"); }
    @Override public void getTouch(Resource self, int id) { throw missing(self, "touch"); }
    @Override public void release(Resource self) {}

    private static final class DataDeviceManager implements WlDataDeviceManager.Requests {
        private static final WlDataSource.Requests SOURCE = new WlDataSource.Requests() {
            @Override public void offer(Resource self, String mimeType) {}
            @Override public void destroy(Resource self) {}
            @Override public void setActions(Resource self, int dndActions) {}
        };
        private static final WlDataDevice.Requests DEVICE = new WlDataDevice.Requests() {
            @Override public void startDrag(Resource self, Resource source, Resource origin, Resource icon, int serial) {}
            @Override public void setSelection(Resource self, Resource source, int serial) {}
            @Override public void release(Resource self) {}
        };

        @Override
        public void createDataSource(Resource self, int id) {
            self.client().createResource(id, WlDataSource.INTERFACE, self.version(), SOURCE);
        }

        @Override
        public void getDataDevice(Resource self, int id, Resource seat) {
            self.client().createResource(id, WlDataDevice.INTERFACE, self.version(), DEVICE);
        }
    }
}
