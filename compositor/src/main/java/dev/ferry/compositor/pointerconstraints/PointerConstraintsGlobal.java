package dev.ferry.compositor.pointerconstraints;

import dev.ferry.compositor.core.RectSet;
import dev.ferry.compositor.core.RegionResource;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.seat.Seat;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.WlDisplay;
import dev.ferry.protocol.interfaces.ZwpConfinedPointerV1;
import dev.ferry.protocol.interfaces.ZwpLockedPointerV1;
import dev.ferry.protocol.interfaces.ZwpPointerConstraintsV1;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * zwp_pointer_constraints_v1 on seat0: a lock keeps the pointer where it is, a confinement
 * keeps it inside a region of the surface (the bounding box of the region; the whole surface
 * without one), each while its surface has pointer focus. A constraint becomes active when the
 * pointer is on its surface (locked/confined) and inactive when focus leaves
 * (unlocked/unconfined); a oneshot one is then dead, a persistent one waits for the next time.
 */
public final class PointerConstraintsGlobal implements ZwpPointerConstraintsV1.Requests, Seat.MotionFilter {
    public static final int VERSION = 1;

    private static final int WL_DISPLAY_ID = 1;

    private final Seat seat;
    /** At most one constraint per surface (seat0 is the only seat). */
    private final Map<Surface, Constraint> bySurface = new IdentityHashMap<>();

    public PointerConstraintsGlobal(Display display, Seat seat) {
        this.seat = seat;
        display.addGlobal(ZwpPointerConstraintsV1.INTERFACE, VERSION,
                (client, version, id) -> client.createResource(id, ZwpPointerConstraintsV1.INTERFACE, version, this));
        seat.addMotionFilter(this);
    }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void lockPointer(Resource self, int id, Resource surface, Resource pointer, Resource region, int lifetime) {
        Constraint c = create(self, id, surface, region, lifetime, true);
        c.resource.setImplementation(c.new Locked());
    }

    @Override
    public void confinePointer(Resource self, int id, Resource surface, Resource pointer, Resource region, int lifetime) {
        Constraint c = create(self, id, surface, region, lifetime, false);
        c.resource.setImplementation(c.new Confined());
    }

    private Constraint create(Resource self, int id, Resource surfaceRes, Resource region, int lifetime, boolean lock) {
        Surface s = surfaceRes.implementation(Surface.class);
        if (lifetime != ZwpPointerConstraintsV1.LIFETIME_ONESHOT && lifetime != ZwpPointerConstraintsV1.LIFETIME_PERSISTENT) {
            // The protocol names no error code for a lifetime outside its enum: a malformed request.
            throw new ProtocolException(WL_DISPLAY_ID, WlDisplay.ERROR_INVALID_METHOD, self + ": lifetime " + lifetime + " is neither oneshot nor persistent");
        }
        if (bySurface.containsKey(s)) {
            throw new ProtocolException(self.id(), ZwpPointerConstraintsV1.ERROR_ALREADY_CONSTRAINED, surfaceRes + " has a pointer constraint already");
        }
        Resource r = self.client().createResource(id, lock ? ZwpLockedPointerV1.INTERFACE : ZwpConfinedPointerV1.INTERFACE,
                self.version(), null);
        Constraint c = new Constraint(r, s, lock, lifetime == ZwpPointerConstraintsV1.LIFETIME_ONESHOT, rects(region));
        bySurface.put(s, c);
        if (seat.pointerFocus() == s) c.activate();
        return c;
    }

    private static RectSet rects(Resource region) {
        return region == null ? null : region.implementation(RegionResource.class).rects();
    }

    @Override
    public double[] moved(Surface focus, double originX, double originY, double fromX, double fromY, double toX, double toY) {
        Constraint c = bySurface.get(focus);
        if (c == null || !c.active) return new double[] {toX, toY};
        if (c.lock) return new double[] {fromX, fromY};
        int x0 = 0, y0 = 0, x1 = focus.width(), y1 = focus.height();
        if (c.region != null && !c.region.isEmpty()) {
            x0 = Integer.MAX_VALUE;
            y0 = Integer.MAX_VALUE;
            x1 = Integer.MIN_VALUE;
            y1 = Integer.MIN_VALUE;
            for (int i = 0; i < c.region.count(); i++) {
                x0 = Math.min(x0, c.region.x(i));
                y0 = Math.min(y0, c.region.y(i));
                x1 = Math.max(x1, c.region.x(i) + c.region.w(i));
                y1 = Math.max(y1, c.region.y(i) + c.region.h(i));
            }
        }
        return new double[] {originX + Math.clamp(toX - originX, x0, x1 - 1), originY + Math.clamp(toY - originY, y0, y1 - 1)};
    }

    @Override
    public void pointerFocus(Surface now) {
        for (Constraint c : bySurface.values().toArray(Constraint[]::new)) {
            if (c.surface == now) c.activate();
            else c.deactivate();
        }
    }

    private final class Constraint {
        final Resource resource;
        final Surface surface;
        final boolean lock;
        final boolean oneshot;
        RectSet region;
        boolean active;
        boolean dead;

        Constraint(Resource resource, Surface surface, boolean lock, boolean oneshot, RectSet region) {
            this.resource = resource;
            this.surface = surface;
            this.lock = lock;
            this.oneshot = oneshot;
            this.region = region;
        }

        void activate() {
            if (active || dead) return;
            active = true;
            if (lock) ZwpLockedPointerV1.sendLocked(resource);
            else ZwpConfinedPointerV1.sendConfined(resource);
            seat.pointerConstrained(surface, lock, region);
        }

        void deactivate() {
            if (!active) return;
            active = false;
            if (lock) ZwpLockedPointerV1.sendUnlocked(resource);
            else ZwpConfinedPointerV1.sendUnconfined(resource);
            if (oneshot) dead = true;
            seat.pointerUnconstrained(surface);
        }

        /** set_region: the new region applies now (not at the surface's next commit, as the protocol has it). */
        void regionSet(Resource r) {
            region = rects(r);
            if (active) seat.pointerConstraintRegionChanged(surface, lock, region);
        }

        void gone() {
            bySurface.remove(surface, this);
            if (active) {
                active = false;
                seat.pointerUnconstrained(surface);
            }
        }

        final class Locked implements ZwpLockedPointerV1.Requests, Resource.DestroyListener {
            @Override public void destroy(Resource self) {}
            @Override public void setCursorPositionHint(Resource self, double surfaceX, double surfaceY) {}
            @Override public void setRegion(Resource self, Resource r) { regionSet(r); }
            @Override public void destroyed(Resource r) { gone(); }
        }

        final class Confined implements ZwpConfinedPointerV1.Requests, Resource.DestroyListener {
            @Override public void destroy(Resource self) {}
            @Override public void setRegion(Resource self, Resource r) { regionSet(r); }
            @Override public void destroyed(Resource r) { gone(); }
        }
    }
}
