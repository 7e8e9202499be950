package dev.ferry.compositor.singlepixel;

import dev.ferry.protocol.interfaces.WlBuffer;
import dev.ferry.protocol.interfaces.WpSinglePixelBufferManagerV1;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

/** wp_single_pixel_buffer_manager_v1: makes {@link SinglePixelBuffer}s. */
public final class SinglePixelBufferGlobal implements WpSinglePixelBufferManagerV1.Requests {
    public static final int VERSION = 1;

    public SinglePixelBufferGlobal(Display display) {
        display.addGlobal(WpSinglePixelBufferManagerV1.INTERFACE, VERSION,
                (client, version, id) -> client.createResource(id, WpSinglePixelBufferManagerV1.INTERFACE, version, this));
    }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void createU32RgbaBuffer(Resource self, int id, int r, int g, int b, int a) {
        Resource res = self.client().createResource(id, WlBuffer.INTERFACE, 1, null);
        res.setImplementation(new SinglePixelBuffer(res, r, g, b, a));
    }
}
