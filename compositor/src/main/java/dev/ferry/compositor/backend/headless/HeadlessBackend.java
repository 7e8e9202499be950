package dev.ferry.compositor.backend.headless;

import dev.ferry.compositor.backend.Backend;
import dev.ferry.compositor.frame.OutputPainter;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.loop.EventLoop;
import dev.ferry.protocol.server.Display;
import dev.ferry.renderer.Renderer;
import dev.ferry.renderer.RenderTarget;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Outputs that exist only in memory: each has one XRGB8888 framebuffer and a vblank cycle on
 * the monotonic clock at its refresh rate. Frames are composed at a vblank and count as shown
 * at that vblank's time, as a display would scan them out.
 */
public final class HeadlessBackend implements Backend {
    /** How many outputs and their mode. */
    public record Config(int outputs, int width, int height, int refreshMilliHz) {}

    private final Config config;
    private final Display display;
    private final Scene scene;
    private final Renderer renderer;
    private final EventLoop loop;
    private final List<HeadlessOutput> outputs = new ArrayList<>();
    private final List<OutputPainter> painters = new ArrayList<>();

    public HeadlessBackend(Config config, Display display, Scene scene, Renderer renderer, EventLoop loop) {
        this.config = config;
        this.display = display;
        this.scene = scene;
        this.renderer = renderer;
        this.loop = loop;
    }

    @Override public String name() { return "headless"; }

    @Override
    public void start() throws PosixException {
        for (int i = 1; i <= config.outputs(); i++) {
            Output o = new Output(display, "HEADLESS-" + i, "Ferry headless output " + i, "Ferry", "headless",
                    0, 0, config.width(), config.height(), config.refreshMilliHz());
            HeadlessOutput h = new HeadlessOutput(o);
            outputs.add(h);
            painters.add(h.painter);
            scene.addOutput(o);
            o.advertise();
        }
    }

    /** The painter that repaints output o (the scene asks it when o is damaged). */
    public OutputPainter painterOf(Output o) {
        for (HeadlessOutput h : outputs) if (h.output == o) return h.painter;
        return null;
    }

    @Override
    public List<OutputPainter> painters() { return painters; }

    /**
     * The vblank a frame started now is presented at: the one already armed (its paint takes
     * whatever is current then), else the first after now. Commit timing holds commits by it.
     */
    @Override
    public long nextPresentationNs(Output output) {
        for (HeadlessOutput h : outputs) if (h.output == output) return h.nextPresentationNs();
        return 0;
    }

    @Override
    public int[] screenshot(Output output) {
        for (HeadlessOutput h : outputs) {
            if (h.output == output) {
                // The frames are read back into the framebuffer only now (see HeadlessOutput.target).
                renderer.readBack(h.target).join();
                int[] px = new int[output.width() * output.height()];
                MemorySegment.copy(h.framebuffer, JAVA_INT, 0, px, 0, px.length);
                for (int i = 0; i < px.length; i++) px[i] |= 0xff000000;
                return px;
            }
        }
        throw new IllegalArgumentException("no headless output " + output.name());
    }

    @Override
    public void close() {
        for (HeadlessOutput h : outputs) h.close();
        outputs.clear();
    }

    private final class HeadlessOutput implements OutputPainter.FrameSink, AutoCloseable {
        final Output output;
        final Arena arena = Arena.ofShared();
        final MemorySegment framebuffer;
        final RenderTarget target;
        final EventLoop.Timer vblank;
        final OutputPainter painter;
        final long epochNs = loop.nowNs();
        long armedFor;

        HeadlessOutput(Output output) throws PosixException {
            this.output = output;
            long stride = 4L * output.width();
            framebuffer = arena.allocate(stride * output.height(), 64);
            // Nothing but a screenshot reads a headless output's pixels: a GPU renderer keeps
            // each frame on its side and reads back what changed only when one is taken.
            target = RenderTarget.full(framebuffer, output.width(), output.height(), (int) stride, Fourcc.XRGB8888).readingBackOnDemand();
            painter = new OutputPainter(output, scene, renderer, loop, this);
            vblank = loop.timer(this::onVblank);
        }

        @Override
        public void requestFrame() {
            if (armedFor != 0) return;
            armedFor = vblankAfter(loop.nowNs());
            vblank.armAt(armedFor);
        }

        long nextPresentationNs() {
            return armedFor != 0 ? armedFor : vblankAfter(loop.nowNs());
        }

        private long vblankAfter(long nowNs) {
            long period = output.refreshNs();
            return epochNs + ((nowNs - epochNs) / period + 1) * period;
        }

        private void onVblank() {
            long t = armedFor;
            armedFor = 0;
            long sequence = (t - epochNs) / output.refreshNs();
            painter.paint(t, sequence);
        }

        @Override
        public RenderTarget target() { return target; }

        @Override
        public void close() {
            vblank.close();
            output.withdraw();
            // Any frame still being drawn into the framebuffer has been abandoned with the renderer.
            arena.close();
        }
    }
}
