package dev.ferry.compositor.backend.nested;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.compositor.core.RectSet;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.core.SurfaceState;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlSubcompositor;
import dev.ferry.protocol.interfaces.WlSubsurface;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.interfaces.WpViewport;
import dev.ferry.protocol.interfaces.WpViewporter;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The host subsurfaces of one nested output's window, one per surface that goes to the host
 * as it is: placed where the surface is in the output, stacked above the window's composed
 * buffer in the scene's order, showing the client's own buffer (through {@link HostBuffers})
 * with its damage, buffer scale and viewport. The subsurfaces are synchronized: what is set
 * here takes effect with the window's next commit, atomically with its composed buffer. They
 * take no input, so host pointer events keep naming the window's surface.
 */
final class HostLayers implements AutoCloseable {
    /** One host subsurface and what it was last given. */
    private static final class Layer {
        final Proxy surface;
        final Proxy subsurface;
        final Proxy viewport;
        ClientBuffer shown;
        long commitSeen = -1;
        int x = Integer.MIN_VALUE, y = Integer.MIN_VALUE;
        int scale = 1;
        double srcX = -1, srcY = -1, srcW = -1, srcH = -1;
        int dstW = -1, dstH = -1;

        Layer(Proxy surface, Proxy subsurface, Proxy viewport) {
            this.surface = surface;
            this.subsurface = subsurface;
            this.viewport = viewport;
        }
    }

    private final Proxy compositor;
    private final Proxy subcompositor;
    private final Proxy viewporter;
    private final Proxy parent;
    private final HostBuffers buffers;
    private final Map<Surface, Layer> layers = new IdentityHashMap<>();
    private final List<Surface> order = new ArrayList<>();
    /** Where the surfaces passed through last time were, to redraw under those that leave. */
    private final Map<Surface, int[]> lastPlaces = new IdentityHashMap<>();
    private long attaches;

    HostLayers(Proxy compositor, Proxy subcompositor, Proxy viewporter, Proxy parent, HostBuffers buffers) {
        this.compositor = compositor;
        this.subcompositor = subcompositor;
        this.viewporter = viewporter;
        this.parent = parent;
        this.buffers = buffers;
    }

    /** Whether what the host shows for these surfaces would change (a new commit, a move, a restack, one coming or going). */
    boolean changes(List<Scene.Placed> through) {
        if (through.size() != order.size()) return true;
        for (int i = 0; i < through.size(); i++) {
            Scene.Placed p = through.get(i);
            if (order.get(i) != p.surface()) return true;
            Layer l = layers.get(p.surface());
            if (l == null || l.commitSeen != p.surface().commitCount() || l.x != p.x() || l.y != p.y()) return true;
        }
        return false;
    }

    /**
     * The area (output coordinates) of surfaces that went to the host last time and do not now:
     * the composed buffer under them is stale and must be drawn again.
     */
    RectSet leaving(List<Scene.Placed> through) {
        RectSet d = RectSet.EMPTY;
        for (Map.Entry<Surface, int[]> e : lastPlaces.entrySet()) {
            boolean still = false;
            for (Scene.Placed p : through) if (p.surface() == e.getKey()) still = true;
            if (!still) {
                int[] r = e.getValue();
                d = d.add(r[0], r[1], r[2], r[3]);
                // Composed again from now: the renderer's copy missed what went to the host meanwhile.
                if (!e.getKey().destroyed()) e.getKey().damageWholeTexture();
            }
        }
        lastPlaces.clear();
        for (Scene.Placed p : through) lastPlaces.put(p.surface(), new int[] {p.x(), p.y(), p.width(), p.height()});
        return d.simplified();
    }

    /**
     * A surface whose frame callbacks ride with the window's coming commit, and the buffer of its
     * that the commit takes off the host's screen (or null): one passed through, or one that
     * leaves the host to be composed again (passedThrough false) while the host still shows an
     * older buffer of it than the one composed.
     */
    record Latch(Surface surface, ClientBuffer replaced, boolean passedThrough) {}

