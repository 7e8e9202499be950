package dev.ferry.compositor.backend.nested;

import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.backend.Backend;
import dev.ferry.compositor.frame.OutputPainter;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.path.PathObserver;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.compositor.seat.Seat;
import dev.ferry.posix.MonotonicClock;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlSeat;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.interfaces.WpPresentation;
import dev.ferry.protocol.loop.EventLoop;
import dev.ferry.protocol.server.Display;
import dev.ferry.renderer.Renderer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Outputs that are windows of a host compositor: Ferry is a Wayland client of the host (through
 * client-sdk), with one xdg_toplevel per output. Each output is composed into Ferry's own
 * memory by its {@link OutputPainter}, then copied into a wl_shm buffer of the host, only where it
 * changed (see {@link HostWindow}). Repaint is paced by the host's frame callbacks; a host
 * configure with a new size resizes the output; the host going away or closing a window stops
 * the event loop.
 *
 * <p>The host connection lives on Ferry's event loop: its fd is watched for input (read and
 * dispatched at once) and the requests queued during a loop cycle are flushed after it, without
 * blocking (a full socket waits for EPOLLOUT).
 *
 * <p>Passthrough (the nested "direct scanout"): a client surface the host can show unchanged goes
 * to a host subsurface of the window with the client's own wl_shm buffer (see {@link HostLayers},
 * {@link HostBuffers}, {@link PassthroughPlanner}); the rest is composed as above.
 *
 * <p>dma-buf: when the host has linux-dmabuf (version 4 or later, with feedback), Ferry opens
 * its own fake devices ({@link #devicesTopology()}) and makes the device with the host's main
 * dev_t its main device, so linux-dmabuf is offered to clients, with the host's tranches first
 * (see {@link HostDmabuf}); a client dma-buf the host takes goes to it on a subsurface as a
 * wl_shm buffer does. Composed frames still go to the host in wl_shm buffers.
 */
public final class NestedBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(NestedBackend.class);

    /**
     * What to open: the host display (a socket name relative to $XDG_RUNTIME_DIR or an absolute
     * path; null for $WAYLAND_DISPLAY), how many outputs and their initial size, and Ferry's own
     * socket (which the host must not be).
     */
    public record Config(String hostDisplay, int outputs, int width, int height, int refreshMilliHz, Path ownSocket,
                         String devicesTopology) {
        /** With the devices of {@link #devicesTopology()}. */
        public Config(String hostDisplay, int outputs, int width, int height, int refreshMilliHz, Path ownSocket) {
            this(hostDisplay, outputs, width, height, refreshMilliHz, ownSocket, NestedBackend.devicesTopology());
        }
    }

    /**
     * The fake-drm topology whose devices plain nested Ferry opens to import clients' dma-bufs:
     * $FERRY_TOPOLOGY, else the default preset, the same rule as Ferry's own clients follow, so
     * Ferry, its clients and a Ferry host on fake devices agree on the devices.
     */
    public static String devicesTopology() {
        String env = System.getenv("FERRY_TOPOLOGY");
        return env == null || env.isBlank() ? dev.ferry.compositor.devices.FakeDevices.DEFAULT_TOPOLOGY : env;
    }

    /**
     * What one output has sent to the host so far: its commits, the bytes Ferry copied into host
     * buffers and the time that took, its own host buffers and their size; and for passthrough,
     * the host subsurfaces now, the client buffers attached to them, and the client buffers the
     * host holds now; and whether the output waits for the host's frame callback (its next frame
     * goes to the host when that comes).
     */
    public record HostStats(long commits, long copiedBytes, long copyNs, int buffers, int width, int height,
                            int subsurfaces, long passthroughAttaches, int clientBuffersHeld, boolean waitingForHost) {}

    /** Host subsurfaces per output at most (each costs the host a surface). */
    static final int SUBSURFACE_LIMIT = 8;

    private final Config config;
    private final Display display;
    private final Scene scene;
    private final Renderer renderer;
    private final EventLoop loop;
    private final PathObserver observer;
    private final List<HostWindow> windows = new ArrayList<>();
    private final List<OutputPainter> painters = new ArrayList<>();
    private HostConnection connection;
    private WaylandClient host;
    private Proxy compositor;
    private Proxy shm;
    private Proxy wmBase;
    private Proxy presentation;
    private Proxy subcompositor;
    private Proxy viewporter;
    private final java.util.Set<Integer> hostShmFormats = new java.util.HashSet<>(java.util.List.of(WlShm.FORMAT_ARGB8888, WlShm.FORMAT_XRGB8888));
    private HostBuffers hostBuffers;
    /** The host's linux-dmabuf and Ferry's own devices, or null when the host has none (or no device of Ferry's is its main one). */
    private HostDmabuf hostDmabuf;
    private dev.ferry.drm.DeviceSet devices;
    private dev.ferry.drm.DrmDevice mainDevice;
    private boolean passthrough = true;
    private int presentationClockId = -1;
    private Seat seat;
    private HostSeat hostSeat;
    private HostCursor hostCursor;
    private HostConstraints hostConstraints;
    private boolean closed;

    public NestedBackend(Config config, Display display, Scene scene, Renderer renderer, EventLoop loop, PathObserver observer) {
        this.config = config;
        this.display = display;
        this.scene = scene;
        this.renderer = renderer;
        this.loop = loop;
        this.observer = observer;
    }

    @Override public String name() { return "nested"; }

    /** Ferry's seat, to be driven by the host's pointer and keyboard (call before start). */
    public void useSeat(Seat s) {
        seat = s;
    }

    private dev.ferry.compositor.seat.Selection clipboard;
    private dev.ferry.compositor.seat.Selection primarySelection;
    private HostSelection hostClipboard;
    private HostSelection hostPrimary;

    /**
     * Ferry's clipboard and primary selection (either may be null), shared with the host's both
     * ways (see {@link HostSelection}). Call before start.
     */
    public void useSelections(dev.ferry.compositor.seat.Selection clipboard, dev.ferry.compositor.seat.Selection primary) {
        this.clipboard = clipboard;
        this.primarySelection = primary;
    }

    @Override
    public void start() throws IOException {
        connection = HostConnection.open(config.hostDisplay(), config.ownSocket(), () -> {
            LOG.warn("Ferry stops");
            loop.stop();
        });
        host = connection.client();
        Path hostPath = connection.path();
        compositor = host.bind(WlCompositor.INTERFACE, 6);
        shm = host.bind(WlShm.INTERFACE, 1);
        // Every format the host's wl_shm takes (ARGB8888 and XRGB8888 always): a client buffer in one goes to the host as it is.
        shm.listen(new WlShm.Listener() {
            @Override
            public void format(Proxy self, int format) {
                hostShmFormats.add(format);
            }
        });
        bindHostDmabuf();
        hostBuffers = new HostBuffers(shm, hostDmabuf == null ? null : hostDmabuf.proxy(), this::hostAnsweredImport);
        if (host.global(dev.ferry.protocol.interfaces.WlSubcompositor.INTERFACE.name()) != null) {
            subcompositor = host.bind(dev.ferry.protocol.interfaces.WlSubcompositor.INTERFACE, 1);
        }
        if (host.global(dev.ferry.protocol.interfaces.WpViewporter.INTERFACE.name()) != null) {
            viewporter = host.bind(dev.ferry.protocol.interfaces.WpViewporter.INTERFACE, 1);
        }
        wmBase = host.xdgWmBase();
        if (host.global(WpPresentation.INTERFACE.name()) != null) {
            presentation = host.bind(WpPresentation.INTERFACE, 1);
            presentation.listen(new WpPresentation.Listener() {
                @Override
                public void clockId(Proxy self, int clkId) {
                    presentationClockId = clkId;
                }
            });
        }
        if (seat != null && host.global(WlSeat.INTERFACE.name()) != null) {
            hostSeat = new HostSeat(host.bind(WlSeat.INTERFACE, 5), seat, this::outputOfHostSurface);
            Proxy shapes = host.global(dev.ferry.protocol.interfaces.WpCursorShapeManagerV1.INTERFACE.name()) == null ? null
                    : host.bind(dev.ferry.protocol.interfaces.WpCursorShapeManagerV1.INTERFACE, 1);
            hostCursor = new HostCursor(hostSeat, compositor, shm, hostBuffers, hostShmFormats, shapes,
                    dev.ferry.compositor.cursorshape.CursorImages.system());
            // A new enter comes with a new serial: the host forgets our cursor on leave.
            hostSeat.onEnter(seat::cursorSinkLost);
            seat.setCursorSink(hostCursor);
            scene.onUnplacedCommit(hostCursor::committed);
            if (clipboard != null && host.global(dev.ferry.protocol.interfaces.WlDataDeviceManager.INTERFACE.name()) != null) {
                hostClipboard = new HostSelection(clipboard, hostSeat.serials(), HostSelectionWire.clipboard(
                        host.bind(dev.ferry.protocol.interfaces.WlDataDeviceManager.INTERFACE, 3)), hostSeat.proxy());
            }
            if (primarySelection != null && host.global(dev.ferry.protocol.interfaces.ZwpPrimarySelectionDeviceManagerV1.INTERFACE.name()) != null) {
                hostPrimary = new HostSelection(primarySelection, hostSeat.serials(), HostSelectionWire.primary(
                        host.bind(dev.ferry.protocol.interfaces.ZwpPrimarySelectionDeviceManagerV1.INTERFACE, 1)), hostSeat.proxy());
            }
            if (host.global(dev.ferry.protocol.interfaces.ZwpPointerConstraintsV1.INTERFACE.name()) != null) {
                Proxy relatives = host.global(dev.ferry.protocol.interfaces.ZwpRelativePointerManagerV1.INTERFACE.name()) == null ? null
                        : host.bind(dev.ferry.protocol.interfaces.ZwpRelativePointerManagerV1.INTERFACE, 1);
                hostConstraints = new HostConstraints(seat, hostSeat, compositor,
                        host.bind(dev.ferry.protocol.interfaces.ZwpPointerConstraintsV1.INTERFACE, 1), relatives,
                        o -> window(o).hostSurface());
                seat.addConstraintListener(hostConstraints);
            }
        }
        for (int i = 1; i <= config.outputs(); i++) {
            Output o = new Output(display, "NESTED-" + i, "Ferry nested output " + i + " on " + hostPath.getFileName(),
                    "Ferry", "nested", 0, 0, config.width(), config.height(), config.refreshMilliHz());
            HostWindow w = new HostWindow(this, o, scene, renderer, loop);
            if (observer != null) w.painter().setObserver(observer);
            windows.add(w);
            painters.add(w.painter());
        }
        // The first configure of every window arrives with this roundtrip; outputs start at its size.
        host.roundtrip();
        for (HostWindow w : windows) {
            scene.addOutput(w.output());
            w.output().advertise();
        }
        connection.attach(loop);
        for (HostWindow w : windows) w.painter().schedule();
        LOG.info("nested in the host compositor at {} ({} output(s), presentation clock {})", hostPath, windows.size(),
                presentation == null ? "none: callback times" : presentationClockId);
    }

    /**
     * The host's linux-dmabuf, and Ferry's own device that is the host's main device. A real
     * nested compositor opens the device node the host names; here that is the device with the
     * same dev_t in Ferry's fake topology. Without one, dma-buf is not offered at all.
     */
    private void bindHostDmabuf() throws IOException {
        HostDmabuf h = HostDmabuf.bind(host);
        if (h == null) {
            LOG.info("the host has no linux-dmabuf (version {} or later with feedback): linux-dmabuf is not offered", HostDmabuf.MIN_VERSION);
            return;
        }
        dev.ferry.drm.DeviceSet set = dev.ferry.compositor.devices.FakeDevices.source(config.devicesTopology()).open();
        dev.ferry.drm.DrmDevice main = set.deviceByDevT(h.mainDevT());
        if (main == null) {
            LOG.warn("{}: no device of topology {} has the host's main device's dev_t; linux-dmabuf is not offered", h, config.devicesTopology());
            h.close();
            set.close();
            return;
        }
        hostDmabuf = h;
        devices = set;
        mainDevice = main;
        LOG.info("{}: clients' dma-bufs are imported on {} (topology {}) and handed to the host where it takes them",
                h, main.info().name(), config.devicesTopology());
    }

    /** The host answered a dma-buf's import: the next frame can pass that buffer through (or name the refusal). */
    private void hostAnsweredImport() {
        for (HostWindow w : windows) w.painter().schedule();
    }

    @Override
    public java.util.Optional<dev.ferry.drm.DeviceSet> devices() { return java.util.Optional.ofNullable(devices); }

    @Override
    public dev.ferry.kms.RenderDeviceChoice renderDeviceChoice() {
        return mainDevice == null ? null : new dev.ferry.kms.RenderDeviceChoice(mainDevice, "the host compositor's main device");
    }

    @Override
    public List<dev.ferry.compositor.dmabuf.PreferredTranche> preferredTranches() {
        return hostDmabuf == null ? List.of() : hostDmabuf.tranches();
    }

    @Override
    public boolean offersExplicitSync() { return false; }

    /** The output whose window is that host surface, or null. */
    private Output outputOfHostSurface(Proxy hostSurface) {
        for (HostWindow w : windows) if (w.hostSurface() == hostSurface) return w.output();
        return null;
    }

    Proxy compositor() { return compositor; }
    /** The host's wl_subcompositor, or null (then nothing goes to the host as it is). */
    Proxy subcompositor() { return subcompositor; }
    /** The host's wp_viewporter, or null. */
    Proxy viewporter() { return viewporter; }
    HostBuffers hostBuffers() { return hostBuffers; }
    PathObserver observer() { return observer; }

    /** The planner of the outputs' passthrough, for what this host takes. */
    PassthroughPlanner planner() {
        return new PassthroughPlanner(hostShmFormats, viewporter != null, SUBSURFACE_LIMIT, hostDmabuf, hostBuffers);
    }

    /** Whether surfaces the host can show unchanged go to it as they are (on by default). */
    boolean passthrough() { return passthrough; }

    /**
     * Turns host-passthrough on or off (off: everything is composed into the windows' buffers,
     * as with a host that has no subsurfaces); for comparing the two in one run. Call on the event loop.
     */
    public void setPassthrough(boolean on) {
        passthrough = on;
        for (HostWindow w : windows) w.painter().schedule();
        scene.damageAll();
    }
    Proxy shm() { return shm; }
    Proxy wmBase() { return wmBase; }

    /** The host's wp_presentation, or null when it has none. */
    Proxy presentation() { return presentation; }

    /** True when host presentation times are on Ferry's clock (CLOCK_MONOTONIC). */
    boolean hostClockIsOurs() { return presentationClockId == MonotonicClock.CLOCK_MONOTONIC; }

    /** A host size change moved the outputs: lay them out side by side again. */
    void relayout() {
        int x = 0;
        for (Output o : scene.outputs()) {
            o.moveTo(x, 0);
            x += o.width();
        }
        scene.damageAll();
    }

    /** The host asked to close one of our windows: Ferry stops, as when its own window closes. */
    void windowClosed(HostWindow w) {
        connection.gone("the host closed the window of " + w.output().name());
    }

    /** Whether the host connection is still usable. */
    boolean alive() { return connection != null && connection.alive() && !closed; }

    /**
     * Asks the host to show an output's window fullscreen (or to stop); the host answers with a
     * configure, which resizes the output. Call on the event loop.
     */
    public void setFullscreen(Output output, boolean fullscreen) {
        window(output).setFullscreen(fullscreen);
    }

    /** What the output's window sent to the host so far. Call on the event loop. */
    public HostStats hostStats(Output output) {
        return window(output).stats();
    }

    private HostWindow window(Output output) {
        for (HostWindow w : windows) if (w.output() == output) return w;
        throw new IllegalArgumentException("no nested output " + output.name());
    }

    @Override
    public List<OutputPainter> painters() { return painters; }

    /** When a frame started now reaches the host's screen, by the host's presentation times (commit timing). */
    @Override
    public long nextPresentationNs(Output output) {
        return window(output).nextPresentationNs();
    }

    @Override
    public java.util.Map<String, Object> outputDetails(Output output) {
        HostStats s = window(output).stats();
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("host_commits", s.commits());
        m.put("host_frame_pending", s.waitingForHost());
        m.put("host_copied_bytes", s.copiedBytes());
        m.put("host_passthrough", passthrough && subcompositor != null);
        m.put("host_subsurfaces", s.subsurfaces());
        m.put("host_passthrough_attaches", s.passthroughAttaches());
        m.put("host_dmabuf", hostDmabuf != null);
        m.put("host_dmabuf_refused", hostBuffers == null ? 0 : hostBuffers.refused());
        m.put("host_cursor_updates", hostCursor == null ? 0 : hostCursor.forwarded());
        m.put("host_pointer_constraints", hostConstraints == null ? 0 : hostConstraints.forwarded());
        m.put("host_selections", hostClipboard == null ? 0 : hostClipboard.forwarded());
        m.put("host_selection_serial", hostClipboard == null ? -1 : hostClipboard.lastHostSerial());
        m.put("host_selections_taken", hostClipboard == null ? 0 : hostClipboard.taken());
        m.put("host_primary_selections", hostPrimary == null ? 0 : hostPrimary.forwarded());
        m.put("host_primary_selection_serial", hostPrimary == null ? -1 : hostPrimary.lastHostSerial());
        m.put("host_primary_selections_taken", hostPrimary == null ? 0 : hostPrimary.taken());
        return m;
    }

    @Override
    public int[] screenshot(Output output) {
        return window(output).screenshot();
    }

    @Override
    public void close() {
        if (closed) return;
        boolean wasAlive = alive();
        closed = true;
        for (HostWindow w : windows) {
            w.close(wasAlive);
            w.output().withdraw();
        }
        windows.clear();
        if (seat != null && hostCursor != null) seat.setCursorSink(null);
        if (hostCursor != null) hostCursor.close(wasAlive);
        if (hostConstraints != null) hostConstraints.close(wasAlive);
        if (hostClipboard != null) hostClipboard.close(wasAlive);
        if (hostPrimary != null) hostPrimary.close(wasAlive);
        if (hostBuffers != null) hostBuffers.close(wasAlive);
        if (hostDmabuf != null) hostDmabuf.close(wasAlive);
        if (connection != null) connection.close();
        if (devices != null) devices.close();
    }
}
