package dev.ferry.compositor.seat;

import dev.ferry.compositor.core.RectSet;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.compositor.scene.Window;
import dev.ferry.posix.MonotonicClock;
import dev.ferry.protocol.interfaces.WlKeyboard;
import dev.ferry.protocol.interfaces.WlPointer;
import dev.ferry.protocol.server.Client;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * seat0: one pointer and one keyboard, whatever drives them ({@code ferry ctl input}, a host
 * compositor's input on nested windows). It keeps the pointer's place in the layout, which
 * surface has pointer focus (held while a button is down: the implicit grab) and which has
 * keyboard focus (given by a click, or to a newly mapped toplevel), and sends each client's
 * wl_pointer and wl_keyboard objects their events with fresh serials. Runs on the event loop.
 */
public final class Seat {
    /** Told when keyboard focus moves (selections are offered, text inputs entered, to the focused client). */
    public interface FocusListener {
        void keyboardFocus(Surface old, Surface now);
    }

    /** Dismisses a popup grab (xdg_popup.popup_done) when a click lands outside its client. */
    public interface PopupGrab {
        Client client();

        void dismiss();
    }

    /**
     * Pointer constraints (lock, confine) and relative motion: told of every motion with the
     * surface that has pointer focus; returns where the pointer may go (layout coordinates).
     */
    public interface MotionFilter {
        double[] moved(Surface focus, double originX, double originY, double fromX, double fromY, double toX, double toY);

        /** Pointer focus moved to now (null: no surface). */
        void pointerFocus(Surface now);
    }

    public static final int REPEAT_RATE = 25;
    public static final int REPEAT_DELAY_MS = 600;

    private final Display display;
    private final Scene scene;
    private Keymap keymap;
    private final List<Resource> pointers = new ArrayList<>();
    private final List<Resource> keyboards = new ArrayList<>();
    private final List<FocusListener> focusListeners = new ArrayList<>(3);
    private final List<PopupGrab> popupGrabs = new ArrayList<>(2);
    private final List<MotionFilter> motionFilters = new ArrayList<>(2);
    private final List<Integer> pressedKeys = new ArrayList<>();
    private final List<Integer> pressedButtons = new ArrayList<>();
    private double x, y;
    private Surface pointerFocus;
    private double focusOriginX, focusOriginY;
    private Surface keyboardFocus;
    private int modsDepressed, modsLatched, modsLocked, group;
    /** Set once a host compositor sends modifier state: from then on it, not our key table, says which are held. */
    private boolean hostModifiers;
    private boolean pointerInside = true;
    private int repeatRate = REPEAT_RATE, repeatDelayMs = REPEAT_DELAY_MS;
    private int lastSerial;
    private long events;

    public Seat(Display display, Scene scene, Keymap keymap) {
        this.display = display;
        this.scene = scene;
        this.keymap = keymap;
        scene.onSurfaceDestroyed(this::surfaceGone);
    }

    public Keymap keymap() { return keymap; }
    public Surface pointerFocus() { return pointerFocus; }
    public Surface keyboardFocus() { return keyboardFocus; }
    /** Where the focused surface's origin is in the layout (its surface-local 0,0). */
    public double focusOriginX() { return focusOriginX; }
    public double focusOriginY() { return focusOriginY; }

    /**
     * Told when a pointer constraint on the focused surface takes effect or ends, so that a
     * nested Ferry can constrain its host's pointer alike.
     */
    public interface ConstraintListener {
        /** @param region surface-local rectangles to confine to (null: the whole surface); none for a lock */
        void constrained(Surface surface, boolean lock, dev.ferry.compositor.core.RectSet region);

        void unconstrained(Surface surface);

        /** The active constraint on surface got a new region (set_region; null: the whole surface). */
        default void regionChanged(Surface surface, boolean lock, dev.ferry.compositor.core.RectSet region) {}
    }

    private final List<ConstraintListener> constraintListeners = new ArrayList<>(1);

    public void addConstraintListener(ConstraintListener l) {
        constraintListeners.add(l);
    }

    /** A lock or confinement became active on s (pointer constraints call this). */
    public void pointerConstrained(Surface s, boolean lock, dev.ferry.compositor.core.RectSet region) {
        for (int i = 0; i < constraintListeners.size(); i++) constraintListeners.get(i).constrained(s, lock, region);
    }

    /** The active constraint on s has a new region. */
    public void pointerConstraintRegionChanged(Surface s, boolean lock, dev.ferry.compositor.core.RectSet region) {
        for (int i = 0; i < constraintListeners.size(); i++) constraintListeners.get(i).regionChanged(s, lock, region);
    }

    /** The constraint on s ended. */
    public void pointerUnconstrained(Surface s) {
        for (int i = 0; i < constraintListeners.size(); i++) constraintListeners.get(i).unconstrained(s);
    }

    public double pointerX() { return x; }
    public double pointerY() { return y; }
    /** The serial of the last input event sent (clients quote it in set_selection, popup grabs). */
    public int lastSerial() { return lastSerial; }
    /** Input events handled since start. */
    public long events() { return events; }

    public void addFocusListener(FocusListener l) {
        focusListeners.add(l);
    }

    public void addMotionFilter(MotionFilter f) {
        motionFilters.add(f);
    }

    // ---- objects clients make ----

    void addPointer(Resource r) {
        pointers.add(r);
        if (pointerFocus != null && pointerFocus.resource().client() == r.client()) {
            WlPointer.sendEnter(r, nextSerial(), pointerFocus.resource(), x - focusOriginX, y - focusOriginY);
            frame(r);
        }
    }

    void addKeyboard(Resource r) {
        keyboards.add(r);
        WlKeyboard.sendKeymap(r, WlKeyboard.KEYMAP_FORMAT_XKB_V1, keymap.fd(), keymap.size());
        if (r.version() >= 4) WlKeyboard.sendRepeatInfo(r, repeatRate, repeatDelayMs);
        if (keyboardFocus != null && keyboardFocus.resource().client() == r.client()) enterKeyboard(r, nextSerial());
    }

    void removed(Resource r) {
        pointers.remove(r);
        keyboards.remove(r);
    }

    // ---- input ----

    /** The pointer moves to (layoutX, layoutY), clamped to the outputs. */
    public void pointerMoveTo(double layoutX, double layoutY) {
        events++;
        pointerInside = true;
        double[] p = clampToOutputs(layoutX, layoutY);
        if (pointerFocus != null) {
            for (MotionFilter f : motionFilters) p = f.moved(pointerFocus, focusOriginX, focusOriginY, x, y, p[0], p[1]);
        }
        x = p[0];
        y = p[1];
        if (cursor != null) showCursor();
        if (!repick()) {
            int time = nowMs();
            for (Resource r : focusedOf(pointers, pointerFocus)) {
                WlPointer.sendMotion(r, time, x - focusOriginX, y - focusOriginY);
                frame(r);
            }
        }
    }

    /** A button (BTN_LEFT = 0x110 ...) goes down or up at the pointer. */
    public void pointerButton(int button, boolean pressed) {
        events++;
        repick();
        if (pressed) {
            if (pressedButtons.contains(button)) return;
            pressedButtons.add(button);
            dismissForeignPopups();
            if (pointerFocus != null) focusWindowOf(pointerFocus);
        } else if (!pressedButtons.remove((Integer) button)) {
            return;
        }
        int serial = nextSerial(), time = nowMs();
        for (Resource r : focusedOf(pointers, pointerFocus)) {
            WlPointer.sendButton(r, serial, time, button,
                    pressed ? WlPointer.BUTTON_STATE_PRESSED : WlPointer.BUTTON_STATE_RELEASED);
            frame(r);
        }
        if (!pressed && pressedButtons.isEmpty()) repick();
    }

    /** A scroll of value (surface pixels) on an axis, from discrete wheel steps when steps != 0. */
    public void pointerAxis(int axis, double value, int steps) {
        events++;
        repick();
        int time = nowMs();
        for (Resource r : focusedOf(pointers, pointerFocus)) {
            if (r.version() >= 5) WlPointer.sendAxisSource(r, steps != 0 ? WlPointer.AXIS_SOURCE_WHEEL : WlPointer.AXIS_SOURCE_CONTINUOUS);
            if (steps != 0 && r.version() >= 8) WlPointer.sendAxisValue120(r, axis, steps * 120);
            else if (steps != 0 && r.version() >= 5) WlPointer.sendAxisDiscrete(r, axis, steps);
            WlPointer.sendAxis(r, time, axis, value);
            frame(r);
        }
    }

    /** An evdev key goes down or up; modifier keys change the modifier state clients are sent. */
    public void key(int key, boolean pressed) {
        events++;
        if (pressed == pressedKeys.contains(key)) return;
        if (pressed) pressedKeys.add(key);
        else pressedKeys.remove((Integer) key);
        int serial = nextSerial(), time = nowMs();
        List<Resource> targets = focusedOf(keyboards, keyboardFocus);
        for (Resource r : targets) {
            WlKeyboard.sendKey(r, serial, time, key, pressed ? WlKeyboard.KEY_STATE_PRESSED : WlKeyboard.KEY_STATE_RELEASED);
        }
        int mod = hostModifiers ? 0 : UsKeys.modifierOf(key);
        if (mod != 0) {
            modsDepressed = pressed ? modsDepressed | mod : modsDepressed & ~mod;
            int modSerial = nextSerial();
            for (Resource r : targets) WlKeyboard.sendModifiers(r, modSerial, modsDepressed, modsLatched, modsLocked, group);
        }
    }

    /** A host compositor's modifier state, in its keymap's terms (the keymap clients were given). */
    public void setModifiers(int depressed, int latched, int locked, int grp) {
        hostModifiers = true;
        if (depressed == modsDepressed && latched == modsLatched && locked == modsLocked && grp == group) return;
        modsDepressed = depressed;
        modsLatched = latched;
        modsLocked = locked;
        group = grp;
        int serial = nextSerial();
        for (Resource r : focusedOf(keyboards, keyboardFocus)) WlKeyboard.sendModifiers(r, serial, depressed, latched, locked, grp);
    }

    /** A new keymap (the host's): every keyboard is sent it, as when a user switches layout. */
    public void setKeymap(Keymap k) {
        Keymap old = keymap;
        keymap = k;
        for (Resource r : keyboards) if (!r.destroyed()) WlKeyboard.sendKeymap(r, WlKeyboard.KEYMAP_FORMAT_XKB_V1, k.fd(), k.size());
        if (old != null && old != k) old.close();
    }

    public void setRepeatInfo(int rate, int delayMs) {
        repeatRate = rate;
        repeatDelayMs = delayMs;
        for (Resource r : keyboards) if (!r.destroyed() && r.version() >= 4) WlKeyboard.sendRepeatInfo(r, rate, delayMs);
    }

    /** The pointer left every output (a host window lost it): no surface has pointer focus until it comes back. */
    public void pointerLeave() {
        events++;
        pointerInside = false;
        pressedButtons.clear();
        repick();
    }

    /** Gives keyboard focus to a surface (null: nobody); leave and enter with serials. */
    public void setKeyboardFocus(Surface s) {
        if (s == keyboardFocus) return;
        Surface old = keyboardFocus;
        // A surface being destroyed gets no leave: its client destroyed it and knows.
        if (old != null && !old.resource().destroyed()) {
            int serial = nextSerial();
            for (Resource r : focusedOf(keyboards, old)) WlKeyboard.sendLeave(r, serial, old.resource());
        }
        keyboardFocus = s;
        if (s != null) {
            int serial = nextSerial();
            for (Resource r : focusedOf(keyboards, s)) enterKeyboard(r, serial);
        }
        for (FocusListener l : focusListeners) l.keyboardFocus(old, s);
    }

    /** A toplevel was mapped: it takes keyboard focus, as a newly opened window does on a desktop. */
    public void windowMapped(Window w) {
        if (w.kind() == Window.Kind.TOPLEVEL) setKeyboardFocus(w.surface());
        repick();
    }

    /** A window was unmapped: focus moves to the topmost toplevel left. */
    public void windowUnmapped(Window w) {
        if (keyboardFocus == w.surface()) setKeyboardFocus(topmostToplevel(w));
        if (pointerFocus != null && scene.windowOf(pointerFocus) == null) {
            pressedButtons.clear();
            repick();
        }
    }

    public void addPopupGrab(PopupGrab g) {
        popupGrabs.add(g);
    }

    public void removePopupGrab(PopupGrab g) {
        popupGrabs.remove(g);
    }

    /**
     * The cursor image a client set: a surface (null: hidden) and its hotspot, surface-local,
     * or a named shape (wp_cursor_shape_v1; 0 when a surface was set).
     */
    public record Cursor(Surface surface, int hotspotX, int hotspotY, int shape) {}

    private Cursor cursor;

    /**
     * wl_pointer.set_cursor: honoured only from the client with pointer focus, as the protocol
     * says. The surface goes into the scene above every window with its hotspot at the pointer
     * ({@link Scene#setCursor}), so every backend composes it; putting it on a cursor plane is
     * the kms planner's choice ({@link Scene#cursor()} names it).
     */
    void setCursor(Client client, Surface surface, int hotspotX, int hotspotY) {
        if (pointerFocus == null || pointerFocus.resource().client() != client) return;
        cursor = new Cursor(surface, hotspotX, hotspotY, 0);
        showCursor();
    }

    /**
     * Somewhere other than the scene that can show the cursor (a nested Ferry: the host's own
     * cursor, which follows the host's pointer with no frame of Ferry's).
     */
    public interface CursorSink {
        /**
         * Shows this cursor (null: the focused client set none); told once per change, not per
         * motion. Returns false when it cannot (then the scene composes it).
         */
        boolean show(Cursor cursor);
    }

    private CursorSink cursorSink;
    private Cursor sunk;
    private boolean sinkShows;
    private boolean sinkTold;

    /** Hands the cursor to a sink from now on (null: back to the scene). */
    public void setCursorSink(CursorSink sink) {
        cursorSink = sink;
        sinkTold = false;
        showCursor();
    }

    /** Tells the sink the cursor again (its side lost it: the host pointer entered anew). */
    public void cursorSinkLost() {
        sinkTold = false;
        showCursor();
    }

    /** The cursor surface where the pointer is, hotspot on it (a shape: its picture's surface; no cursor: nothing drawn). */
    private void showCursor() {
        if (cursorSink != null) {
            if (!sinkTold || sunk != cursor) {
                sunk = cursor;
                sinkTold = true;
                sinkShows = cursorSink.show(cursor);
            }
            if (sinkShows) {
                scene.setCursor(null, 0, 0);
                return;
            }
        }
        Surface s = cursor == null ? null : cursor.surface();
        int hx = cursor == null ? 0 : cursor.hotspotX(), hy = cursor == null ? 0 : cursor.hotspotY();
        if (s == null && cursor != null && cursor.shape() != 0 && shapes != null) {
            // A shape: the picture's surface, drawn like any cursor surface.
            ShapeCursors.Shown shown = shapes.surface(cursor.shape());
            if (shown != null) {
                s = shown.surface();
                hx = shown.hotspotX();
                hy = shown.hotspotY();
            }
        }
        if (s == null) scene.setCursor(null, 0, 0);
        else scene.setCursor(s, (int) Math.floor(x) - hx, (int) Math.floor(y) - hy);
    }

    private ShapeCursors shapes;

    /** Draws wp_cursor_shape shapes with these pictures (null: shapes draw nothing). */
    public void setShapeCursors(ShapeCursors s) {
        shapes = s;
        showCursor();
    }

    /** wp_cursor_shape_device_v1.set_shape, under the same rule as set_cursor. */
    public void setCursorShape(Client client, int shape) {
        if (pointerFocus == null || pointerFocus.resource().client() != client) return;
        cursor = new Cursor(null, 0, 0, shape);
        showCursor();
    }

    /** The cursor the focused client set, or null when it set none (the default arrow). */
    public Cursor cursor() { return cursor; }

    // ---- internals ----

    private void enterKeyboard(Resource r, int serial) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment keys = arena.allocate(4L * Math.max(1, pressedKeys.size()), 4).asSlice(0, 4L * pressedKeys.size());
            for (int i = 0; i < pressedKeys.size(); i++) keys.setAtIndex(JAVA_INT, i, pressedKeys.get(i));
            WlKeyboard.sendEnter(r, serial, keyboardFocus.resource(), keys);
        }
        WlKeyboard.sendModifiers(r, nextSerial(), modsDepressed, modsLatched, modsLocked, group);
    }

    private Surface topmostToplevel(Window except) {
        List<Window> ws = scene.windows();
        for (int i = ws.size() - 1; i >= 0; i--) {
            Window w = ws.get(i);
            if (w != except && w.kind() == Window.Kind.TOPLEVEL) return w.surface();
        }
        return null;
    }

    private void focusWindowOf(Surface s) {
        Window w = scene.windowOf(s);
        if (w == null) return;
        while (w.kind() == Window.Kind.POPUP && w.parent() != null) w = w.parent();
        scene.raise(w);
        setKeyboardFocus(w.surface());
    }

    private void dismissForeignPopups() {
        dismissPopupsBut(pointerFocus == null ? null : pointerFocus.resource().client());
    }

    /**
     * Dismisses every popup grab: the user went somewhere no client of Ferry's is (nested: the
     * host moved its keyboard focus off Ferry's windows, as a click on another host window does).
     */
    public void dismissPopups() {
        dismissPopupsBut(null);
    }

    /** Dismisses the popup grabs of every client but keep (null: of all), newest first. */
    private void dismissPopupsBut(Client keep) {
        for (int i = popupGrabs.size() - 1; i >= 0; i--) {
            PopupGrab g = popupGrabs.get(i);
            if (g.client() != keep) {
                popupGrabs.remove(i);
                g.dismiss();
            }
        }
    }

    /** Finds the surface under the pointer; sends leave/enter when it changed. True if it did. */
    private boolean repick() {
        if (!pressedButtons.isEmpty() && pointerFocus != null) return false;
        Hit hit = pointerInside ? surfaceAt(x, y) : null;
        Surface now = hit == null ? null : hit.surface;
        if (now == pointerFocus) {
            if (hit != null) {
                focusOriginX = hit.originX;
                focusOriginY = hit.originY;
            }
            return false;
        }
        Surface old = pointerFocus;
        if (old != null && !old.resource().destroyed()) {
            int serial = nextSerial();
            for (Resource r : focusedOf(pointers, old)) {
                WlPointer.sendLeave(r, serial, old.resource());
                frame(r);
            }
        }
        pointerFocus = now;
        cursor = null;
        showCursor();
        for (MotionFilter f : motionFilters) f.pointerFocus(now);
        if (now != null) {
            focusOriginX = hit.originX;
            focusOriginY = hit.originY;
            int serial = nextSerial();
            for (Resource r : focusedOf(pointers, now)) {
                WlPointer.sendEnter(r, serial, now.resource(), x - focusOriginX, y - focusOriginY);
                frame(r);
            }
        }
        return true;
    }

    private record Hit(Surface surface, int originX, int originY) {}

    /** The topmost mapped surface whose input region holds the layout point, or null. */
    private Hit surfaceAt(double lx, double ly) {
        List<Window> ws = scene.windows();
        int px = (int) Math.floor(lx), py = (int) Math.floor(ly);
        for (int i = ws.size() - 1; i >= 0; i--) {
            Window w = ws.get(i);
            Hit[] top = {null};
            Scene.forEachSurface(w.surface(), w.x(), w.y(), (s, sx, sy) -> {
                int u = px - sx, v = py - sy;
                if (u < 0 || v < 0 || u >= s.width() || v >= s.height()) return;
                RectSet input = s.state().input();
                if (input != null && !input.contains(u, v, 1, 1)) return;
                top[0] = new Hit(s, sx, sy);
            });
            if (top[0] != null) return top[0];
        }
        return null;
    }

    private double[] clampToOutputs(double lx, double ly) {
        List<Output> outs = scene.outputs();
        if (outs.isEmpty()) return new double[] {lx, ly};
        for (Output o : outs) {
            if (lx >= o.x() && ly >= o.y() && lx < o.x() + o.width() && ly < o.y() + o.height()) return new double[] {lx, ly};
        }
        double bestD = Double.MAX_VALUE, bx = lx, by = ly;
        for (Output o : outs) {
            double cx = Math.clamp(lx, o.x(), o.x() + o.width() - 1), cy = Math.clamp(ly, o.y(), o.y() + o.height() - 1);
            double d = (cx - lx) * (cx - lx) + (cy - ly) * (cy - ly);
            if (d < bestD) {
                bestD = d;
                bx = cx;
                by = cy;
            }
        }
        return new double[] {bx, by};
    }

    private void surfaceGone(Surface s) {
        if (cursor != null && cursor.surface() == s) {
            cursor = null;
            showCursor();
        }
        if (s == pointerFocus) {
            pointerFocus = null;
            pressedButtons.clear();
            for (MotionFilter f : motionFilters) f.pointerFocus(null);
        }
        if (s == keyboardFocus) {
            keyboardFocus = null;
            for (FocusListener l : focusListeners) l.keyboardFocus(s, null);
        }
    }

    /** The client's wl_pointer objects (relative pointers and constraints name one). */
    public boolean isPointer(Resource r) {
        return pointers.contains(r);
    }

    /** Those of the objects that belong to the client of the focused surface. */
    private static List<Resource> focusedOf(List<Resource> objects, Surface focus) {
        if (focus == null || objects.isEmpty()) return List.of();
        Client c = focus.resource().client();
        List<Resource> out = new ArrayList<>(2);
        for (Resource r : objects) if (r.client() == c && !r.destroyed()) out.add(r);
        return out;
    }

    private static void frame(Resource pointer) {
        if (pointer.version() >= 5) WlPointer.sendFrame(pointer);
    }

    private int nextSerial() {
        lastSerial = display.nextSerial();
        return lastSerial;
    }

    private static int nowMs() {
        return (int) (MonotonicClock.nowNs() / 1_000_000L);
    }
}
