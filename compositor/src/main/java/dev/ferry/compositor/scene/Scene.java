package dev.ferry.compositor.scene;

import dev.ferry.compositor.core.RectSet;
import dev.ferry.compositor.core.Subsurface;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.output.Output;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What is shown where: outputs side by side in the layout, windows stacked bottom to top, each
 * window a tree of surfaces. It turns commits into output damage and asks for repaints; the
 * backend turns the scene into frames.
 */
public final class Scene implements Surface.SurfaceEvents {
    private static final int CASCADE_STEP = 32;

    private final List<Output> outputs = new ArrayList<>();
    private final List<Window> windows = new ArrayList<>();
    private final List<Surface> unshownWithCallbacks = new ArrayList<>();
    private final Consumer<Output> repaintRequest;
    private int cascade;
    /** The pointer's cursor surface (wl_pointer.set_cursor), drawn above every window, and its origin in the layout. */
    private Surface cursor;
    private int cursorX, cursorY;

    public Scene(Consumer<Output> repaintRequest) {
        this.repaintRequest = repaintRequest;
    }

    public List<Output> outputs() { return outputs; }
    public List<Window> windows() { return windows; }

    /**
     * An output arrives (at start, or its device or monitor came back): a window that was
     * fullscreen on an output of this name before it went goes back to it, and is told so.
     */
    public void addOutput(Output o) {
        outputs.add(o);
        relayoutOutputs();
        for (Window w : windows) {
            if (o.name().equals(w.displacedFrom())) {
                w.setFullscreen(o);
                w.reconfigure();
            }
            place(w);
        }
        damageAll();
    }

    /**
     * An output goes away (its device was unplugged): what it showed gets wl_surface.leave, a
     * window fullscreen on it becomes fullscreen on the first remaining output (or windowed if
     * none) and is sent a configure saying so, so it keeps drawing and getting frames there; it
     * goes back if the output returns ({@link #addOutput}).
     */
    public void removeOutput(Output o) {
        outputs.remove(o);
        relayoutOutputs();
        Output next = primaryOutput();
        for (Window w : windows) {
            leaveTree(w.surface(), o);
            if (w.fullscreenOn() == o) {
                w.displace(o, next);
                w.reconfigure();
            }
            place(w);
        }
        damageAll();
    }

    private static void leaveTree(Surface s, Output o) {
        s.leaveOutput(o);
        for (Surface child : s.stack()) if (child != s) leaveTree(child, o);
    }

    private void relayoutOutputs() {
        int x = 0;
        for (Output o : outputs) {
            o.moveTo(x, 0);
            x += o.width();
        }
    }

    public Output primaryOutput() {
        return outputs.isEmpty() ? null : outputs.getFirst();
    }

    public Output outputNamed(String name) {
        for (Output o : outputs) if (o.name().equals(name)) return o;
        return null;
    }

    /** A toplevel or popup got its first buffer. */
    public void map(Window w) {
        if (windows.contains(w)) return;
        if (w.kind() == Window.Kind.TOPLEVEL && w.fullscreenOn() == null && !w.maximized()) {
            Output o = primaryOutput();
            int ox = o == null ? 0 : o.x(), oy = o == null ? 0 : o.y();
            int step = CASCADE_STEP * (1 + cascade++ % 8);
            // Cascaded, but never past the output's edge: a window too big for the offset goes
            // to the corner (its window geometry, not its shadow, at the output's origin).
            int gx = o == null ? step : Math.max(0, Math.min(step, o.width() - w.geomWidth()));
            int gy = o == null ? step : Math.max(0, Math.min(step, o.height() - w.geomHeight()));
            w.moveTo(ox + gx - w.geomX(), oy + gy - w.geomY());
        }
        windows.add(w);
        place(w);
        damageWindow(w);
    }

    public void unmap(Window w) {
        if (!windows.remove(w)) return;
        damageWindow(w);
        for (Window child : List.copyOf(windows)) if (child.parent() == w) unmap(child);
        for (Output o : List.copyOf(w.surface().outputs())) w.surface().leaveOutput(o);
    }

    /** Recomputes where a window goes (fullscreen, maximized, popup relative to parent). */
    public void place(Window w) {
        int oldX = w.x(), oldY = w.y();
        if (w.kind() == Window.Kind.POPUP && w.parent() != null) {
            Window p = w.parent();
            w.moveTo(p.x() + p.geomX() + w.relX() - w.geomX(), p.y() + p.geomY() + w.relY() - w.geomY());
        } else if (w.fullscreenOn() != null) {
            Output o = w.fullscreenOn();
            w.moveTo(o.x() - w.geomX(), o.y() - w.geomY());
        } else if (w.maximized() && primaryOutput() != null) {
            Output o = primaryOutput();
            w.moveTo(o.x() - w.geomX(), o.y() - w.geomY());
        }
        // Only a move repaints the whole window (where it was and where it is); a commit that
        // leaves it in place damages just what it changed (Scene.committed).
        if (w.x() != oldX || w.y() != oldY || w.lastBounds().isEmpty()) {
            int nx = w.x(), ny = w.y();
            w.moveTo(oldX, oldY);
            damageWindow(w);
            w.moveTo(nx, ny);
            damageWindow(w);
        }
        for (Window child : windows) if (child.parent() == w) place(child);
    }

