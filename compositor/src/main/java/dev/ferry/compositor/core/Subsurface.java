package dev.ferry.compositor.core;

import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.WlSubsurface;
import dev.ferry.protocol.server.Resource;

/**
 * The subsurface role: a surface drawn relative to its parent, in the parent's stack.
 * Synchronized (the default) means its commits are cached and take effect with the parent's
 * next commit; a subsurface is effectively synchronized if any ancestor is.
 */
public final class Subsurface implements SurfaceRole, WlSubsurface.Requests, Resource.DestroyListener {
    private final Surface surface;
    private Surface parent;
    private boolean synchronizedMode = true;
    private int x, y, pendingX, pendingY;

    Subsurface(Surface surface, Surface parent) {
        this.surface = surface;
        this.parent = parent;
    }

    @Override public String roleName() { return "wl_subsurface"; }

    public Surface surface() { return surface; }
    public Surface parent() { return parent; }
    public int x() { return x; }
    public int y() { return y; }

    public boolean effectivelySynchronized() {
        if (synchronizedMode) return true;
        Surface p = parent;
        while (p != null) {
            Subsurface ps = p.asSubsurface();
            if (ps == null) return false;
            if (ps.synchronizedMode) return true;
            p = ps.parent;
        }
        return false;
    }

    /** Applies set_position; true if the subsurface moved. */
    boolean applyPendingPosition() {
        boolean moved = x != pendingX || y != pendingY;
        x = pendingX;
        y = pendingY;
        return moved;
    }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void setPosition(Resource self, int nx, int ny) {
        pendingX = nx;
        pendingY = ny;
    }

    @Override
    public void placeAbove(Resource self, Resource sibling) {
        restack(self, sibling, true);
    }

    @Override
    public void placeBelow(Resource self, Resource sibling) {
        restack(self, sibling, false);
    }

    private void restack(Resource self, Resource sibling, boolean above) {
        Surface s = sibling.implementation(Surface.class);
        if (parent == null || s == null || s == surface || !parent.restack(surface, s, above)) {
            throw new ProtocolException(self.id(), WlSubsurface.ERROR_BAD_SURFACE,
                    sibling + " is neither the parent nor a sibling of " + surface);
        }
    }

    @Override
    public void setSync(Resource self) {
        synchronizedMode = true;
    }

    @Override
    public void setDesync(Resource self) {
        boolean was = effectivelySynchronized();
        synchronizedMode = false;
        // Leaving synchronized mode applies whatever was cached, as if committed now.
        if (was && !effectivelySynchronized()) surface.commitCached();
    }

    @Override
    public void destroyed(Resource r) {
        detach();
    }

    @Override
    public void surfaceDestroyed(Surface s) {
        detach();
    }

    /** The parent went away: the subsurface is unmapped until a new role is made. */
    void parentDestroyed() {
        parent = null;
    }

    private void detach() {
        if (parent != null) parent.removeSubsurface(surface);
        parent = null;
        surface.clearRole(this);
    }
}
