package dev.ferry.compositor.scene;

import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.output.Output;

/**
 * A mapped shell surface placed in the layout: a toplevel, or a popup placed relative to its
 * parent. The position is of the surface's origin (window geometry offset included).
 */
public final class Window {
    public enum Kind { TOPLEVEL, POPUP }

    private final Surface surface;
    private final Kind kind;
    private final Window parent;
    private int x;
    private int y;
    /** Popups: position relative to the parent's window geometry. */
    private int relX;
    private int relY;
    private int geomX, geomY, geomW, geomH;
    private Output fullscreenOn;
    private boolean maximized;
    private String title = "";
    private String appId = "";
    /** Layout area the window covered when last drawn: what to repaint when it goes away. */
    private dev.ferry.compositor.core.RectSet lastBounds = dev.ferry.compositor.core.RectSet.EMPTY;

    public dev.ferry.compositor.core.RectSet lastBounds() { return lastBounds; }

    void setLastBounds(dev.ferry.compositor.core.RectSet b) { lastBounds = b; }

    public Window(Surface surface, Kind kind, Window parent) {
        this.surface = surface;
        this.kind = kind;
        this.parent = parent;
    }

    public Surface surface() { return surface; }
    public Kind kind() { return kind; }
    public Window parent() { return parent; }
    public int x() { return x; }
    public int y() { return y; }
    public Output fullscreenOn() { return fullscreenOn; }
    public boolean maximized() { return maximized; }
    public String title() { return title; }
    public String appId() { return appId; }

    void moveTo(int nx, int ny) {
        x = nx;
        y = ny;
    }

    public void setRelative(int rx, int ry) {
        relX = rx;
        relY = ry;
    }

    public int relX() { return relX; }
    public int relY() { return relY; }

    public void setGeometry(int gx, int gy, int gw, int gh) {
        geomX = gx;
        geomY = gy;
        geomW = gw;
        geomH = gh;
    }

    /** Window geometry in surface coordinates; the whole surface when the client set none. */
    public int geomX() { return geomW > 0 ? geomX : 0; }
    public int geomY() { return geomH > 0 ? geomY : 0; }
    public int geomWidth() { return geomW > 0 ? geomW : surface.width(); }
    public int geomHeight() { return geomH > 0 ? geomH : surface.height(); }

    /** The client's choice: fullscreen on output (null: not fullscreen). */
    public void setFullscreen(Output output) {
        fullscreenOn = output;
        displacedFrom = null;
    }

    /**
     * The output the window was fullscreen on went away: fullscreen on next now (null: windowed),
     * and home again when an output of the first one's name comes back ({@link #displacedFrom}).
     */
    void displace(Output gone, Output next) {
        if (displacedFrom == null) displacedFrom = gone.name();
        fullscreenOn = next;
    }

    /** The name of the output the client asked to be fullscreen on, while it is away; null otherwise. */
    public String displacedFrom() { return displacedFrom; }

    private String displacedFrom;

    /** How the shell sends the client a new configure (its state changed under it). */
    private Runnable reconfigure = () -> { };

    public void onReconfigure(Runnable r) { reconfigure = r; }

    /** The compositor changed the window's state (an output went away): the client is told. */
    public void reconfigure() { reconfigure.run(); }
    public void setMaximized(boolean m) { maximized = m; }
    public void setTitle(String t) { title = t == null ? "" : t; }
    public void setAppId(String a) { appId = a == null ? "" : a; }

    @Override
    public String toString() {
        return kind.name().toLowerCase() + " " + surface + (title.isEmpty() ? "" : " \"" + title + "\"");
    }
}