    /** Moves a window to (x, y) in the layout, as a drag does: repaints where it was and where it is. */
    public void move(Window w, int x, int y) {
        damageWindow(w);
        w.moveTo(x, y);
        damageWindow(w);
        for (Window child : windows) if (child.parent() == w) place(child);
    }

    public void raise(Window w) {
        if (windows.remove(w)) {
            windows.add(w);
            damageWindow(w);
        }
    }

    private void damageWindow(Window w) {
        RectSet[] bounds = {RectSet.EMPTY};
        forEachSurface(w.surface(), w.x(), w.y(), (s, sx, sy) -> bounds[0] = bounds[0].add(sx, sy, s.width(), s.height()));
        // A surface already gone has no size left: repaint where it was last drawn.
        RectSet d = bounds[0].isEmpty() ? w.lastBounds() : bounds[0].add(w.lastBounds()).simplified();
        if (!bounds[0].isEmpty()) w.setLastBounds(bounds[0].simplified());
        if (!d.isEmpty()) damageLayout(d);
    }

    private void damageLayout(RectSet layoutDamage) {
        for (Output o : outputs) {
            boolean had = o.hasDamage();
            o.damageLayout(layoutDamage);
            if (!had && o.hasDamage()) repaintRequest.accept(o);
        }
    }

    public void damageAll() {
        for (Output o : outputs) {
            o.damageAll();
            repaintRequest.accept(o);
        }
    }

    /** Visits a surface tree bottom to top with each surface's layout position. */
    public interface SurfaceVisitor {
        void visit(Surface s, int x, int y);
    }

    public static void forEachSurface(Surface root, int x, int y, SurfaceVisitor v) {
        if (!root.mapped()) return;
        for (Surface s : root.stack()) {
            if (s == root) {
                v.visit(s, x, y);
            } else {
                Subsurface sub = s.asSubsurface();
                if (sub != null && s.mapped()) forEachSurface(s, x + sub.x(), y + sub.y(), v);
            }
        }
    }

    /** A surface on an output: where it lands in the output's pixels, and whether it is a tree root. */
    public record Placed(Surface surface, Window window, int x, int y, int width, int height, boolean root) {
        public boolean covers(int w, int h) {
            return x <= 0 && y <= 0 && x + width >= w && y + height >= h;
        }
    }

    /** The mapped surfaces that intersect the output, bottom to top, in output coordinates. */
    public List<Placed> visibleOn(Output output) {
        List<Placed> out = new ArrayList<>();
        for (Window w : windows) {
            forEachSurface(w.surface(), w.x(), w.y(), (s, sx, sy) -> {
                int x = sx - output.x(), y = sy - output.y(), width = s.width(), height = s.height();
                if (width <= 0 || height <= 0 || x >= output.width() || y >= output.height() || x + width <= 0 || y + height <= 0) return;
                out.add(new Placed(s, w, x, y, width, height, s == w.surface()));
            });
        }
        if (cursor != null) {
            forEachSurface(cursor, cursorX, cursorY, (s, sx, sy) -> {
                int x = sx - output.x(), y = sy - output.y(), width = s.width(), height = s.height();
                if (width <= 0 || height <= 0 || x >= output.width() || y >= output.height() || x + width <= 0 || y + height <= 0) return;
                out.add(new Placed(s, null, x, y, width, height, s == cursor));
            });
        }
        return out;
    }

    /**
     * Shows a cursor surface with its origin at (x, y) in the layout, above every window (null:
     * none). It is one more surface on the outputs it crosses, so every backend composes it;
     * a cursor plane is the planner's to use.
     */
    public void setCursor(Surface s, int x, int y) {
        if (s == cursor && x == cursorX && y == cursorY) return;
        damageCursor();
        cursor = s;
        cursorX = x;
        cursorY = y;
        damageCursor();
    }

    public Surface cursor() { return cursor; }

    private void damageCursor() {
        if (cursor == null || !cursor.mapped()) return;
        RectSet[] bounds = {RectSet.EMPTY};
        forEachSurface(cursor, cursorX, cursorY, (s, sx, sy) -> bounds[0] = bounds[0].add(sx, sy, s.width(), s.height()));
        if (!bounds[0].isEmpty()) damageLayout(bounds[0]);
    }

    /** The window whose surface tree holds s, or null. */
    public Window windowOf(Surface s) {
        Surface root = s;
        while (root.asSubsurface() != null && root.asSubsurface().parent() != null) root = root.asSubsurface().parent();
        for (Window w : windows) if (w.surface() == root) return w;
        return null;
    }

    private int[] positionOf(Window w, Surface target) {
        int[] out = new int[] {Integer.MIN_VALUE, 0};
        forEachSurface(w.surface(), w.x(), w.y(), (s, sx, sy) -> {
            if (s == target) {
                out[0] = sx;
                out[1] = sy;
            }
        });
        return out[0] == Integer.MIN_VALUE ? null : out;
    }

