package dev.ferry.compositor.backend.kms;

import dev.ferry.compositor.backend.Backend;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.path.PathObserver;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.compositor.stats.OutputStats;
import dev.ferry.drm.AllocationException;
import dev.ferry.compositor.devices.DeviceSource;
import dev.ferry.compositor.devices.FakeDevices;
import dev.ferry.drm.DeviceSet;
import dev.ferry.drm.DrmDevice;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.kms.CopyMode;
import dev.ferry.kms.CrossDeviceCopy;
import dev.ferry.kms.KmsPipe;
import dev.ferry.kms.RenderDeviceChoice;
import dev.ferry.kms.ScanoutCache;
import dev.ferry.kms.Swapchain;
import dev.ferry.posix.Epoll;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.loop.EventLoop;
import dev.ferry.protocol.server.Display;
import dev.ferry.renderer.Renderer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Outputs on (fake) KMS devices: one per connected connector of every display device, each
 * driven through the path chain by a {@link KmsOutputDriver}. The render device is the first
 * device that can render; page-flip events arrive on each device's event fd in the loop.
 */
public final class KmsBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(KmsBackend.class);
    private static final int SWAPCHAIN_LENGTH = 3;
    private static final long HOTPLUG_POLL_NS = 250_000_000L;

    /** Where the devices come from (a fake topology, its clock and faults), the primary GPU and forced copy modes. */
    public record Config(DeviceSource devices, String renderDevice, Map<String, CopyMode> copyModes) {
        public Config {
            copyModes = copyModes == null ? Map.of() : Map.copyOf(copyModes);
        }

        /** A topology preset or file (null: the default) on the monotonic clock, no faults. */
        public static Config of(String topology) {
            return of(FakeDevices.source(topology));
        }

        /** Devices from anywhere: a fake topology with a clock and faults, or real ones. */
        public static Config of(DeviceSource devices) {
            return new Config(devices, null, Map.of());
        }

        /** What the devices were asked for as (a topology preset or file), for messages. */
        public String topology() { return devices.name(); }

        public Config withRenderDevice(String device) {
            return new Config(devices, device, copyModes);
        }

        /** Forces a device's copy mode (like Mutter's debug switch): the modes before it are skipped. */
        public Config withCopyMode(String device, CopyMode mode) {
            Map<String, CopyMode> m = new HashMap<>(copyModes);
            m.put(device, mode);
            return new Config(devices, renderDevice, m);
        }
    }

    private final Config config;
    private final Display display;
    private final Scene scene;
    private final Renderer gpu;
    private final Renderer cpu;
    private final EventLoop loop;
    private final PathObserver observer;
    private final List<KmsOutputDriver> drivers = new ArrayList<>();
    private final Map<DrmDevice, EventLoop.Source> eventSources = new HashMap<>();
    /** Per output, what it alone owns (swapchain or copy mode, scan-out cache): released when it goes. */
    private final Map<KmsOutputDriver, List<AutoCloseable>> outputParts = new HashMap<>();
    /** Devices that went away under an output and have not come back: their return is a re-plug. */
    private final java.util.Set<DrmDevice> lostDevices = new java.util.HashSet<>();
    private RenderReach reach;
    /**
     * Connectors (device/connector) whose output could not be fed: not tried again at every
     * hotplug poll (each try would be named again), only once the device or the monitor is
     * plugged back in.
     */
    private final java.util.Set<String> unfed = new java.util.HashSet<>();
    /** Connectors whose nested window was closed (device/connector): never restarted. */
    private final java.util.Set<String> closedConnectors = new java.util.HashSet<>();
    private DeviceSet kernel;
    private RenderDeviceChoice renderChoice;
    private DrmDevice renderDevice;
    private String renderDeviceWhy = "";
    private EventLoop.Timer hotplug;
    private dev.ferry.compositor.stats.FaultLog faults = new dev.ferry.compositor.stats.FaultLog();

    public KmsBackend(Config config, Display display, Scene scene, Renderer gpu, Renderer cpu, EventLoop loop, PathObserver observer) {
        this.config = config;
        this.display = display;
        this.scene = scene;
        this.gpu = gpu;
        this.cpu = cpu;
        this.loop = loop;
        this.observer = observer;
    }

    @Override public String name() { return "kms"; }

    @Override public java.util.Optional<DeviceSet> devices() { return java.util.Optional.ofNullable(kernel); }

    @Override public RenderDeviceChoice renderDeviceChoice() { return renderChoice; }

    @Override public void attachFaults(dev.ferry.compositor.stats.FaultLog faults) { this.faults = faults; }

    /** Where the per-output drivers record faults and their recovery. */
    dev.ferry.compositor.stats.FaultLog faults() { return faults; }

    public DrmDevice renderDevice() { return renderDevice; }

    public String renderDeviceWhy() { return renderDeviceWhy; }

    /** The copy mode of an output on another device than the render GPU, or null. */
    public CopyMode copyMode(Output o) {
        for (KmsOutputDriver d : drivers) if (d.output() == o) return d.copyMode();
        return null;
    }

    /** Bytes the copy mode moved for this output since start (0 for local outputs). */
    public long bytesCopied(Output o) {
        for (KmsOutputDriver d : drivers) if (d.output() == o && d.cross() != null) return d.cross().bytesCopied();
        return 0;
    }

    @Override
    public Map<String, Object> outputDetails(Output o) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (KmsOutputDriver d : drivers) {
            if (d.output() != o) continue;
            m.put("device", d.pipe().device().info().name());
            m.put("render_device", renderDevice == null ? null : renderDevice.info().name());
            if (d.cross() != null) {
                m.put("copy_mode", d.cross().mode() == null ? null : d.cross().mode().label());
                Map<String, String> why = new java.util.LinkedHashMap<>();
                for (Map.Entry<CopyMode, String> e : d.cross().failures().entrySet()) why.put(e.getKey().label(), e.getValue());
                m.put("copy_modes_not_used", why);
                m.put("bytes_copied", d.cross().bytesCopied());
                long frames = d.cross().framesPresented();
                m.put("bytes_copied_per_frame", frames == 0 ? 0 : d.cross().bytesCopied() / frames);
            }
        }
        return m;
    }

    /** Why each copy mode before the current one is not used, per output. */
    public Map<CopyMode, String> copyModeFailures(Output o) {
        for (KmsOutputDriver d : drivers) if (d.output() == o && d.cross() != null) return d.cross().failures();
        return Map.of();
    }

    @Override
    public void start() throws PosixException, AllocationException {
        kernel = config.devices().open();
        List<String> names = kernel.devices().stream().map(d -> d.info().name()).toList();
        if (names.isEmpty()) throw new IllegalArgumentException("topology " + config.topology() + " lists no devices: nothing to display on");
        for (String device : config.copyModes().keySet()) {
            if (!names.contains(device)) {
                throw new IllegalArgumentException("--copy-mode names " + device + ", which topology " + config.topology()
                        + " does not have (devices: " + String.join(", ", names) + ")");
            }
        }
        RenderDeviceChoice choice = RenderDeviceChoice.choose(kernel.devices(), config.renderDevice());
        renderChoice = choice;
        renderDevice = choice.device();
        renderDeviceWhy = choice.why();
        LOG.info("render device: {} ({})", renderDevice == null ? "none" : renderDevice.info().name(), choice.why());
        reach = new RenderReach(renderDevice);
        for (DrmDevice d : kernel.devices()) {
            if (d.info().canDisplay()) startOutputs(d);
        }
        if (drivers.isEmpty()) LOG.warn("topology {} has no connected display", config.topology());
        // Real compositors hear of hotplugs from udev; here a slow poll of the devices stands in.
        hotplug = loop.timer(this::checkHotplug);
        hotplug.armAt(loop.nowNs() + HOTPLUG_POLL_NS);
    }

    private static Swapchain localSwapchain(DrmDevice d, int w, int h) throws AllocationException, PosixException {
        try {
            return new Swapchain(d, w, h, Fourcc.XRGB8888, SWAPCHAIN_LENGTH, false);
        } catch (AllocationException e) {
            // A display-only device (a USB adapter) has no render memory: dumb buffers.
            return new Swapchain(d, w, h, Fourcc.XRGB8888, SWAPCHAIN_LENGTH, true);
        }
    }

    /**
     * One output that cannot be fed must not take the others down with it: said once, named in
     * the fault log (an allocation fault, or an import one: the buffers exist but the devices
     * refuse them), and the rest start.
     */
    private void notStarted(DrmDevice d, KmsPipe pipe, Exception e) {
        unfed.add(d.info().name() + "/" + pipe.connector().name());
        LOG.warn("{} on {}: not started: {}", pipe.connector().name(), d.info().name(), e.getMessage());
        boolean allocation = e instanceof AllocationException a && a.failure() == dev.ferry.drm.AllocationFailure.INJECTED_FAULT;
        faults.record(allocation ? dev.ferry.compositor.stats.FaultLog.Kind.ALLOCATION_FAILED : dev.ferry.compositor.stats.FaultLog.Kind.IMPORT_FAILED,
                d.info().name() + "/" + pipe.connector().name(), loop.nowNs(),
                "output not started (" + e.getMessage() + "); the others run", 0);
    }

    /**
     * Starts an output on every connected connector of d that has none yet (all of them at start;
     * after a re-plug, those that came back), each on a CRTC and planes no running output holds.
     * Returns the outputs started.
     */
    private List<Output> startOutputs(DrmDevice d) throws PosixException, AllocationException {
        java.util.Set<Integer> usedCrtcs = new java.util.HashSet<>();
        java.util.Set<Integer> claimedPlanes = new java.util.HashSet<>();
        java.util.Set<Integer> drivenConnectors = new java.util.HashSet<>();
        for (KmsOutputDriver x : drivers) {
            if (x.pipe().device() != d) continue;
            usedCrtcs.add(x.pipe().crtc().id());
            claimedPlanes.add(x.pipe().primary().id());
            for (var p : x.pipe().overlays()) claimedPlanes.add(p.id());
            drivenConnectors.add(x.pipe().connector().id());
        }
        for (var c : d.connectors()) {
            String key = d.info().name() + "/" + c.name();
            if (closedConnectors.contains(key) || unfed.contains(key)) drivenConnectors.add(c.id());
        }
        List<Output> started = new ArrayList<>();
        for (KmsPipe pipe : KmsPipe.forDevice(d, drivenConnectors, usedCrtcs, claimedPlanes)) {
            Output o = startOutput(d, pipe);
            if (o != null) started.add(o);
        }
        return started;
    }

    /** One output on one pipe: its swapchain or copy mode, scan-out cache, driver and wl_output; null if it cannot be fed. */
    private Output startOutput(DrmDevice d, KmsPipe pipe) throws PosixException, AllocationException {
        int w = pipe.mode().width(), h = pipe.mode().height();
        Swapchain chain = null;
        CrossDeviceCopy cross = null;
        List<AutoCloseable> parts = new ArrayList<>();
        if (renderDevice != null && d != renderDevice) {
            // Rendered on the primary GPU, brought over by a copy mode (Mutter's way).
            try {
                cross = new CrossDeviceCopy(renderDevice, d, w, h, Fourcc.XRGB8888, config.copyModes().get(d.info().name()));
            } catch (AllocationException | PosixException e) {
                notStarted(d, pipe, e);
                return null;
            }
            parts.add(cross);
            if (cross.allocationFaulted()) {
                // It runs, on a mode that did not need the failed allocation; the fallbacks
                // it would have kept for later are named with it.
                faults.record(dev.ferry.compositor.stats.FaultLog.Kind.ALLOCATION_FAILED, d.info().name() + "/" + pipe.connector().name(),
                        loop.nowNs(), "copy mode " + cross.mode().label() + " in use; not prepared: " + cross.failures(), 0);
            }
        } else {
            try {
                chain = localSwapchain(d, w, h);
            } catch (AllocationException | PosixException e) {
                notStarted(d, pipe, e);
                return null;
            }
            parts.add(chain);
        }
        ScanoutCache cache = new ScanoutCache(d);
        parts.add(cache);
        Output o = new Output(display, pipe.connector().name(), d.info().name() + " " + pipe.connector().name()
                + " (" + d.info().driver() + ")", "Ferry fake-drm", d.info().driver(), 0, 0, w, h, pipe.mode().refreshMhz());
        o.setScanoutTarget(new Output.ScanoutTarget(d.info().devT(), d.info().name(), pipe.primary().formats()));
        KmsOutputDriver driver = new KmsOutputDriver(o, pipe, chain, cross, cache, scene,
                renderDevice == null ? null : gpu, cpu, reach, loop, observer, kernel.udmabuf());
        drivers.add(driver);
        outputParts.put(driver, parts);
        driver.onLost(() -> outputLost(driver));
        driver.recordFaultsIn(this::faults);
        if (!eventSources.containsKey(d)) {
            eventSources.put(d, loop.add(d.eventFd().fd(), Epoll.EPOLLIN,
                    events -> d.dispatchEvents((crtc, seq, t, user) -> pageFlipped(d, crtc, seq, t))));
        }
        scene.addOutput(o);
        o.advertise();
        return o;
    }

    /**
     * The hotplug poll: takes in what changed (devices gone or back, monitors unplugged or
     * plugged in), withdraws the outputs that lost their device or monitor and starts those that
     * came back, each named in the fault log with how Ferry recovered.
     */
    private void checkHotplug() {
        kernel.pollHotplug();
        for (KmsOutputDriver d : List.copyOf(drivers)) {
            if (d.pipe().device().isGone() || !d.connected() || d.stalledPastLimit(loop.nowNs())) outputLost(d);
        }
        for (DrmDevice d : kernel.devices()) {
            if (!d.info().canDisplay() || d.isGone()) continue;
            boolean deviceBack = lostDevices.remove(d);
            for (var c : d.connectors()) {
                // A monitor unplugged (or the whole device back): its output may be fed next time.
                if (deviceBack || !c.connected()) unfed.remove(d.info().name() + "/" + c.name());
            }
            List<Output> back;
            try {
                back = startOutputs(d);
            } catch (PosixException | AllocationException | RuntimeException e) {
                LOG.warn("{}: outputs not restarted: {}", d.info().name(), e.getMessage());
                faults.record(deviceBack ? dev.ferry.compositor.stats.FaultLog.Kind.DEVICE_REPLUGGED
                                : dev.ferry.compositor.stats.FaultLog.Kind.CONNECTOR_REPLUGGED, d.info().name(),
                        loop.nowNs(), "outputs not restarted (" + e.getMessage() + ")", 0);
                continue;
            }
            for (Output o : back) {
                int moved = (int) scene.windows().stream().filter(w -> w.fullscreenOn() == o).count();
                LOG.info("{}: {} is back", o.name(), deviceBack ? d.info().name() : "its monitor");
                faults.record(deviceBack ? dev.ferry.compositor.stats.FaultLog.Kind.DEVICE_REPLUGGED
                                : dev.ferry.compositor.stats.FaultLog.Kind.CONNECTOR_REPLUGGED, d.info().name() + "/" + o.name(),
                        loop.nowNs(), "output back (wl_output advertised again"
                                + (moved == 0 ? "" : "; " + moved + " fullscreen window" + (moved == 1 ? "" : "s") + " moved back") + ")", 0);
            }
        }
        hotplug.armAt(loop.nowNs() + HOTPLUG_POLL_NS);
    }

    /** A device or monitor went away under an output, or its CRTC hangs on a flip: the output leaves, every other one keeps running. */
    private void outputLost(KmsOutputDriver driver) {
        if (!drivers.remove(driver)) return;
        Output o = driver.output();
        scene.removeOutput(o);
        o.withdraw();
        DrmDevice d = driver.pipe().device();
        boolean deviceGone = d.isGone();
        // Still plugged in: its CRTC hangs on a flip that never completed (nothing can turn it off).
        boolean hung = !deviceGone && driver.connected();
        // A composition in flight still writes into this output's buffers: they go when it is done.
        driver.whenIdle(() -> {
            driver.close();
            if (!deviceGone && !hung) driver.pipe().disable();
            closeParts(driver);
        });
        if (hung) {
            // Not started again by the hotplug poll: only a re-plug or a new monitor brings it back.
            unfed.add(d.info().name() + "/" + driver.pipe().connector().name());
            faults.record(dev.ferry.compositor.stats.FaultLog.Kind.FLIP_NEVER_COMPLETES, d.info().name() + "/" + o.name(), loop.nowNs(),
                    "CRTC still refusing commits " + KmsOutputDriver.STALL_LIMIT_NS / 1_000_000_000L
                            + " s after a flip was given up: output marked failed and withdrawn, its windows moved to the other outputs",
                    driver.stallFramesLost());
        } else if (deviceGone) {
            lostDevices.add(d);
            faults.record(dev.ferry.compositor.stats.FaultLog.Kind.DEVICE_UNPLUGGED, d.info().name() + "/" + o.name(),
                    loop.nowNs(), "output withdrawn; the other outputs keep running", 0);
        } else {
            faults.record(dev.ferry.compositor.stats.FaultLog.Kind.CONNECTOR_UNPLUGGED, d.info().name() + "/" + o.name(),
                    loop.nowNs(), "monitor unplugged: output withdrawn and its CRTC turned off; the other outputs keep running", 0);
        }
        boolean deviceStillUsed = drivers.stream().anyMatch(x -> x.pipe().device() == d);
        if (!deviceStillUsed) {
            EventLoop.Source s = eventSources.remove(d);
            if (s != null) s.remove();
        }
    }

    /** Releases what one output owned (its swapchain or copy mode, its scan-out cache), newest first. */
    private void closeParts(KmsOutputDriver driver) {
        List<AutoCloseable> parts = outputParts.remove(driver);
        if (parts == null) return;
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception e) {
                LOG.debug("closing {} failed", parts.get(i), e);
            }
        }
    }

    /**
     * The connector behind an output was unplugged (its nested window was closed): the output
     * leaves and its pipe is released; the device and every other output keep running. Not a
     * fault: a user pulled a cable.
     */
    public void connectorUnplugged(Output o) {
        for (KmsOutputDriver d : drivers) {
            if (d.output() != o) continue;
            drivers.remove(d);
            scene.removeOutput(o);
            o.withdraw();
            d.close();
            closeParts(d);
            // Its window is gone for good: the hotplug poll must not start it again.
            closedConnectors.add(d.pipe().device().info().name() + "/" + d.pipe().connector().name());
            return;
        }
    }

    /** CRTC ids are per device: events are matched on both. */
    private void pageFlipped(DrmDevice device, int crtcId, long sequence, long timeNs) {
        // By index, no copy: an output is only ever removed by a task posted to the loop.
        for (int i = 0; i < drivers.size(); i++) {
            KmsOutputDriver d = drivers.get(i);
            if (d.pipe().device() == device && d.pipe().crtc().id() == crtcId) d.pageFlipped(sequence, timeNs);
        }
    }

    @Override
    public void schedule(Output o) {
        KmsOutputDriver d = driverOf(o);
        if (d != null) d.schedule();
    }

    /**
     * The driver of an output, or null. By index: asked several times a frame (schedule,
     * presentation and deadline hints, stats), where a for-each allocated an iterator each time.
     */
    private KmsOutputDriver driverOf(Output o) {
        for (int i = 0; i < drivers.size(); i++) {
            KmsOutputDriver d = drivers.get(i);
            if (d.output() == o) return d;
        }
        return null;
    }

    /** Whether some output has a frame being composed (tests on a virtual clock wait for it before moving time). */
    public boolean composing() {
        for (KmsOutputDriver d : drivers) if (d.composing()) return true;
        return false;
    }

    @Override
    public long nextPresentationNs(Output o) {
        KmsOutputDriver d = driverOf(o);
        return d == null ? 0 : d.nextPresentationNs(kernel.clock().nowNs());
    }

    @Override
    public long repaintDeadlineNs(Output o) {
        KmsOutputDriver d = driverOf(o);
        return d == null ? 0 : d.repaintDeadlineNs(kernel.clock().nowNs());
    }

    @Override
    public OutputStats stats(Output o) {
        KmsOutputDriver d = driverOf(o);
        if (d != null) return d.stats();
        throw new IllegalArgumentException("no kms output " + o.name());
    }

    @Override
    public List<Output> outputs() {
        List<Output> out = new ArrayList<>();
        for (KmsOutputDriver d : drivers) out.add(d.output());
        return out;
    }


    @Override
    public int[] screenshot(Output output) {
        for (KmsOutputDriver d : drivers) if (d.output() == output) return d.screenshot();
        throw new IllegalArgumentException("no kms output " + output.name());
    }

    @Override
    public void close() {
        if (hotplug != null) hotplug.close();
        for (KmsOutputDriver d : drivers) {
            d.close();
            d.output().withdraw();
        }
        for (EventLoop.Source s : eventSources.values()) s.remove();
        for (KmsOutputDriver d : List.copyOf(outputParts.keySet())) closeParts(d);
        if (kernel != null) kernel.close();
    }
}
