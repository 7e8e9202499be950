package dev.ferry.compositor.fractionalscale;

import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.WpFractionalScaleManagerV1;
import dev.ferry.protocol.interfaces.WpFractionalScaleV1;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

import java.util.IdentityHashMap;
import java.util.Map;

/** wp_fractional_scale_manager_v1: every Ferry output has scale 1, so each surface is told 120/120 once. */
public final class FractionalScaleGlobal implements WpFractionalScaleManagerV1.Requests {
    public static final int VERSION = 1;
    /** The protocol's denominator: a preferred scale of 120 is scale 1. */
    public static final int SCALE_ONE = 120;

    private final Map<Surface, Resource> scales = new IdentityHashMap<>();

    public FractionalScaleGlobal(Display display, Scene scene) {
        display.addGlobal(WpFractionalScaleManagerV1.INTERFACE, VERSION,
                (client, version, id) -> client.createResource(id, WpFractionalScaleManagerV1.INTERFACE, version, this));
        scene.onSurfaceDestroyed(scales::remove);
    }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void getFractionalScale(Resource self, int id, Resource surfaceRes) {
        Surface s = surfaceRes.implementation(Surface.class);
        if (scales.containsKey(s)) {
            throw new ProtocolException(self.id(), WpFractionalScaleManagerV1.ERROR_FRACTIONAL_SCALE_EXISTS,
                    surfaceRes + " has a fractional scale object already");
        }
        Resource r = self.client().createResource(id, WpFractionalScaleV1.INTERFACE, self.version(), new Scale(s));
        scales.put(s, r);
        WpFractionalScaleV1.sendPreferredScale(r, SCALE_ONE);
    }

    private final class Scale implements WpFractionalScaleV1.Requests, Resource.DestroyListener {
        private final Surface surface;

        Scale(Surface surface) {
            this.surface = surface;
        }

        @Override public void destroy(Resource self) {}
        @Override public void destroyed(Resource r) { scales.remove(surface, r); }
    }
}
