package dev.ferry.compositor.crossdevice;

import dev.ferry.client.ShmPool;
import dev.ferry.client.Toplevel;
import dev.ferry.client.WaylandClient;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlBuffer;
import dev.ferry.protocol.interfaces.WlCallback;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlOutput;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.interfaces.XdgToplevel;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A wl_shm toplevel made fullscreen on a named output, drawing solid frames at its size. Its pool
 * is sealed (as libwayland's are), so a display that scans out system memory shows it directly
 * through a udmabuf; an unsealed pool keeps every frame on the composed paths.
 */
final class FullscreenClient implements AutoCloseable {
    private final WaylandClient client;
    private final Proxy surface;
    private final ShmPool pool;
    private final Proxy[] buffers;
    private final boolean[] busy;
    final int width;
    final int height;
    private boolean framePending;
    private final Toplevel toplevel;
    /** Outputs (by name) the surface was told it left, in order. */
    final java.util.List<String> left = new java.util.ArrayList<>();

    FullscreenClient(WaylandClient client, String outputName) throws Exception {
        this(client, outputName, 2, true);
    }

    FullscreenClient(WaylandClient client, String outputName, boolean sealedPool) throws Exception {
        this(client, outputName, 2, sealedPool);
    }

    /** With n buffers: three let it draw on while one is held on a screen that never flips again. */
    FullscreenClient(WaylandClient client, String outputName, int n) throws Exception {
        this(client, outputName, n, true);
    }

    FullscreenClient(WaylandClient client, String outputName, int n, boolean sealedPool) throws Exception {
        this.client = client;
        buffers = new Proxy[n];
        busy = new boolean[n];
        Map<String, Proxy> outputs = new HashMap<>();
        for (Proxy o : client.bindAll(WlOutput.INTERFACE, 4)) {
            o.listen(new WlOutput.Listener() {
                @Override
                public void name(Proxy self, String name) {
                    outputs.put(name, self);
                }
            });
        }
        client.roundtrip();
        Proxy output = outputs.get(outputName);
        if (output == null) throw new IOException("no output " + outputName + " in " + outputs.keySet());
        Proxy compositor = client.bind(WlCompositor.INTERFACE, 6);
        Proxy shm = client.bind(WlShm.INTERFACE, 1);
        toplevel = new Toplevel(client, compositor, null);
        surface = toplevel.surface();
        surface.listen(new WlSurface.Listener() {
            @Override
            public void leave(Proxy self, Proxy output) {
                for (var e : outputs.entrySet()) if (e.getValue() == output) left.add(e.getKey());
            }
        });
        XdgToplevel.setFullscreen(toplevel.toplevel(), output);
        WlSurface.commit(surface);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!toplevel.configured() || toplevel.configuredWidth() == 0) {
            if (System.nanoTime() > deadline) throw new IOException("no fullscreen configure");
            client.dispatch(100);
        }
        width = toplevel.configuredWidth();
        height = toplevel.configuredHeight();
        long bytes = 4L * width * height;
        pool = new ShmPool(shm, n * bytes, sealedPool);
        for (int i = 0; i < n; i++) {
            int index = i;
            buffers[i] = pool.buffer((int) (i * bytes), width, height, 4 * width, WlShm.FORMAT_XRGB8888);
            buffers[i].listen(new WlBuffer.Listener() {
                @Override
                public void release(Proxy self) {
                    busy[index] = false;
                }
            });
        }
    }

    /** Draws a solid frame (with a marker square of another colour at 10,10) and waits (real time) for its frame callback. */
    void frame(int rgb, int markerRgb) throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!submit(rgb, markerRgb)) {
            if (System.nanoTime() > deadline) throw new IOException("no buffer released");
            client.dispatch(50);
        }
        while (framePending) {
            if (System.nanoTime() > deadline) throw new IOException("no frame callback");
            client.dispatch(50);
        }
    }

    /**
     * Draws a solid frame (with a marker square of another colour at 10,10) and commits it with a
     * frame callback, waiting for nothing; false when no buffer is free. For a test that moves
     * the clock itself.
     */
    boolean submit(int rgb, int markerRgb) throws IOException {
        int i = freeBuffer();
        if (i < 0) return false;
        MemorySegment mem = pool.memory().asSlice(i * 4L * width * height, 4L * width * height);
        for (long p = 0, n = (long) width * height; p < n; p++) mem.setAtIndex(JAVA_INT, p, rgb);
        for (int y = 10; y < 40; y++) for (int x = 10; x < 40; x++) mem.setAtIndex(JAVA_INT, (long) y * width + x, markerRgb);
        busy[i] = true;
        WlSurface.attach(surface, buffers[i], 0, 0);
        WlSurface.damageBuffer(surface, 0, 0, width, height);
        framePending = true;
        WlSurface.frame(surface).listen(new WlCallback.Listener() {
            @Override
            public void done(Proxy self, int t) {
                framePending = false;
            }
        });
        WlSurface.commit(surface);
        client.flush();
        return true;
    }

    /**
     * On a virtual clock: commits one frame and moves the clock until its callback came (the
     * frame showing it is on screen, or was given up), at most maxRefreshes refreshes.
     */
    void frame(dev.ferry.compositor.kms.VirtualKms k, int rgb, int markerRgb, int maxRefreshes) throws IOException {
        k.settle();
        k.refreshUntil(() -> {
            try {
                return submit(rgb, markerRgb);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, maxRefreshes, "a free buffer");
        k.settle();
        k.refreshUntil(() -> !framePending, maxRefreshes, "the frame callback");
    }

    /** The last frame's callback has not come yet. */
    boolean framePending() { return framePending; }

    private int freeBuffer() {
        for (int i = 0; i < busy.length; i++) if (!busy[i]) return i;
        return -1;
    }

    /** The size the last configure asked for. */
    int configuredWidth() { return toplevel.configuredWidth(); }
    int configuredHeight() { return toplevel.configuredHeight(); }

    @Override
    public void close() {
        pool.close();
    }
}