    /**
     * Sets the host subsurfaces to show these surfaces (bottom to top) as they are now, latching
     * their frame callbacks for the window's coming commit. Subsurfaces of surfaces no longer in
     * the list are destroyed (the host then releases their buffers). Returns the surfaces latched,
     * and those leaving whose callbacks must wait for the host to let go of an older buffer.
     */
    List<Latch> apply(List<Scene.Placed> through) {
        List<Surface> now = new ArrayList<>(through.size());
        List<Latch> latched = new ArrayList<>(through.size());
        for (Scene.Placed p : through) if (!p.surface().destroyed() && p.surface().buffer() != null) now.add(p.surface());
        for (Surface s : List.copyOf(layers.keySet())) {
            if (now.contains(s)) continue;
            Layer gone = layers.remove(s);
            destroy(gone);
            // Its client holds a new buffer (composed now) and the host the old one until it
            // handles the destroy: told to draw before that, a two-buffer client has none free.
            if (!s.destroyed() && gone.shown != null && gone.shown != s.buffer()) latched.add(new Latch(s, gone.shown, false));
        }
        boolean restack = !now.equals(order);
        Proxy below = parent;
        for (Scene.Placed p : through) {
            Surface s = p.surface();
            if (!now.contains(s)) continue;
            Layer l = layers.get(s);
            if (l == null) {
                Proxy hs = WlCompositor.createSurface(compositor);
                // No input: the host's pointer stays on the window's own surface, in output coordinates.
                Proxy none = WlCompositor.createRegion(compositor);
                WlSurface.setInputRegion(hs, none);
                dev.ferry.protocol.interfaces.WlRegion.destroy(none);
                Proxy sub = WlSubcompositor.getSubsurface(subcompositor, hs, parent);
                Proxy vp = viewporter == null ? null : WpViewporter.getViewport(viewporter, hs);
                l = new Layer(hs, sub, vp);
                layers.put(s, l);
                restack = true;
            }
            if (restack) WlSubsurface.placeAbove(l.subsurface, below);
            below = l.surface;
            if (l.x != p.x() || l.y != p.y()) {
                WlSubsurface.setPosition(l.subsurface, p.x(), p.y());
                l.x = p.x();
                l.y = p.y();
            }
            latched.add(new Latch(s, update(s, l), true));
            s.latchFrame();
        }
        order.clear();
        order.addAll(now);
        return latched;
    }

    /** Brings the layer up to date with s; returns the buffer a new attach replaced, or null. */
    private ClientBuffer update(Surface s, Layer l) {
        SurfaceState st = s.state();
        ClientBuffer b = s.buffer();
        boolean changed = false;
        if (st.scale() != l.scale) {
            WlSurface.setBufferScale(l.surface, st.scale());
            l.scale = st.scale();
            changed = true;
        }
        if (l.viewport != null) {
            double sx = st.hasSource() ? st.srcX() : -1, sy = st.hasSource() ? st.srcY() : -1;
            double sw = st.hasSource() ? st.srcW() : -1, sh = st.hasSource() ? st.srcH() : -1;
            if (sx != l.srcX || sy != l.srcY || sw != l.srcW || sh != l.srcH) {
                WpViewport.setSource(l.viewport, sx, sy, sw, sh);
                l.srcX = sx;
                l.srcY = sy;
                l.srcW = sw;
                l.srcH = sh;
                changed = true;
            }
            int dw = st.dstW() > 0 ? st.dstW() : -1, dh = st.dstW() > 0 ? st.dstH() : -1;
            if (dw != l.dstW || dh != l.dstH) {
                WpViewport.setDestination(l.viewport, dw, dh);
                l.dstW = dw;
                l.dstH = dh;
                changed = true;
            }
        }
        RectSet damage = s.takeTextureDamage();
        ClientBuffer replaced = null;
        if (b != l.shown || !damage.isEmpty()) {
            if (b != l.shown) replaced = l.shown;
            WlSurface.attach(l.surface, buffers.hostBuffer(b), 0, 0);
            RectSet d = b != l.shown ? RectSet.of(0, 0, b.width(), b.height()) : damage;
            for (int i = 0; i < d.count(); i++) WlSurface.damageBuffer(l.surface, d.x(i), d.y(i), d.w(i), d.h(i));
            buffers.attached(b);
            l.shown = b;
            attaches++;
            changed = true;
        }
        l.commitSeen = s.commitCount();
        if (changed) WlSurface.commit(l.surface);
        return replaced;
    }

    /** Host subsurfaces now. */
    int count() { return layers.size(); }

    /** Client buffers attached to host subsurfaces so far. */
    long attaches() { return attaches; }

    /** Whether any surface is on a host subsurface. */
    boolean active() { return !layers.isEmpty(); }

    private static void destroy(Layer l) {
        if (l.viewport != null) WpViewport.destroy(l.viewport);
        WlSubsurface.destroy(l.subsurface);
        WlSurface.destroy(l.surface);
    }

    /** Destroys every host subsurface (when the host is still there). */
    void close(boolean hostAlive) {
        if (hostAlive) for (Layer l : layers.values()) destroy(l);
        layers.clear();
        order.clear();
        lastPlaces.clear();
    }

    @Override
    public void close() {
        close(true);
    }
}
