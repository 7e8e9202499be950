package dev.ferry.compositor.xdg;

import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.XdgPositioner;
import dev.ferry.protocol.server.Resource;

/**
 * xdg_positioner: the rules for placing a popup. Ferry places popups by anchor, gravity and
 * offset; constraint adjustment (sliding or flipping into the output) is not done yet.
 */
public final class Positioner implements XdgPositioner.Requests {
    int width, height;
    int anchorX, anchorY, anchorW, anchorH;
    int anchor, gravity;
    int offsetX, offsetY;
    boolean reactive;

    private boolean anchorRectSet;

    /** What a popup placed by this positioner would lack (size, anchor rectangle), or null. */
    String incomplete() {
        if (width <= 0 || height <= 0) return "has no size";
        if (!anchorRectSet) return "has no anchor rectangle";
        return null;
    }

    Positioner copy() {
        Positioner p = new Positioner();
        p.width = width;
        p.height = height;
        p.anchorX = anchorX;
        p.anchorY = anchorY;
        p.anchorW = anchorW;
        p.anchorH = anchorH;
        p.anchor = anchor;
        p.gravity = gravity;
        p.offsetX = offsetX;
        p.offsetY = offsetY;
        p.reactive = reactive;
        p.anchorRectSet = anchorRectSet;
        return p;
    }

    /** The popup's top-left relative to the parent's window geometry. */
    int[] place() {
        int ax = anchorX, ay = anchorY;
        switch (anchor) {
            case XdgPositioner.ANCHOR_TOP -> { ax += anchorW / 2; }
            case XdgPositioner.ANCHOR_BOTTOM -> { ax += anchorW / 2; ay += anchorH; }
            case XdgPositioner.ANCHOR_LEFT -> { ay += anchorH / 2; }
            case XdgPositioner.ANCHOR_RIGHT -> { ax += anchorW; ay += anchorH / 2; }
            case XdgPositioner.ANCHOR_TOP_LEFT -> { }
            case XdgPositioner.ANCHOR_BOTTOM_LEFT -> { ay += anchorH; }
            case XdgPositioner.ANCHOR_TOP_RIGHT -> { ax += anchorW; }
            case XdgPositioner.ANCHOR_BOTTOM_RIGHT -> { ax += anchorW; ay += anchorH; }
            default -> { ax += anchorW / 2; ay += anchorH / 2; }
        }
        int x = ax, y = ay;
        switch (gravity) {
            case XdgPositioner.GRAVITY_TOP -> { x -= width / 2; y -= height; }
            case XdgPositioner.GRAVITY_BOTTOM -> { x -= width / 2; }
            case XdgPositioner.GRAVITY_LEFT -> { x -= width; y -= height / 2; }
            case XdgPositioner.GRAVITY_RIGHT -> { y -= height / 2; }
            case XdgPositioner.GRAVITY_TOP_LEFT -> { x -= width; y -= height; }
            case XdgPositioner.GRAVITY_BOTTOM_LEFT -> { x -= width; }
            case XdgPositioner.GRAVITY_TOP_RIGHT -> { y -= height; }
            case XdgPositioner.GRAVITY_BOTTOM_RIGHT -> { }
            default -> { x -= width / 2; y -= height / 2; }
        }
        return new int[] {x + offsetX, y + offsetY};
    }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void setSize(Resource self, int w, int h) {
        if (w <= 0 || h <= 0) throw new ProtocolException(self.id(), XdgPositioner.ERROR_INVALID_INPUT, "size " + w + "x" + h);
        width = w;
        height = h;
    }

    @Override
    public void setAnchorRect(Resource self, int x, int y, int w, int h) {
        if (w < 0 || h < 0) throw new ProtocolException(self.id(), XdgPositioner.ERROR_INVALID_INPUT, "anchor rect " + w + "x" + h);
        anchorX = x;
        anchorY = y;
        anchorW = w;
        anchorH = h;
        anchorRectSet = true;
    }

    @Override
    public void setAnchor(Resource self, int a) {
        if (a < 0 || a > XdgPositioner.ANCHOR_BOTTOM_RIGHT) throw new ProtocolException(self.id(), XdgPositioner.ERROR_INVALID_INPUT, "anchor " + a);
        anchor = a;
    }

    @Override
    public void setGravity(Resource self, int g) {
        if (g < 0 || g > XdgPositioner.GRAVITY_BOTTOM_RIGHT) throw new ProtocolException(self.id(), XdgPositioner.ERROR_INVALID_INPUT, "gravity " + g);
        gravity = g;
    }

    @Override
    public void setConstraintAdjustment(Resource self, int constraintAdjustment) {}

    @Override
    public void setOffset(Resource self, int x, int y) {
        offsetX = x;
        offsetY = y;
    }

    @Override
    public void setReactive(Resource self) {
        reactive = true;
    }

    @Override
    public void setParentSize(Resource self, int parentWidth, int parentHeight) {}

    @Override
    public void setParentConfigure(Resource self, int serial) {}
}
