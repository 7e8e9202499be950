package dev.ferry.compositor;

import dev.ferry.compositor.backend.Backend;
import dev.ferry.compositor.backend.headless.HeadlessBackend;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.compositor.backend.nested.NestedBackend;
import dev.ferry.compositor.backend.nested.NestedKmsBackend;
import dev.ferry.compositor.path.PathObservers;
import dev.ferry.compositor.control.ControlServer;
import dev.ferry.compositor.core.CompositorGlobal;
import dev.ferry.compositor.dmabuf.LinuxDmabufGlobal;
import dev.ferry.compositor.frame.OutputPainter;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.presentation.PresentationGlobal;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.compositor.seat.InputCommand;
import dev.ferry.compositor.seat.Keymap;
import dev.ferry.compositor.seat.Seat;
import dev.ferry.compositor.shm.ShmGlobal;
import dev.ferry.compositor.socket.WaylandSocket;
import dev.ferry.compositor.stats.PathStatistics;
import dev.ferry.compositor.stats.StatsReport;
import dev.ferry.compositor.viewporter.ViewporterGlobal;
import dev.ferry.compositor.xdg.XdgWmBaseGlobal;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.posix.MonotonicClock;
import dev.ferry.protocol.loop.EventLoop;
import dev.ferry.protocol.server.Display;
import dev.ferry.renderer.Renderer;
import dev.ferry.renderer.Renderers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One running compositor: the event loop, the display and its globals, the scene, the renderer
 * and the backend, put together from {@link Options}. It owns each of them and closes them in
 * reverse order.
 */