    /** Commits of any surface so far: a backend compares it with its surfaces' own counts to tell whose content changed. */
    public long commits() { return commits; }
    private long commits;

    @Override
    public void committed(Surface surface) {
        commits++;
        if (surface == cursor) {
            // A new cursor image: where it was and where it is now.
            surface.takeMove();
            surface.takeDamage();
            damageCursor();
            if (surface.hasFrameCallbacks()) for (Output o : outputs) repaintRequest.accept(o);
            return;
        }
        Window w = windowOf(surface);
        if (w == null) {
            for (int i = 0; i < unplacedCommitListeners.size(); i++) unplacedCommitListeners.get(i).accept(surface);
            if (surface.hasFrameCallbacks() && !unshownWithCallbacks.contains(surface)) {
                unshownWithCallbacks.add(surface);
                Output o = primaryOutput();
                if (o != null) repaintRequest.accept(o);
            }
            surface.takeDamage();
            return;
        }
        int[] move = surface.takeMove();
        if (move != null && w.surface() == surface && w.kind() == Window.Kind.TOPLEVEL
                && w.fullscreenOn() == null && !w.maximized()) {
            // wl_surface.offset: the toplevel's origin moves by the committed offset.
            damageWindow(w);
            w.moveTo(w.x() + move[0], w.y() + move[1]);
            damageWindow(w);
        }
        // Subsurfaces moved, restacked or left: repaint where the tree was and where it is.
        if (surface.takeTreeChanged()) damageWindow(w);
        int[] pos = positionOf(w, surface);
        RectSet d = surface.takeDamage();
        if (pos != null && !d.isEmpty()) damageLayout(d.translate(pos[0], pos[1]));
        if (pos == null && !surface.outputs().isEmpty()) {
            // A subsurface that was shown and is no longer in its tree (null buffer, role
            // destroyed): where it was is not known any more, so repaint the outputs it was on.
            for (Output o : surface.outputs()) {
                o.damageAll();
                repaintRequest.accept(o);
            }
        }
        // Frame callbacks with no visible change still need a frame to answer them; a surface
        // no output shows is answered at the next repaint of any, unless that frame shows it.
        if (surface.hasFrameCallbacks()) {
            for (Output o : surface.outputs()) repaintRequest.accept(o);
            if (surface.outputs().isEmpty()) {
                if (!unshownWithCallbacks.contains(surface)) unshownWithCallbacks.add(surface);
                for (Output o : outputs) repaintRequest.accept(o);
            }
        }
    }

    private final List<Consumer<Surface>> unplacedCommitListeners = new ArrayList<>(1);

    /** Told of every commit of a surface the scene does not place (a cursor shown elsewhere, say). */
    public void onUnplacedCommit(Consumer<Surface> listener) {
        unplacedCommitListeners.add(listener);
    }

    private final List<Consumer<Surface>> destroyListeners = new ArrayList<>(1);

    /** Told of every destroyed surface (statistics keep their record). */
    public void onSurfaceDestroyed(Consumer<Surface> listener) {
        destroyListeners.add(listener);
    }

    @Override
    public void destroyed(Surface surface) {
        for (Consumer<Surface> l : destroyListeners) l.accept(surface);
        if (surface == cursor) setCursor(null, 0, 0);
        unshownWithCallbacks.remove(surface);
        Window w = windowOf(surface);
        if (w != null && w.surface() == surface) unmap(w);
        else if (w != null) damageAll();
    }

    /** Whether a frame is owed: something on the output waits for one, or a surface no output shows does. */
    public boolean frameOwed(List<Placed> visible) {
        if (!unshownWithCallbacks.isEmpty()) return true;
        for (Placed p : visible) if (p.surface().hasFrameCallbacks()) return true;
        return false;
    }

    /** Whether the surface is mapped in a window and some output's area holds part of it. */
    private boolean placedOnAnOutput(Surface s) {
        Window w = windowOf(s);
        if (w == null || s.width() <= 0 || s.height() <= 0) return false;
        int[] pos = positionOf(w, s);
        if (pos == null) return false;
        for (Output o : outputs) {
            if (pos[0] < o.x() + o.width() && pos[0] + s.width() > o.x()
                    && pos[1] < o.y() + o.height() && pos[1] + s.height() > o.y()) return true;
        }
        return false;
    }

    /** Surfaces with frame callbacks that no output shows: the caller answers them once per repaint. */
    public List<Surface> takeUnshownWithCallbacks() {
        if (unshownWithCallbacks.isEmpty()) return List.of();
        List<Surface> out = new ArrayList<>(unshownWithCallbacks.size());
        // A surface an output shows by now is answered by that output's frames instead, and so is
        // one just placed on an output that has not entered it yet: its content goes out with that
        // output's next frame. Answering it here would call its first frame discarded and lift
        // its FIFO barrier before that content was ever shown.
        for (Surface s : unshownWithCallbacks) if (s.outputs().isEmpty() && !placedOnAnOutput(s)) out.add(s);
        unshownWithCallbacks.clear();
        return out;
    }
}
