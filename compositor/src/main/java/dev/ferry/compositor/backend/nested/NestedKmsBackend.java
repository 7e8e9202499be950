package dev.ferry.compositor.backend.nested;

import dev.ferry.compositor.backend.Backend;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.seat.Seat;
import dev.ferry.compositor.stats.OutputStats;
import dev.ferry.drm.DeviceSet;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlSeat;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.interfaces.WpViewporter;
import dev.ferry.protocol.loop.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * `ferry run --backend nested --topology T`: the kms backend on the fake devices, unchanged
 * (its per-output chain, feedback, copy modes and statistics are exactly those of
 * `--backend kms`), and each connected connector shown in a window of the host compositor by a
 * {@link CrtcWindow} fed from that CRTC's read-back. This class only composes the two: it
 * delegates everything a backend answers to the kms backend. Closing a window unplugs that
 * connector (its output leaves, the others keep running); the host's input drives seat0.
 */
public final class NestedKmsBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(NestedKmsBackend.class);

    private final KmsBackend kms;
    private final String hostDisplay;
    private final Path ownSocket;
    private final EventLoop loop;
    private final List<CrtcWindow> windows = new ArrayList<>();
    private HostConnection connection;
    private Proxy compositor, shm, wmBase, viewporter;
    private Seat seat;
    private boolean closed;

    public NestedKmsBackend(KmsBackend kms, String hostDisplay, Path ownSocket, EventLoop loop) {
        this.kms = kms;
        this.hostDisplay = hostDisplay;
        this.ownSocket = ownSocket;
        this.loop = loop;
    }

    /** Ferry's seat, to be driven by the host's pointer and keyboard (call before start). */
    public void useSeat(Seat s) {
        seat = s;
    }

    public KmsBackend kms() { return kms; }

    @Override public String name() { return "nested"; }

    @Override
    public void start() throws Exception {
        connection = HostConnection.open(hostDisplay, ownSocket, () -> {
            LOG.warn("Ferry stops");
            loop.stop();
        });
        var host = connection.client();
        compositor = host.bind(WlCompositor.INTERFACE, 4);
        shm = host.bind(WlShm.INTERFACE, 1);
        wmBase = host.xdgWmBase();
        if (host.global(WpViewporter.INTERFACE.name()) != null) viewporter = host.bind(WpViewporter.INTERFACE, 1);
        if (seat != null && host.global(WlSeat.INTERFACE.name()) != null) {
            new HostSeat(host.bind(WlSeat.INTERFACE, 5), seat, this::outputOfHostSurface);
        }
        kms.start();
        // Made last to first, so the first connector's window (the panel, usually) maps last and
        // is in front on hosts that stack new windows on top.
        List<Output> outs = kms.outputs();
        for (int i = outs.size() - 1; i >= 0; i--) {
            Output o = outs.get(i);
            windows.addFirst(new CrtcWindow(this, o, String.valueOf(kms.outputDetails(o).get("device")), loop));
        }
        host.roundtrip();
        connection.attach(loop);
        LOG.info("fake connectors in windows of the host compositor at {}: {}", connection.path(),
                windows.stream().map(CrtcWindow::title).toList());
    }

    Proxy compositor() { return compositor; }
    Proxy shm() { return shm; }
    Proxy wmBase() { return wmBase; }
    /** The host's wp_viewporter, or null: then resized windows are not scaled. */
    Proxy viewporter() { return viewporter; }

    boolean alive() { return !closed && connection != null && connection.alive(); }

    private Output outputOfHostSurface(Proxy hostSurface) {
        for (CrtcWindow w : windows) if (w.hostSurface() == hostSurface) return w.output();
        return null;
    }

    /** The host closed a window: that connector is unplugged; with the last one gone Ferry stops. */
    void windowClosed(CrtcWindow w) {
        if (!windows.remove(w)) return;
        w.close(true);
        kms.connectorUnplugged(w.output());
        LOG.info("window of {} closed: connector unplugged", w.output().name());
        if (windows.isEmpty()) connection.gone("the host closed the last connector's window");
    }

    /** What each window copied to the host: frames, frames dropped while the host was busy, bytes. Call on the loop. */
    public Map<String, long[]> windowCounts() {
        Map<String, long[]> m = new java.util.LinkedHashMap<>();
        for (CrtcWindow w : windows) m.put(w.output().name(), w.counts());
        return m;
    }

    /** The title of each connector's window. Call on the loop. */
    public List<String> windowTitles() {
        return windows.stream().map(CrtcWindow::title).toList();
    }

    @Override public List<Output> outputs() { return kms.outputs(); }
    @Override public void schedule(Output output) { kms.schedule(output); }
    @Override public Map<String, Object> outputDetails(Output output) { return kms.outputDetails(output); }
    @Override public OutputStats stats(Output output) { return kms.stats(output); }
    @Override public Optional<DeviceSet> devices() { return kms.devices(); }
    @Override public dev.ferry.kms.RenderDeviceChoice renderDeviceChoice() { return kms.renderDeviceChoice(); }
    @Override public void attachFaults(dev.ferry.compositor.stats.FaultLog faults) { kms.attachFaults(faults); }
    @Override public int[] screenshot(Output output) { return kms.screenshot(output); }
    @Override public long nextPresentationNs(Output output) { return kms.nextPresentationNs(output); }
    @Override public long repaintDeadlineNs(Output output) { return kms.repaintDeadlineNs(output); }

    @Override
    public void close() {
        if (closed) return;
        boolean wasAlive = alive();
        closed = true;
        for (CrtcWindow w : windows) w.close(wasAlive);
        windows.clear();
        if (connection != null) connection.close();
        kms.close();
    }
}
