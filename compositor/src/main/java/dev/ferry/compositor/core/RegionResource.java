package dev.ferry.compositor.core;

import dev.ferry.protocol.interfaces.WlRegion;
import dev.ferry.protocol.server.Resource;

/** wl_region: a set of rectangles a client builds up, copied into surface state when used. */
public final class RegionResource implements WlRegion.Requests {
    private RectSet rects = RectSet.EMPTY;

    public RectSet rects() { return rects; }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void add(Resource self, int x, int y, int width, int height) {
        rects = rects.add(x, y, width, height);
    }

    @Override
    public void subtract(Resource self, int x, int y, int width, int height) {
        rects = rects.subtract(x, y, width, height);
    }
}
