package dev.ferry.compositor.semantics;

import dev.ferry.client.ShmPool;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.FerryServer;
import dev.ferry.compositor.scene.Window;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlBuffer;
import dev.ferry.protocol.interfaces.WlCallback;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlOutput;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.interfaces.WlSubcompositor;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.interfaces.WpPresentation;
import dev.ferry.protocol.interfaces.WpViewporter;
import dev.ferry.protocol.interfaces.XdgSurface;
import dev.ferry.protocol.interfaces.XdgToplevel;
import dev.ferry.protocol.interfaces.XdgWmBase;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A Java Wayland client for the semantics tests: the usual globals bound, one big shm pool with
 * buffers painted by a function of (x, y), toplevels that are configured and acked, frame
 * callbacks and buffer releases recorded, and protocol errors caught.
 */
final class TestClient implements AutoCloseable {
    static final int RED = 0xffff0000, GREEN = 0xff00ff00, BLUE = 0xff0000ff, WHITE = 0xffffffff,
            YELLOW = 0xffffff00, MAGENTA = 0xffff00ff, CYAN = 0xff00ffff;
    private static final long POOL_BYTES = 32L << 20;

    final FerryServer ferry;
    final WaylandClient client;
    final Proxy compositor;
    final Proxy subcompositor;
    final Proxy shm;
    final Proxy wm;
    final Proxy viewporter;
    final Proxy presentation;
    final List<Proxy> outputs;
    final List<String> outputNames = new ArrayList<>();
    private final ShmPool pool;
    private long poolUsed;

    /** Painted pixels of one buffer. */
    interface Painter {
        int at(int x, int y);
    }

    /** A wl_buffer with its release events counted. */
    static final class Buf {
        final Proxy proxy;
        final MemorySegment memory;
        final int width, height;
        int releases;

        Buf(Proxy proxy, MemorySegment memory, int width, int height) {
            this.proxy = proxy;
            this.memory = memory;
            this.width = width;
            this.height = height;
            proxy.listen(new WlBuffer.Listener() {
                @Override
                public void release(Proxy self) {
                    releases++;
                }
            });
        }

