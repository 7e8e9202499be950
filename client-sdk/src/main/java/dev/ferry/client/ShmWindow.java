package dev.ferry.client;

import dev.ferry.posix.PosixException;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlBuffer;
import dev.ferry.protocol.interfaces.WlCallback;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.interfaces.XdgToplevel;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * An xdg_toplevel drawn from a wl_shm pool with two buffers, paced by frame callbacks: the
 * smallest complete client, for tests and sample clients.
 */
public final class ShmWindow implements AutoCloseable {
    private final WaylandClient client;
    private final Proxy surface;
    private final Toplevel toplevel;
    private final ShmPool pool;
    private final Proxy[] buffers = new Proxy[2];
    private final boolean[] busy = new boolean[2];
    private final int width;
    private final int height;
    private boolean framePending;
    private long framesDone;
    private long frameCallbackTimeMs;

    public ShmWindow(WaylandClient client, String title, int width, int height, boolean sealed) throws IOException, PosixException {
        this.client = client;
        this.width = width;
        this.height = height;
        Proxy compositor = client.bind(WlCompositor.INTERFACE, 6);
        Proxy shm = client.bind(WlShm.INTERFACE, 1);
        toplevel = new Toplevel(client, compositor, title);
        surface = toplevel.surface();
        WlSurface.commit(surface);
        long bytes = 4L * width * height;
        pool = new ShmPool(shm, 2 * bytes, sealed);
        for (int i = 0; i < 2; i++) {
            int index = i;
            buffers[i] = pool.buffer((int) (i * bytes), width, height, 4 * width, WlShm.FORMAT_XRGB8888);
            buffers[i].listen(new WlBuffer.Listener() {
                @Override
                public void release(Proxy self) {
                    busy[index] = false;
                }
            });
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!toplevel.configured()) {
            if (System.nanoTime() > deadline) throw new IOException("no configure from the compositor");
            client.dispatch(100);
        }
    }

    public Proxy surface() { return surface; }
    public Toplevel toplevel() { return toplevel; }

    /** Asks to be fullscreen on the compositor's choice of output (draw at that output's size). */
    public void setFullscreen() throws IOException {
        XdgToplevel.setFullscreen(toplevel.toplevel(), null);
        WlSurface.commit(surface);
        client.roundtrip();
    }
    public ShmPool pool() { return pool; }
    public long framesDone() { return framesDone; }

    /** How many of the two buffers the compositor holds (attached and not yet released). */
    public int buffersHeld() { return (busy[0] ? 1 : 0) + (busy[1] ? 1 : 0); }

    /** Dispatches events until at most {@code held} buffers are held, up to timeoutMs; false on timeout. */
    public boolean awaitHeldAtMost(int held, int timeoutMs) throws IOException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (buffersHeld() > held) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) return false;
            client.dispatch((int) Math.min(left, 50));
        }
        return true;
    }

    /**
     * Draws a frame into a free buffer (painter gets the pixels, XRGB8888, stride 4*width),
     * attaches, damages and commits it with a frame callback. Returns false if both buffers
     * are still held by the compositor.
     */
    public boolean draw(Consumer<MemorySegment> painter) {
        int i = !busy[0] ? 0 : !busy[1] ? 1 : -1;
        if (i < 0) return false;
        long bytes = 4L * width * height;
        painter.accept(pool.memory().asSlice(i * bytes, bytes));
        busy[i] = true;
        WlSurface.attach(surface, buffers[i], 0, 0);
        WlSurface.damageBuffer(surface, 0, 0, width, height);
        Proxy cb = WlSurface.frame(surface);
        framePending = true;
        cb.listen(new WlCallback.Listener() {
            @Override
            public void done(Proxy self, int timeMs) {
                framePending = false;
                framesDone++;
                frameCallbackTimeMs = timeMs & 0xffffffffL;
            }
        });
        WlSurface.commit(surface);
        return true;
    }

    /**
     * Draws as soon as a buffer is free, dispatching events (releases) while waiting, up to
     * timeoutMs. Returns false on timeout.
     */
    public boolean drawWhenFree(Consumer<MemorySegment> painter, int timeoutMs) throws IOException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!draw(painter)) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) return false;
            client.dispatch((int) Math.min(left, 50));
        }
        return true;
    }

    /** Fills the whole buffer with one colour. */
    public static Consumer<MemorySegment> fill(int xrgb) {
        return mem -> {
            for (long i = 0, n = mem.byteSize() / 4; i < n; i++) mem.setAtIndex(JAVA_INT, i, xrgb);
        };
    }

    /** Waits for the last frame's callback, up to timeoutMs; false on timeout. */
    public boolean awaitFrame(int timeoutMs) throws IOException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (framePending) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) return false;
            client.dispatch((int) left);
        }
        return true;
    }

    @Override
    public void close() {
        toplevel.destroy();
        for (Proxy b : buffers) WlBuffer.destroy(b);
        pool.close();
        try {
            client.flush();
        } catch (IOException ignored) {
            // The compositor may already be gone.
        }
    }
}
