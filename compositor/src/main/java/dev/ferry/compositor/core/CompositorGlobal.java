package dev.ferry.compositor.core;

import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlRegion;
import dev.ferry.protocol.interfaces.WlSubcompositor;
import dev.ferry.protocol.interfaces.WlSubsurface;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

/** wl_compositor (surfaces, regions) and wl_subcompositor (subsurfaces). */
public final class CompositorGlobal implements WlCompositor.Requests {
    public static final int VERSION = 6;

    private final Surface.SurfaceEvents events;

    public CompositorGlobal(Display display, Surface.SurfaceEvents events) {
        this.events = events;
        display.addGlobal(WlCompositor.INTERFACE, VERSION,
                (client, version, id) -> client.createResource(id, WlCompositor.INTERFACE, version, this));
        Subcompositor sub = new Subcompositor();
        display.addGlobal(WlSubcompositor.INTERFACE, 1,
                (client, version, id) -> client.createResource(id, WlSubcompositor.INTERFACE, version, sub));
    }

    @Override
    public void createSurface(Resource self, int id) {
        Resource r = self.client().createResource(id, WlSurface.INTERFACE, self.version(), null);
        r.setImplementation(new Surface(r, events));
    }

    @Override
    public void createRegion(Resource self, int id) {
        self.client().createResource(id, WlRegion.INTERFACE, 1, new RegionResource());
    }

    private static final class Subcompositor implements WlSubcompositor.Requests {
        @Override
        public void destroy(Resource self) {}

        @Override
        public void getSubsurface(Resource self, int id, Resource surfaceRes, Resource parentRes) {
            Surface surface = surfaceRes.implementation(Surface.class);
            Surface parent = parentRes.implementation(Surface.class);
            if (surface == parent) {
                throw new ProtocolException(self.id(), WlSubcompositor.ERROR_BAD_PARENT, surfaceRes + " cannot be its own parent");
            }
            for (Surface p = parent; p != null; p = p.asSubsurface() == null ? null : p.asSubsurface().parent()) {
                if (p == surface) {
                    throw new ProtocolException(self.id(), WlSubcompositor.ERROR_BAD_PARENT, parentRes + " is a descendant of " + surfaceRes);
                }
            }
            Subsurface role = new Subsurface(surface, parent);
            surface.setRole(role, self, WlSubcompositor.ERROR_BAD_SURFACE);
            self.client().createResource(id, WlSubsurface.INTERFACE, 1, role);
            parent.addSubsurface(surface);
        }
    }
}
