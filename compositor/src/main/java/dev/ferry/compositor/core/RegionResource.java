package dev.ferry.compositor.core;

import dev.ferry.protocol.interfaces.WlRegion;
import dev.ferry.protocol.server.ClientLimits;
import dev.ferry.protocol.server.Resource;

/**
 * wl_region: a set of rectangles a client builds up, copied into surface state when used. Its
 * rectangles count against the client's region-rects limit as they are made, and are given
 * back when the region is destroyed (what a surface took from it is an immutable copy).
 */
public final class RegionResource implements WlRegion.Requests, Resource.DestroyListener {
    private final BandedRects rects = new BandedRects();
    /** What this region has counted against its client's limit. */
    private int charged;

    public RectSet rects() { return rects.toRectSet(); }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void add(Resource self, int x, int y, int width, int height) {
        rects.add(x, y, width, height);
        recount(self);
    }

    @Override
    public void subtract(Resource self, int x, int y, int width, int height) {
        rects.subtract(x, y, width, height);
        recount(self);
    }

    private void recount(Resource self) {
        int now = rects.count();
        if (now > charged) {
            self.client().charge(ClientLimits.Kind.REGION_RECTS, now - charged);
        } else if (now < charged) {
            self.client().release(ClientLimits.Kind.REGION_RECTS, charged - now);
        }
        charged = now;
    }

    @Override
    public void destroyed(Resource resource) {
        resource.client().release(ClientLimits.Kind.REGION_RECTS, charged);
        charged = 0;
    }
}
