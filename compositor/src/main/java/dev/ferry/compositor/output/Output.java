package dev.ferry.compositor.output;

import dev.ferry.compositor.core.RectSet;
import dev.ferry.protocol.interfaces.WlOutput;
import dev.ferry.protocol.server.Client;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Global;
import dev.ferry.protocol.server.Resource;

import java.util.ArrayList;
import java.util.List;

/**
 * One screen as clients and the scene see it: a name, a mode, a place in the layout, the
 * wl_output global, and the damage waiting for its next repaint. How it is repainted and
 * presented belongs to its backend.
 */
public final class Output implements WlOutput.Requests, Resource.DestroyListener {
    public static final int VERSION = 4;

    private final Display display;
    private final String name;
    private final String description;
    private final String make;
    private final String model;
    private int x;
    private int y;
    private int width;
    private int height;
    private int refreshMilliHz;
    private Global global;
    private final List<Resource> resources = new ArrayList<>();
    private RectSet damage = RectSet.EMPTY;
    private ScanoutTarget scanout;

    /**
     * The device whose planes could show a client buffer directly on this output, and what
     * they accept: the target of a scanout tranche in dma-buf feedback. Null when the output
     * cannot scan client buffers out (headless, nested).
     */
    public record ScanoutTarget(long devT, String deviceName, dev.ferry.drm.FormatTable planeFormats) {}

    public Output(Display display, String name, String description, String make, String model,
                  int x, int y, int width, int height, int refreshMilliHz) {
        this.display = display;
        this.name = name;
        this.description = description;
        this.make = make;
        this.model = model;
        this.x = x;
        this.y = y;
        this.width = width;
        this.height = height;
        this.refreshMilliHz = refreshMilliHz;
        damage = RectSet.of(0, 0, width, height);
    }

    /** Advertises the wl_output global. */
    public void advertise() {
        global = display.addGlobal(WlOutput.INTERFACE, VERSION, (client, version, id) -> {
            Resource r = client.createResource(id, WlOutput.INTERFACE, version, this);
            resources.add(r);
            sendState(r);
        });
    }

    public void withdraw() {
        if (global != null) display.removeGlobal(global);
        global = null;
    }

    private void sendState(Resource r) {
        WlOutput.sendGeometry(r, x, y, width * 254 / 960, height * 254 / 960, WlOutput.SUBPIXEL_UNKNOWN,
                make, model, WlOutput.TRANSFORM_NORMAL);
        WlOutput.sendMode(r, WlOutput.MODE_CURRENT | WlOutput.MODE_PREFERRED, width, height, refreshMilliHz);
        if (r.version() >= 2) WlOutput.sendScale(r, 1);
        if (r.version() >= 4) {
            WlOutput.sendName(r, name);
            WlOutput.sendDescription(r, description);
        }
        if (r.version() >= 2) WlOutput.sendDone(r);
    }

    /** Changes the mode (nested outputs resize with their window) and tells clients. */
    public void resize(int newWidth, int newHeight, int newRefreshMilliHz) {
        width = newWidth;
        height = newHeight;
        refreshMilliHz = newRefreshMilliHz;
        damageAll();
        for (Resource r : resources) sendState(r);
    }

    public String name() { return name; }
    public String description() { return description; }
    public int x() { return x; }
    public int y() { return y; }
    public int width() { return width; }
    public int height() { return height; }
    public int refreshMilliHz() { return refreshMilliHz; }

    public long refreshNs() {
        return refreshMilliHz <= 0 ? 0 : 1_000_000_000_000L / refreshMilliHz;
    }

    public ScanoutTarget scanoutTarget() { return scanout; }

    public void setScanoutTarget(ScanoutTarget target) { scanout = target; }

    public void moveTo(int nx, int ny) {
        x = nx;
        y = ny;
    }

    /** The wl_output resources a client has bound for this output. */
    public List<Resource> resourcesOf(Client client) {
        List<Resource> out = new ArrayList<>(1);
        for (Resource r : resources) if (r.client() == client) out.add(r);
        return out;
    }

    /** Adds damage in layout coordinates. */
    public void damageLayout(RectSet layoutDamage) {
        RectSet mine = layoutDamage.translate(-x, -y).intersect(0, 0, width, height);
        if (!mine.isEmpty()) damage = damage.add(mine).simplified();
    }

    public void damageAll() {
        damage = RectSet.of(0, 0, width, height);
    }

    public RectSet takeDamage() {
        RectSet d = damage;
        damage = RectSet.EMPTY;
        return d;
    }

    public boolean hasDamage() {
        return !damage.isEmpty();
    }

    @Override
    public void release(Resource self) {}

    @Override
    public void destroyed(Resource r) {
        resources.remove(r);
    }

    @Override
    public String toString() {
        return name + " " + width + "x" + height + "@" + (refreshMilliHz / 1000.0);
    }
}
