package dev.ferry.compositor.backend.nested;

import dev.ferry.compositor.core.RectSet;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.seat.Seat;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlRegion;
import dev.ferry.protocol.interfaces.ZwpConfinedPointerV1;
import dev.ferry.protocol.interfaces.ZwpLockedPointerV1;
import dev.ferry.protocol.interfaces.ZwpPointerConstraintsV1;
import dev.ferry.protocol.interfaces.ZwpRelativePointerManagerV1;
import dev.ferry.protocol.interfaces.ZwpRelativePointerV1;

import java.util.function.Function;

/**
 * A pointer lock or confinement inside Ferry, applied to the host's pointer too: otherwise the
 * host pointer leaves the window while Ferry's stays locked, and a game inside gets no motion
 * once the host pointer reaches the screen's edge. A lock becomes a host lock on the window
 * the pointer is in, and while it holds, the host's relative motion moves Ferry's pointer (so
 * the locked client's relative pointer keeps getting deltas); a confinement becomes a host
 * confinement to the same rectangles in the window. A set_region on the active constraint is
 * forwarded too: the host's constraint gets the same new rectangles, and the window's surface is
 * committed so the host applies them (its set_region is double-buffered on that surface).
 */
final class HostConstraints implements Seat.ConstraintListener {
    private final Seat seat;
    private final HostSeat hostSeat;
    private final Proxy compositor;
    private final Proxy constraints;
    private final Proxy relativeManager;
    private final Function<Output, Proxy> windowSurface;
    private Proxy active;
    /** The output whose window the active host constraint is on. */
    private Output activeOutput;
    private boolean locked;
    private Proxy relative;
    private Proxy relativeOf;
    private long forwarded;

    HostConstraints(Seat seat, HostSeat hostSeat, Proxy compositor, Proxy constraints, Proxy relativeManager,
                    Function<Output, Proxy> windowSurface) {
        this.seat = seat;
        this.hostSeat = hostSeat;
        this.compositor = compositor;
        this.constraints = constraints;
        this.relativeManager = relativeManager;
        this.windowSurface = windowSurface;
    }

    /** Constraints handed to the host so far. */
    long forwarded() { return forwarded; }

    @Override
    public void constrained(Surface surface, boolean lock, RectSet region) {
        release();
        Output o = hostSeat.under();
        Proxy pointer = hostSeat.pointer();
        Proxy window = o == null ? null : windowSurface.apply(o);
        if (pointer == null || window == null) return;
        if (lock) {
            active = ZwpPointerConstraintsV1.lockPointer(constraints, window, pointer, null, ZwpPointerConstraintsV1.LIFETIME_PERSISTENT);
            locked = true;
            followRelativeMotion(pointer);
        } else {
            Proxy hostRegion = hostRegion(surface, o, region);
            active = ZwpPointerConstraintsV1.confinePointer(constraints, window, pointer, hostRegion, ZwpPointerConstraintsV1.LIFETIME_PERSISTENT);
            WlRegion.destroy(hostRegion);
        }
        activeOutput = o;
        forwarded++;
    }

    @Override
    public void regionChanged(Surface surface, boolean lock, RectSet region) {
        if (active == null || lock != locked) return;
        Proxy window = windowSurface.apply(activeOutput);
        // A lock's region says where the lock may activate; it is in effect already, so the host gets it as it is.
        Proxy hostRegion = region == null ? null : hostRegion(surface, activeOutput, region);
        if (lock) ZwpLockedPointerV1.setRegion(active, hostRegion);
        else ZwpConfinedPointerV1.setRegion(active, hostRegion != null ? hostRegion : hostRegion(surface, activeOutput, null));
        if (hostRegion != null) WlRegion.destroy(hostRegion);
        dev.ferry.protocol.interfaces.WlSurface.commit(window);
        forwarded++;
    }

    /** The constraint's surface-local rectangles (null or empty: the whole surface) in the window's coordinates, as a host region. */
    private Proxy hostRegion(Surface surface, Output o, RectSet region) {
        int ox = (int) Math.round(seat.focusOriginX()) - o.x(), oy = (int) Math.round(seat.focusOriginY()) - o.y();
        RectSet r = region == null || region.isEmpty() ? RectSet.of(0, 0, surface.width(), surface.height()) : region;
        Proxy hostRegion = WlCompositor.createRegion(compositor);
        for (int i = 0; i < r.count(); i++) WlRegion.add(hostRegion, ox + r.x(i), oy + r.y(i), r.w(i), r.h(i));
        return hostRegion;
    }

    @Override
    public void unconstrained(Surface surface) {
        release();
    }

    /** While the host pointer is locked the host sends no motion, only deltas: they move Ferry's pointer. */
    private void followRelativeMotion(Proxy pointer) {
        if (relativeManager == null || relativeOf == pointer) return;
        relative = ZwpRelativePointerManagerV1.getRelativePointer(relativeManager, pointer);
        relativeOf = pointer;
        relative.listen(new ZwpRelativePointerV1.Listener() {
            @Override
            public void relativeMotion(Proxy self, int utimeHi, int utimeLo, double dx, double dy, double dxUnaccel, double dyUnaccel) {
                if (locked) seat.pointerMoveTo(seat.pointerX() + dxUnaccel, seat.pointerY() + dyUnaccel);
            }
        });
    }

    private void release() {
        if (active == null) return;
        if (locked) ZwpLockedPointerV1.destroy(active);
        else ZwpConfinedPointerV1.destroy(active);
        active = null;
        activeOutput = null;
        locked = false;
    }

    void close(boolean hostAlive) {
        if (!hostAlive) return;
        release();
        if (relative != null) ZwpRelativePointerV1.destroy(relative);
    }
}
