package dev.ferry.client;

import dev.ferry.posix.PosixException;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlBuffer;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A small ring of wl_shm buffers of one size and format that a client draws into and hands to
 * its compositor. A buffer is written only while the compositor does not hold it: it becomes
 * busy when {@link #attached} and free again on wl_buffer.release. The ring grows up to
 * {@code maxBuffers} when every buffer is busy, then {@link #acquire} answers null.
 *
 * <p>Each buffer has its own sealed pool, so the ring can change size buffer by buffer: after
 * {@link #resize}, free buffers of the old size are destroyed at once and busy ones when the
 * compositor releases them. Single-threaded, like the connection it lives on.
 */
public final class ShmBufferRing implements AutoCloseable {
    /** One buffer of the ring. */
    public final class Slot {
        private final ShmPool pool;
        private final Proxy buffer;
        private final int width;
        private final int height;
        private final int stride;
        private boolean busy;
        private boolean retired;

        private Slot(int width, int height) throws PosixException {
            this.width = width;
            this.height = height;
            this.stride = 4 * width;
            pool = new ShmPool(shm, (long) stride * height, true);
            buffer = pool.buffer(0, width, height, stride, format);
            buffer.listen(new WlBuffer.Listener() {
                @Override
                public void release(Proxy self) {
                    released(Slot.this);
                }
            });
        }

        /** The pixels, stride {@link #stride()} bytes; write only while not busy. */
        public MemorySegment memory() { return pool.memory(); }
        public Proxy buffer() { return buffer; }
        public int width() { return width; }
        public int height() { return height; }
        public int stride() { return stride; }
        public boolean busy() { return busy; }

        private void destroy() {
            WlBuffer.destroy(buffer);
            pool.close();
        }
    }

    private final Proxy shm;
    private final int format;
    private final int maxBuffers;
    private final List<Slot> slots = new ArrayList<>();
    private final List<Slot> retiredBusy = new ArrayList<>();
    private int width;
    private int height;
    private Runnable onRelease;

    /** A ring of up to maxBuffers width x height buffers in a wl_shm format (e.g. WlShm.FORMAT_XRGB8888). */
    public ShmBufferRing(Proxy shm, int wlShmFormat, int maxBuffers, int width, int height) {
        if (maxBuffers < 1) throw new IllegalArgumentException("maxBuffers " + maxBuffers);
        this.shm = shm;
        this.format = wlShmFormat;
        this.maxBuffers = maxBuffers;
        this.width = width;
        this.height = height;
    }

    public int width() { return width; }
    public int height() { return height; }

    /** Buffers of the current size, busy or free. */
    public List<Slot> slots() { return slots; }

    /** How many buffers (of any size) the compositor holds now. */
    public int busyCount() {
        int n = retiredBusy.size();
        for (Slot s : slots) if (s.busy) n++;
        return n;
    }

    /**
     * A free buffer of the current size, creating one if fewer than maxBuffers exist; null when
     * the compositor holds all of them (wait for a release).
     */
    public Slot acquire() throws PosixException {
        for (Slot s : slots) if (!s.busy) return s;
        if (slots.size() + retiredBusy.size() >= maxBuffers && !slots.isEmpty()) return null;
        Slot s = new Slot(width, height);
        slots.add(s);
        return s;
    }

    /** The slot was attached and committed: the compositor holds it until release. */
    public void attached(Slot s) {
        s.busy = true;
    }

    /** Changes the size of buffers handed out from now on. */
    public void resize(int newWidth, int newHeight) {
        if (newWidth == width && newHeight == height) return;
        width = newWidth;
        height = newHeight;
        for (Slot s : slots) retire(s);
        slots.clear();
    }

    private void retire(Slot s) {
        s.retired = true;
        if (s.busy) retiredBusy.add(s);
        else s.destroy();
    }

    private void released(Slot s) {
        s.busy = false;
        if (s.retired && retiredBusy.remove(s)) s.destroy();
        if (onRelease != null) onRelease.run();
    }

    /** Called after any buffer is released (a frame waiting for a free buffer can go now). */
    public void onRelease(Runnable r) {
        onRelease = r;
    }

    /** Destroys every buffer, busy or not (the connection is closing or gone). */
    @Override
    public void close() {
        for (Slot s : slots) s.destroy();
        for (Slot s : retiredBusy) s.destroy();
        slots.clear();
        retiredBusy.clear();
    }
}
