package dev.ferry.compositor.backend.nested;

import dev.ferry.client.ShmBufferRing;
import dev.ferry.compositor.output.Output;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlCallback;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.interfaces.WpViewport;
import dev.ferry.protocol.interfaces.WpViewporter;
import dev.ferry.protocol.interfaces.XdgSurface;
import dev.ferry.protocol.interfaces.XdgToplevel;
import dev.ferry.protocol.interfaces.XdgWmBase;
import dev.ferry.protocol.loop.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One fake connector shown in a host window: at the output's vblank rate, if the CRTC scanned
 * out a new frame since the last look, its read-back is copied into a host wl_shm buffer (only
 * the rows that changed, plus what that buffer missed of earlier frames) and committed with
 * damage on those rows. Frames are dropped, never queued, while the host holds every buffer or
 * has not answered the last frame callback: the window shows the newest frame the host could
 * take. The buffer keeps the fake mode's size whatever the window's size (the mode is the
 * hardware's); a host configure with a size scales it to fit with its aspect kept (viewporter).
 */
final class CrtcWindow {
    /** The loop's clock, which its refresh timer runs on. */
    private final dev.ferry.protocol.loop.LoopClock clock;
    private static final Logger LOG = LoggerFactory.getLogger(CrtcWindow.class);
    private static final int HOST_BUFFERS = 2;
    private static final ValueLayout.OfInt PIXEL = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final NestedKmsBackend backend;
    private final Output output;
    private final String title;
    private final Proxy surface;
    private final Proxy xdgSurface;
    private final Proxy toplevel;
    private final Proxy viewport;
    private final ShmBufferRing ring;
    private final EventLoop.Timer timer;
    /** Per host buffer: the rows [from, to) it lacks of the newest frame (absent: all of them). */
    private final Map<ShmBufferRing.Slot, int[]> staleRows = new IdentityHashMap<>();
    private final int width, height;
    private int[] shown;
    private long framesAtLastLook = -1;
    private boolean configured, ackPending, callbackPending, closed;
    private int ackSerial;
    private long mirrored, dropped, bytesCopied;

    private final WlCallback.Listener frameDone = new WlCallback.Listener() {
        @Override
        public void done(Proxy self, int timeMs) {
            callbackPending = false;
        }
    };

    CrtcWindow(NestedKmsBackend backend, Output output, String device, EventLoop loop) throws PosixException {
        this.backend = backend;
        this.output = output;
        this.width = output.width();
        this.height = output.height();
        this.title = output.name() + " " + width + "x" + height + "@" + Math.round(output.refreshMilliHz() / 1000.0) + " on " + device;
        ring = new ShmBufferRing(backend.shm(), WlShm.FORMAT_XRGB8888, HOST_BUFFERS, width, height);
        surface = WlCompositor.createSurface(backend.compositor());
        viewport = backend.viewporter() == null ? null : WpViewporter.getViewport(backend.viewporter(), surface);
        xdgSurface = XdgWmBase.getXdgSurface(backend.wmBase(), surface);
        xdgSurface.listen(new XdgSurface.Listener() {
            @Override
            public void configure(Proxy self, int serial) {
                ackSerial = serial;
                ackPending = true;
                configured = true;
            }
        });
        toplevel = XdgSurface.getToplevel(xdgSurface);
        toplevel.listen(new XdgToplevel.Listener() {
            @Override
            public void configure(Proxy self, int w, int h, MemorySegment states) {
                fit(w, h);
            }

            @Override
            public void close(Proxy self) {
                backend.windowClosed(CrtcWindow.this);
            }
        });
        XdgToplevel.setTitle(toplevel, title);
        XdgToplevel.setAppId(toplevel, "dev.ferry.nested");
        WlSurface.commit(surface);
        timer = loop.timer(this::tick);
        clock = loop.clock();
        timer.armAt(loop.nowNs());
    }

    Output output() { return output; }
    Proxy hostSurface() { return surface; }
    String title() { return title; }

    /** Frames copied to the host, frames dropped because the host was busy, bytes copied. */
    long[] counts() { return new long[] {mirrored, dropped, bytesCopied}; }

    /** The host's size for the window: the fake mode, scaled to fit it with its aspect kept. */
    private void fit(int w, int h) {
        if (viewport == null) return;
        if (w <= 0 || h <= 0) {
            WpViewport.setDestination(viewport, -1, -1);
            return;
        }
        double scale = Math.min(w / (double) width, h / (double) height);
        WpViewport.setDestination(viewport, Math.max(1, (int) Math.round(width * scale)), Math.max(1, (int) Math.round(height * scale)));
    }

    private void tick() {
        if (closed) return;
        timer.armAt(clock.nowNs() + output.refreshNs());
        if (!backend.alive() || !configured) return;
        long frames = backend.kms().stats(output).frames();
        boolean changed = frames != framesAtLastLook;
        if (!changed && !ackPending) return;
        if (callbackPending) {
            if (changed) dropped++;
            return;
        }
        ShmBufferRing.Slot slot;
        try {
            slot = ring.acquire();
        } catch (PosixException e) {
            LOG.warn("{}: no host buffer: {}", output.name(), e.getMessage());
            return;
        }
        if (slot == null) {
            if (changed) dropped++;
            return;
        }
        framesAtLastLook = frames;
        int[] px = backend.kms().screenshot(output);
        int[] rows = changedRows(shown, px);
        shown = px;
        for (Map.Entry<ShmBufferRing.Slot, int[]> e : staleRows.entrySet()) e.setValue(union(e.getValue(), rows));
        int[] copy = union(staleRows.getOrDefault(slot, new int[] {0, height}), rows);
        staleRows.put(slot, new int[] {0, 0});
        if (copy[1] > copy[0]) {
            for (int y = copy[0]; y < copy[1]; y++) {
                MemorySegment.copy(px, y * width, slot.memory(), PIXEL, (long) y * slot.stride(), width);
            }
            bytesCopied += 4L * width * (copy[1] - copy[0]);
        }
        if (ackPending) {
            XdgSurface.ackConfigure(xdgSurface, ackSerial);
            ackPending = false;
        }
        WlSurface.attach(surface, slot.buffer(), 0, 0);
        if (rows[1] > rows[0]) WlSurface.damageBuffer(surface, 0, rows[0], width, rows[1] - rows[0]);
        ring.attached(slot);
        WlSurface.frame(surface).listen(frameDone);
        callbackPending = true;
        WlSurface.commit(surface);
        mirrored++;
    }

    /** The rows [from, to) where b differs from a (all of them without a). */
    private int[] changedRows(int[] a, int[] b) {
        if (a == null || a.length != b.length) return new int[] {0, height};
        int from = 0, to = height;
        while (from < height && java.util.Arrays.equals(a, from * width, (from + 1) * width, b, from * width, (from + 1) * width)) from++;
        if (from == height) return new int[] {0, 0};
        while (to > from && java.util.Arrays.equals(a, (to - 1) * width, to * width, b, (to - 1) * width, to * width)) to--;
        return new int[] {from, to};
    }

    private static int[] union(int[] a, int[] b) {
        if (a[1] <= a[0]) return b.clone();
        if (b[1] <= b[0]) return a.clone();
        return new int[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])};
    }

    /** What the window shows now (the last frame copied to the host), for tests. */
    int[] shown() { return shown; }

    void close(boolean hostAlive) {
        if (closed) return;
        closed = true;
        timer.close();
        if (hostAlive) {
            if (viewport != null) WpViewport.destroy(viewport);
            XdgToplevel.destroy(toplevel);
            XdgSurface.destroy(xdgSurface);
            WlSurface.destroy(surface);
        }
        ring.close();
    }
}