        void paint(Painter p) {
            for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) memory.setAtIndex(JAVA_INT, (long) y * width + x, p.at(x, y));
        }
    }

    /** A wl_callback's done, if it came: the time and the moment we read it. */
    static final class Frame {
        boolean done;
        long timeMs;
        long receivedNs;
    }

    /** A toplevel with the configures it got. */
    final class Toplevel {
        final Proxy surface;
        final Proxy xdgSurface;
        final Proxy toplevel;
        final String title;
        int lastSerial = -1;
        int configures;
        int width, height;
        final List<Integer> states = new ArrayList<>();
        boolean autoAck = true;
        /** wl_surface.enter/leave as they came: "+N" or "-N", N the index in {@link #outputs}. */
        final List<String> outputEvents = new ArrayList<>();

        Toplevel(String title) {
            this.title = title;
            surface = WlCompositor.createSurface(compositor);
            surface.listen(new WlSurface.Listener() {
                @Override
                public void enter(Proxy self, Proxy output) {
                    outputEvents.add("+" + outputs.indexOf(output));
                }

                @Override
                public void leave(Proxy self, Proxy output) {
                    outputEvents.add("-" + outputs.indexOf(output));
                }
            });
            xdgSurface = XdgWmBase.getXdgSurface(wm, surface);
            xdgSurface.listen(new XdgSurface.Listener() {
                @Override
                public void configure(Proxy self, int serial) {
                    lastSerial = serial;
                    configures++;
                    if (autoAck) XdgSurface.ackConfigure(self, serial);
                }
            });
            toplevel = XdgSurface.getToplevel(xdgSurface);
            toplevel.listen(new XdgToplevel.Listener() {
                @Override
                public void configure(Proxy self, int w, int h, MemorySegment st) {
                    width = w;
                    height = h;
                    states.clear();
                    for (long i = 0; i < st.byteSize() / 4; i++) states.add(st.getAtIndex(JAVA_INT, i));
                }
            });
            XdgToplevel.setTitle(toplevel, title);
        }

        /** Waits for a configure after the one numbered {@code seen}. */
        void awaitConfigure(int seen) throws IOException {
            await(() -> configures > seen, "a configure for " + title);
        }

        /** Shows buf (committed with a frame callback) and waits until it is on screen. */
        Window show(Buf buf) throws IOException {
            Frame f = commitBuffer(surface, buf);
            awaitFrame(f);
            Window w = ferry.window(title);
            assertTrue(w != null, title + " is not mapped");
            return w;
        }
    }

    TestClient(FerryServer ferry) throws Exception {
        this.ferry = ferry;
        client = WaylandClient.connect(ferry.runtimeDir().resolve(ferry.socketName()).toString());
        compositor = client.bind(WlCompositor.INTERFACE, 6);
        subcompositor = client.bind(WlSubcompositor.INTERFACE, 1);
        shm = client.bind(WlShm.INTERFACE, 1);
        wm = client.xdgWmBase();
        viewporter = client.bind(WpViewporter.INTERFACE, 1);
        presentation = client.bind(WpPresentation.INTERFACE, 2);
        outputs = client.bindAll(WlOutput.INTERFACE, 4);
        for (Proxy o : outputs) {
            outputNames.add(null);
            int index = outputNames.size() - 1;
            o.listen(new WlOutput.Listener() {
                @Override
                public void name(Proxy self, String name) {
                    outputNames.set(index, name);
                }
            });
        }
        pool = new ShmPool(shm, POOL_BYTES, true);
        client.roundtrip();
    }

    /** What the first output shows where no window is (its bottom-right corner stays empty in these tests). */
    int background() {
        Compositor.Screenshot s = ferry.screenshot();
        return s.at(s.width() - 1, s.height() - 1);
    }

    Proxy surface() {
        return WlCompositor.createSurface(compositor);
    }

    /** A new XRGB8888 buffer filled by the painter. */
    Buf buffer(int width, int height, Painter p) {
        long bytes = 4L * width * height;
        if (poolUsed + bytes > POOL_BYTES) throw new IllegalStateException("test pool exhausted");
        Proxy b = pool.buffer((int) poolUsed, width, height, 4 * width, WlShm.FORMAT_XRGB8888);
        Buf buf = new Buf(b, pool.memory().asSlice(poolUsed, bytes), width, height);
        poolUsed += (bytes + 63) & ~63L;
        buf.paint(p);
        return buf;
    }

    Buf solid(int width, int height, int argb) {
        return buffer(width, height, (x, y) -> argb);
    }

    /** A toplevel that has had its initial commit and acked the first configure. */
    Toplevel toplevel(String title) throws IOException {
        Toplevel t = new Toplevel(title);
        WlSurface.commit(t.surface);
        t.awaitConfigure(0);
        return t;
    }

    /** A toplevel mapped with a buffer of that size and colour, on screen when this returns. */
    Toplevel mappedToplevel(String title, int width, int height, int argb) throws IOException {
        Toplevel t = toplevel(title);
        t.show(solid(width, height, argb));
        return t;
    }

    Frame frame(Proxy surface) {
        Frame f = new Frame();
        WlSurface.frame(surface).listen(new WlCallback.Listener() {
            @Override
            public void done(Proxy self, int timeMs) {
                f.done = true;
                f.timeMs = timeMs & 0xffffffffL;
                f.receivedNs = System.nanoTime();
            }
        });
        return f;
    }

    /** attach + damage_buffer(all) + frame + commit. */
    Frame commitBuffer(Proxy surface, Buf buf) {
        WlSurface.attach(surface, buf.proxy, 0, 0);
        WlSurface.damageBuffer(surface, 0, 0, buf.width, buf.height);
        Frame f = frame(surface);
        WlSurface.commit(surface);
        return f;
    }

    void awaitFrame(Frame f) throws IOException {
        await(() -> f.done, "a frame callback");
    }

    /** Dispatches until the condition holds; fails after 3 s. */
    void await(BooleanSupplier condition, String what) throws IOException {
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (client.display().failed()) fail("protocol error while waiting for " + what + ": " + client.display().error());
            if (System.nanoTime() > deadline) fail("timed out waiting for " + what);
            client.dispatch(20);
        }
    }

    /** Dispatches events for about ms milliseconds (for "nothing happens" checks). */
    void idle(int ms) throws IOException {
        long deadline = System.nanoTime() + ms * 1_000_000L;
        long left;
        while ((left = (deadline - System.nanoTime()) / 1_000_000L) > 0) client.dispatch((int) left);
    }

    void roundtrip() throws IOException {
        client.roundtrip();
    }

    /**
     * What the output shows once every request sent so far was handled and a few vblanks
     * passed, so that any frame they cause has been drawn.
     */
    Compositor.Screenshot settledScreenshot() throws IOException {
        roundtrip();
        idle(70);
        return ferry.screenshot();
    }

    /** Expects the requests sent so far to end in this protocol error on that object. */
    void expectError(Proxy on, int code) {
        try {
            for (int i = 0; i < 10; i++) client.roundtrip();
        } catch (IOException expected) {
            // The compositor sends the error and hangs up.
        }
        assertTrue(client.display().failed(), "expected protocol error " + code + " on " + on + ", got none");
        assertEquals(code, client.display().errorCode(), client.display().error());
        assertEquals(on.id(), client.display().errorObjectId(), "error object; message: " + client.display().error());
    }

    /** Polls the screenshot until the pixel has the colour, up to 2 s; returns the last value. */
    int awaitPixel(int x, int y, int argb) throws Exception {
        roundtrip();
        int[] last = new int[1];
        FerryServer.eventually(java.time.Duration.ofSeconds(2), () -> (last[0] = ferry.screenshot().at(x, y)) == argb);
        return last[0];
    }

    @Override
    public void close() {
        client.close();
    }

    static String hex(int argb) {
        return String.format("%08x", argb);
    }
}
