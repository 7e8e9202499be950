package dev.ferry.compositor.xdgoutput;

import dev.ferry.compositor.output.Output;
import dev.ferry.protocol.interfaces.WlOutput;
import dev.ferry.protocol.interfaces.ZxdgOutputManagerV1;
import dev.ferry.protocol.interfaces.ZxdgOutputV1;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

/**
 * zxdg_output_manager_v1: each output's place and size in the layout. Ferry's outputs have
 * scale 1 and no transform, so the logical size is the mode; the description is sent once,
 * at creation (outputs that change mode are withdrawn and advertised again).
 */
public final class XdgOutputGlobal implements ZxdgOutputManagerV1.Requests {
    public static final int VERSION = 3;

    public XdgOutputGlobal(Display display) {
        display.addGlobal(ZxdgOutputManagerV1.INTERFACE, VERSION,
                (client, version, id) -> client.createResource(id, ZxdgOutputManagerV1.INTERFACE, version, this));
    }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void getXdgOutput(Resource self, int id, Resource outputRes) {
        Resource r = self.client().createResource(id, ZxdgOutputV1.INTERFACE, self.version(), INERT);
        Output o = outputRes.implementation(Output.class);
        if (o == null) return;
        ZxdgOutputV1.sendLogicalPosition(r, o.x(), o.y());
        ZxdgOutputV1.sendLogicalSize(r, o.width(), o.height());
        if (r.version() >= 2) {
            ZxdgOutputV1.sendName(r, o.name());
            ZxdgOutputV1.sendDescription(r, o.description());
        }
        // From version 3 the batch ends with wl_output.done instead of xdg_output.done.
        if (r.version() >= 3) {
            if (outputRes.version() >= 2) WlOutput.sendDone(outputRes);
        } else {
            ZxdgOutputV1.sendDone(r);
        }
    }

    private static final ZxdgOutputV1.Requests INERT = self -> {};
}