public final class Compositor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Compositor.class);

    /** What `ferry run` was asked for. */
    public record Options(Path runtimeDir, String backend, String socketName, int outputs, int width, int height,
                          int refreshMilliHz, String renderer, KmsBackend.Config kms, String hostDisplay,
                          LinuxDmabufGlobal.Config dmabuf) {
        /** With linux-dmabuf's defaults (1 s feedback hysteresis, 100 ms fence deadline). */
        public Options(Path runtimeDir, String backend, String socketName, int outputs, int width, int height,
                       int refreshMilliHz, String renderer, KmsBackend.Config kms, String hostDisplay) {
            this(runtimeDir, backend, socketName, outputs, width, height, refreshMilliHz, renderer, kms, hostDisplay, null);
        }

        /** Without a host display (backends other than nested; nested then uses $WAYLAND_DISPLAY). */
        public Options(Path runtimeDir, String backend, String socketName, int outputs, int width, int height,
                       int refreshMilliHz, String renderer, KmsBackend.Config kms) {
            this(runtimeDir, backend, socketName, outputs, width, height, refreshMilliHz, renderer, kms, null);
        }

        /** The nested backend inside the host compositor at hostDisplay (null: $WAYLAND_DISPLAY), one 1920x1080 output. */
        public static Options nested(Path runtimeDir, String socketName, String hostDisplay) {
            return new Options(runtimeDir, "nested", socketName, 1, 1920, 1080, 60_000, "auto", null, hostDisplay);
        }

        /** The host compositor for the nested backend: a socket name in $XDG_RUNTIME_DIR or an absolute path. */
        public Options withHost(String display) {
            return new Options(runtimeDir, backend, socketName, outputs, width, height, refreshMilliHz, renderer, kms, display, dmabuf);
        }

        /** One 1920x1080@60 headless output in runtimeDir. */
        public static Options headless(Path runtimeDir, String socketName) {
            return new Options(runtimeDir, "headless", socketName, 1, 1920, 1080, 60_000, "auto", null);
        }

        /** The kms backend on fake-drm devices. */
        public static Options kms(Path runtimeDir, String socketName, KmsBackend.Config config) {
            return new Options(runtimeDir, "kms", socketName, 0, 0, 0, 0, "auto", config);
        }

        public Options withRenderer(String r) {
            return new Options(runtimeDir, backend, socketName, outputs, width, height, refreshMilliHz, r, kms, hostDisplay, dmabuf);
        }

        public Options withOutputs(int n, int w, int h, int mhz) {
            return new Options(runtimeDir, backend, socketName, n, w, h, mhz, renderer, kms, hostDisplay, dmabuf);
        }

        /** linux-dmabuf's feedback hysteresis and fence deadline (tests shorten them). */
        public Options withDmabuf(LinuxDmabufGlobal.Config config) {
            return new Options(runtimeDir, backend, socketName, outputs, width, height, refreshMilliHz, renderer, kms, hostDisplay, config);
        }
    }

    private final Options options;
    private final long startNs = MonotonicClock.nowNs();
    private EventLoop loop;
    /** Tells the loop of each move of a virtual clock; closed with the loop. */
    private AutoCloseable clockWatch;
    private Display display;
    private Scene scene;
    private Renderer renderer;
    private Backend backend;
    private Renderer cpuRenderer;
    private final PathObservers observers = new PathObservers();
    private PathStatistics pathStatistics;
    /** Every fault the compositor met, for `ferry ctl stats` and the report. */
    private final dev.ferry.compositor.stats.FaultLog faults = new dev.ferry.compositor.stats.FaultLog();
    private WaylandSocket socket;
    /** The renderer while it starts (null once taken): a failed build closes it when it has started. */
    private dev.ferry.renderer.RendererStart starting;
    private ControlServer control;
    private LinuxDmabufGlobal linuxDmabuf;
    private dev.ferry.compositor.syncobj.LinuxDrmSyncobjGlobal syncobj;
    private final dev.ferry.compositor.fence.FenceDeadlines fenceDeadlines = new dev.ferry.compositor.fence.FenceDeadlines();
    /** Commit timing's view of when frames present, and its wake-ups. */
    private dev.ferry.compositor.committiming.OutputPresentationTiming presentationTiming;
    private Keymap keymap;
    private Seat seat;
    private dev.ferry.compositor.seat.ShapeCursors shapeCursors;
    private dev.ferry.compositor.stats.ProcessCost processCost;
    private volatile Thread thread;

    private Compositor(Options options) {
        this.options = options;
    }

    /** Builds everything and binds the socket; call {@link #run} (or {@link #startThread}) to serve. */
    public static Compositor create(Options options) throws Exception {
        Compositor c = new Compositor(options);
        try {
            c.build();
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    private void build() throws Exception {
        socket = WaylandSocket.open(options.runtimeDir(), options.socketName());
        // From here the kernel accepts clients (they wait in the backlog until the loop runs).
        // The renderer (EGL or Vulkan initialisation: the longest single step of a start) comes
        // up on its own thread while the loop, the display and the seat's keymap are built.
        starting = dev.ferry.renderer.RendererStart.begin(options.renderer());
        // The loop keeps the devices' time: on a test's virtual clock its timers (flip watchdogs,
        // retries, fence deadlines) fire when the test moves the clock, never in real time.
        dev.ferry.drm.KernelClock clock = options.kms() != null ? options.kms().devices().clock() : dev.ferry.drm.KernelClock.monotonic();
        loop = new EventLoop(clock.isMonotonic() ? dev.ferry.protocol.loop.LoopClock.MONOTONIC : clock::nowNs);
        EventLoop timers = loop;
        clockWatch = clock.onAdvance(timers::clockAdvanced);
        display = new Display(loop);
        keymap = Keymap.defaultUs();
        scene = new Scene(this::repaint);
        pathStatistics = new PathStatistics(scene);
        observers.add(pathStatistics);
        var timeline = dev.ferry.compositor.stats.Timeline.attach(scene);
        observers.add(timeline);
        // Before the record moves to the gone list: the allocation its feedback offers now, for
        // the report's "what to do" once the surface is gone (linux-dmabuf exists from start()).
        scene.onSurfaceDestroyed(s -> pathStatistics.keepAllocation(s,
                dev.ferry.compositor.stats.SuggestedAllocation.now(s, linuxDmabuf, backend.devices().orElse(null))));
        scene.onSurfaceDestroyed(pathStatistics::surfaceDestroyed);
        scene.onSurfaceDestroyed(timeline::surfaceDestroyed);
        renderer = starting.join();
        starting = null;
        backend = switch (options.backend()) {
            case "headless" -> new HeadlessBackend(new HeadlessBackend.Config(options.outputs(), options.width(),
                    options.height(), options.refreshMilliHz()), display, scene, renderer, loop);
            case "kms" -> {
                cpuRenderer = renderer instanceof dev.ferry.renderer.cpu.CpuRenderer ? renderer : Renderers.create("cpu");
                yield new KmsBackend(options.kms() == null ? KmsBackend.Config.of((String) null) : options.kms(), display, scene,
                        renderer, cpuRenderer, loop, observers);
            }
            // With a topology, nested runs the kms backend on its fake devices and shows each
            // connector in a host window; without one, its outputs are host windows themselves.
            case "nested" -> {
                if (options.kms() == null) {
                    yield new NestedBackend(new NestedBackend.Config(options.hostDisplay(), options.outputs(), options.width(),
                            options.height(), options.refreshMilliHz(), options.runtimeDir().resolve(socket.name()),
                            NestedBackend.devicesTopology()), display, scene, renderer, loop, observers);
                }
                cpuRenderer = renderer instanceof dev.ferry.renderer.cpu.CpuRenderer ? renderer : Renderers.create("cpu");
                yield new NestedKmsBackend(new KmsBackend(options.kms(), display, scene, renderer, cpuRenderer, loop, observers),
                        options.hostDisplay(), options.runtimeDir().resolve(socket.name()), loop);
            }
            default -> throw new IllegalArgumentException("unknown backend " + options.backend() + " (kms, headless)");
        };
        backend.attachFaults(faults);
        new CompositorGlobal(display, scene);
        ShmGlobal shm = new ShmGlobal(display, new int[] {Fourcc.ARGB8888, Fourcc.XRGB8888, Fourcc.ABGR8888, Fourcc.XBGR8888});
        seat = new Seat(display, scene, keymap);
        shapeCursors = new dev.ferry.compositor.seat.ShapeCursors(display, shm, scene, dev.ferry.compositor.cursorshape.CursorImages.system());
        seat.setShapeCursors(shapeCursors);
        if (backend instanceof NestedBackend nested) nested.useSeat(seat);
        if (backend instanceof NestedKmsBackend nested) nested.useSeat(seat);
        new XdgWmBaseGlobal(display, scene, seat);
        new ViewporterGlobal(display);
        new PresentationGlobal(display);
        var desktop = DesktopProtocols.install(display, scene, seat);
        if (backend instanceof NestedBackend nested) nested.useSelections(desktop.dataDevice().clipboard(), desktop.primarySelection().primary());
        backend.start();
        if (backend.devices().isPresent() && backend.renderDeviceChoice().device() == null) {
            LOG.info("no device can render: linux-dmabuf is not offered, clients draw into wl_shm and every frame is a CPU copy");
        } else if (backend.devices().isPresent()) {
            // linux-dmabuf only where there are devices to import into (they exist once the
            // backend started); its main device is the backend's render device, and its
            // FeedbackController must hear every frame's path.
            var main = backend.renderDeviceChoice().device();
            linuxDmabuf = new LinuxDmabufGlobal(display, backend.devices().get(), main, renderer.dmaBufFormats(),
                    backend.preferredTranches(), options.dmabuf() != null ? options.dmabuf() : LinuxDmabufGlobal.Config.defaults());
            observers.add(linuxDmabuf.feedback());
            // A feedback object destroyed before its surface: keep what its last batch offered.
            var devices = backend.devices().get();
            var dmabufGlobal = linuxDmabuf;
            linuxDmabuf.feedback().onFeedbackEnded((surface, sent) -> pathStatistics.keepAllocation(surface,
                    dev.ferry.compositor.stats.SuggestedAllocation.of(surface, sent, dmabufGlobal.table(), devices)));
            linuxDmabuf.fences().setDeadlines(fenceDeadlines);
            linuxDmabuf.fences().recordFaultsIn(faults);
            linuxDmabuf.recordImportFaultsIn(faults);
            if (backend.offersExplicitSync() && dev.ferry.compositor.syncobj.LinuxDrmSyncobjGlobal.advertisable(main)) {
                syncobj = new dev.ferry.compositor.syncobj.LinuxDrmSyncobjGlobal(display, loop, backend.devices().get(), main,
                        linuxDmabuf.fences().deadlineNs(), fenceDeadlines);
                syncobj.recordFaultsIn(faults);
            }
        }
        fenceDeadlines.setTarget(this::repaintDeadlineNs);
        new dev.ferry.compositor.fifo.FifoGlobal(display);
        presentationTiming = new dev.ferry.compositor.committiming.OutputPresentationTiming(backend, scene, loop);
        new dev.ferry.compositor.committiming.CommitTimingGlobal(display, presentationTiming);
        for (OutputPainter p : backend.painters()) p.setObserver(observers);
        processCost = new dev.ferry.compositor.stats.ProcessCost(loop, this::framesPresented);
        display.listen(socket.listener());
        control = new ControlServer(options.runtimeDir(), socket.name(), this::control, this::statsLine);
        StringBuilder outs = new StringBuilder();
        for (Output o : scene.outputs()) outs.append(outs.isEmpty() ? "" : ", ").append(o);
        LOG.info("Ferry serving WAYLAND_DISPLAY={} on the {} backend, renderer {}, outputs: {}",
                socket.name(), backend.name(), renderer.name(), outs);
    }

    /** The output a surface's next frame goes to: its first, else the primary one (null: none). */
    private Output outputFor(dev.ferry.compositor.core.Surface s) {
        return s.outputs().isEmpty() ? scene.primaryOutput() : s.outputs().getFirst();
    }

    /** The repaint deadline of the surface's next frame. */
    private long repaintDeadlineNs(dev.ferry.compositor.core.Surface s) {
        Output o = outputFor(s);
        return o == null ? 0 : backend.repaintDeadlineNs(o);
    }

    private void repaint(Output o) {
        if (backend != null) backend.schedule(o);
    }

    /** Where backends report the path of every surface in every frame. */
    public PathObservers pathObservers() { return observers; }

    public Backend backend() { return backend; }

    /** The renderer the backend composes with (the kms backend's GPU renderer; it also has a CPU one). */
    public dev.ferry.renderer.Renderer renderer() { return renderer; }

    public PathStatistics pathStatistics() { return pathStatistics; }

    /** The faults met so far (read and written on the event loop). */
    public dev.ferry.compositor.stats.FaultLog faults() { return faults; }

    public String socketName() { return socket.name(); }
    public EventLoop loop() { return loop; }
    public Display display() { return display; }
    public Scene scene() { return scene; }
    /** The pictures and surfaces of cursor shapes (headless and kms draw them). */
    public dev.ferry.compositor.seat.ShapeCursors shapeCursors() { return shapeCursors; }

    /** seat0: the pointer and keyboard that `ferry ctl input` (and a host's input, nested) drive. */
    public Seat seat() { return seat; }
    /** The linux-dmabuf global (feedback controller, fence counts), or null when the backend has no kernel. */
    public LinuxDmabufGlobal linuxDmabuf() { return linuxDmabuf; }
    /** The explicit-sync global, or null where the devices have no syncobjs (headless, nested). */
    public dev.ferry.compositor.syncobj.LinuxDrmSyncobjGlobal syncobj() { return syncobj; }
    /** Fence deadline hints given for acquire fences (implicit and explicit). */
    public dev.ferry.compositor.fence.FenceDeadlines fenceDeadlines() { return fenceDeadlines; }

    /** Serves on the calling thread until {@link #stop}. */
    public void run() throws Exception {
        thread = Thread.currentThread();
        int nicer = JitPriority.apply();
        if (nicer < 0) LOG.warn("the JIT's compiler threads could not be made nice {}: they compete with the event loop", JitPriority.NICE);
        else LOG.debug("{} JIT compiler threads at nice {}", nicer, JitPriority.NICE);
        loop.run();
    }

    /** Serves on a new thread (tests, the demo). */
    public Thread startThread() {
        Thread t = Thread.ofPlatform().name("ferry-loop").start(() -> {
            try {
                run();
            } catch (Exception e) {
                LOG.error("event loop stopped", e);
            }
        });
        thread = t;
        return t;
    }

    public void stop() {
        if (loop != null) loop.stop();
    }

    /** Runs work on the loop and waits for its answer (never from the loop itself). */
    public <T> T onLoop(Supplier<T> work) {
        if (loop.inLoop()) return work.get();
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(work.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        try {
            return f.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException("the compositor did not answer in 5 s: " + e);
        }
    }

    /** Frames every output has presented since start. */
    private long framesPresented() {
        long n = 0;
        for (Output o : backend.outputs()) n += backend.stats(o).frames();
        return n;
    }

    public byte[] statsJson() {
        return StatsReport.toJson(onLoop(() -> statsTree(true)));
    }

    /**
     * The same statistics as one line of JSON (a `ferry ctl stats --watch` line), without the
     * timeline and with only the newest gone surfaces ({@link StatsReport#trimGone}): a live view
     * has the present, and the timeline's two minutes of buckets and every gone surface's counters
     * would be most of the cost of every line.
     */
    public byte[] statsLine() {
        return StatsReport.toJsonLine(onLoop(() -> statsTree(false)));
    }

    /** Built on the loop, from the counters: the only cost a stats request or watch adds. */
    private Map<String, Object> statsTree(boolean withTimeline) {
        Map<String, Object> tree = StatsReport.build(display, scene, backend, pathStatistics, renderer.name(),
                MonotonicClock.nowNs() - startNs);
        // The clock the fault entries' time_ms are on, now: a reader turns them into "at N s after start".
        tree.put("clock_ms", MonotonicClock.nowNs() / 1_000_000L);
        if (withTimeline) StatsReport.addTimeline(tree, scene);
        else StatsReport.trimGone(tree);
        tree.put("process", processCost.toMap());
        if (!renderer.memoryStatistics().isEmpty()) tree.put("renderer_memory", renderer.memoryStatistics());
        tree.put("faults", StatsReport.faults(faults, backend.devices().map(dev.ferry.compositor.devices.FakeDevices::injected).orElse(java.util.List.of())));
        StatsReport.addDmabuf(tree, scene, linuxDmabuf, backend.devices().orElse(null));
        StatsReport.explainReasons(tree, backend.devices().orElse(null), linuxDmabuf);
        if (syncobj != null) tree.put("explicitSync", syncobj.statsTree());
        var d = fenceDeadlines.counts();
        tree.put("fenceDeadlines", Map.of("set", d.set(), "met", d.met(), "boosted", d.boosted()));
        return tree;
    }

    /** A picture of one output: 0xAARRGGBB pixels, row by row. */
    public record Screenshot(String output, int width, int height, int[] pixels) {
        public int at(int x, int y) {
            return pixels[y * width + x];
        }
    }

    /** What the output (null: the first) shows now. */
    public Screenshot screenshot(String outputName) {
        return onLoop(() -> {
            Output o = outputName == null ? scene.primaryOutput() : scene.outputNamed(outputName);
            if (o == null) throw new IllegalArgumentException("no output named " + outputName);
            return new Screenshot(o.name(), o.width(), o.height(), backend.screenshot(o));
        });
    }

    /** What the output shows now, as a PNG. */
    public byte[] screenshotPng(String outputName) {
        Screenshot shot = screenshot(outputName);
        BufferedImage img = new BufferedImage(shot.width(), shot.height(), BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, shot.width(), shot.height(), shot.pixels(), 0, shot.width());
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", png);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return png.toByteArray();
    }

    /** Sends input through seat0 and says where focus is afterwards. */
    public byte[] input(InputCommand command) {
        return onLoop(() -> {
            command.applyTo(seat);
            display.flushClients();
            return ("pointer " + seat.pointerX() + "," + seat.pointerY() + " on " + seat.pointerFocus()
                    + ", keyboard focus " + seat.keyboardFocus() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        });
    }

    private byte[] control(String request) {
        String[] words = request.split("\\s+");
        return switch (words[0]) {
            case "stats" -> statsJson();
            case "screenshot" -> screenshotPng(words.length > 1 ? words[1] : null);
            case "fault" -> onLoop(() -> dev.ferry.compositor.devices.FaultRequest.serve(words, backend.devices().orElse(null), scene))
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            case "input" -> input(InputCommand.parse(request.substring("input".length())));
            default -> throw new IllegalArgumentException("unknown control request '" + words[0] + "' (stats, screenshot OUTPUT, input ...)");
        };
    }

    @Override
    public void close() {
        if (control != null) control.close();
        if (loop != null && thread != null && thread != Thread.currentThread()) {
            loop.stop();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Each step even if one before it failed (a half-started backend may fail to close):
        // above all the socket and its lock file must go, or the next start finds them.
        closing("display", () -> { if (display != null) display.close(); });
        closing("cursor shapes", () -> { if (shapeCursors != null) shapeCursors.close(); });
        closing("process cost", () -> { if (processCost != null) processCost.close(); });
        closing("commit timing", () -> { if (presentationTiming != null) presentationTiming.close(); });
        closing("syncobj", () -> { if (syncobj != null) syncobj.close(); });
        closing("linux-dmabuf", () -> { if (linuxDmabuf != null) linuxDmabuf.close(); });
        // Renderers before the backend: closing one waits for the GPU work in flight, which may
        // still be writing into the backend's buffers; only then may the backend unmap them.
        closing("cpu renderer", () -> { if (cpuRenderer != null && cpuRenderer != renderer) cpuRenderer.close(); });
        closing("renderer", () -> { if (renderer != null) renderer.close(); });
        closing("starting renderer", () -> { if (starting != null) starting.abandon(); });
        closing("backend", () -> { if (backend != null) backend.close(); });
        // The seat's keymap, which may be the host's by now; the default one too if it was replaced.
        closing("seat keymap", () -> { if (seat != null) seat.keymap().close(); });
        closing("keymap", () -> { if (keymap != null) keymap.close(); });
        closing("clock", () -> { if (clockWatch != null) clockWatch.close(); });
        closing("event loop", () -> { if (loop != null) loop.close(); });
        closing("socket", () -> { if (socket != null) socket.close(); });
    }

    private interface CloseStep {
        void run() throws Exception;
    }

    private static void closing(String what, CloseStep step) {
        try {
            step.run();
        } catch (Exception | Error e) {
            LOG.warn("closing the {} failed: {}", what, e.toString());
        }
    }
}
