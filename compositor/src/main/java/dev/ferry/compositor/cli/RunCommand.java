package dev.ferry.compositor.cli;

import dev.ferry.compositor.Compositor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.Locale;
import java.util.concurrent.Callable;

/** `ferry run`: serve clients until interrupted. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Serve Wayland clients.")
final class RunCommand implements Callable<Integer> {
    /** The backends `--backend` offers (the names Compositor.Options takes). */
    enum BackendName { kms, headless, nested }

    private static final String DEFAULT_MODE = "1920x1080@60";

    @Spec CommandSpec spec;

    @Option(names = "--backend", defaultValue = "kms", description = "${COMPLETION-CANDIDATES}: kms (fake-drm devices), headless (memory) or nested (windows of the compositor at --host-display, one per output, --mode as their first size). Default: ${DEFAULT-VALUE}")
    BackendName backend;

    @Option(names = "--topology", description = "kms: a preset (see `ferry topology list`) or a topology JSON file. Default: hybrid-laptop. nested: run the kms backend on it and show each connector in a host window")
    String topology;

    @Option(names = "--render-device", paramLabel = "NODE", description = "kms: the primary render device (card0, renderD128 or /dev/dri/card0), overriding the topology's choice")
    String renderDevice;

    @Option(names = "--copy-mode", paramLabel = "DEVICE=MODE", split = ",",
            description = "kms: force a device's cross-device copy mode (zero, secondary-gpu, primary-gpu, cpu); the modes before it are skipped, like Mutter's debug switch")
    java.util.Map<String, String> copyModes = new java.util.LinkedHashMap<>();

    @Option(names = "--faults", paramLabel = "SPEC", description = "kms: faults on purpose, a list or a file of KIND[@DEVICE|@OUTPUT]:WHEN items "
            + "(WHEN: frame=N, frames=A-B, time=S-T seconds after start, rate=P) and seed=N, e.g. commit@eDP-1:frames=120-123,unplug@card1:time=5-6,replug@card1:time=8-9. "
            + "Kinds: commit, import, allocation, fence-never-signals, unplug, flip-never-completes, migration-temporary, migration-permanent, "
            + "test-commit, replug (the device comes back), disconnect and reconnect (@CONNECTOR: its monitor unplugged and plugged back in)")
    String faults;

    @Option(names = "--host-display", paramLabel = "NAME", description = "nested: the host compositor's socket (a name in XDG_RUNTIME_DIR or a path); never Ferry's own. Default: $WAYLAND_DISPLAY")
    String hostDisplay;

    @Option(names = "--socket", description = "Wayland socket name in XDG_RUNTIME_DIR (default: first free wayland-N)")
    String socket;

    @Option(names = "--outputs", description = "headless, nested: how many outputs (1..16). Default: 1")
    Integer outputs;

    @Option(names = "--mode", converter = SizeArg.ModeConverter.class,
            description = "headless, nested: the outputs' mode WxH@Hz. Default: " + DEFAULT_MODE)
    SizeArg mode;

    @Option(names = "--renderer", defaultValue = "auto", description = "${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}")
    RendererName renderer;

    @Option(names = "--client-limit", paramLabel = "NAME=VALUE", split = ",",
            description = "What one client may hold before it is disconnected with no_memory: objects, region-rects, frame-callbacks, shm-copy-bytes, output-bytes (sizes may end in K, M, G). See README, Per-client limits")
    java.util.Map<String, String> clientLimits = new java.util.LinkedHashMap<>();

    @Option(names = "--trace", description = "Print every protocol message (like WAYLAND_DEBUG=server)")
    boolean trace;

    private dev.ferry.compositor.backend.kms.KmsBackend.Config kmsConfig() {
        var devices = dev.ferry.compositor.devices.FakeDevices.source(topology);
        if (faults != null) {
            try {
                devices = dev.ferry.compositor.devices.FakeDevices.source(topology, dev.ferry.drm.KernelClock.monotonic(),
                        dev.ferry.compositor.devices.FakeDevices.faultPlan(faults, topology));
            } catch (IllegalArgumentException | java.io.IOException bad) {
                throw new ParameterException(spec.commandLine(), bad.getMessage());
            }
        }
        var config = dev.ferry.compositor.backend.kms.KmsBackend.Config.of(devices).withRenderDevice(renderDevice);
        for (var e : copyModes.entrySet()) {
            try {
                config = config.withCopyMode(e.getKey(), dev.ferry.kms.CopyMode.parse(e.getValue()));
            } catch (IllegalArgumentException bad) {
                throw new ParameterException(spec.commandLine(), "--copy-mode " + e.getKey() + "=" + e.getValue()
                        + ": unknown " + bad.getMessage());
            }
        }
        return config;
    }

    /** The kms path chain on fake devices: the kms backend, or nested with a topology (each connector a host window). */
    private boolean onFakeDevices() {
        return backend == BackendName.kms || (backend == BackendName.nested && topology != null);
    }

    /** Options that mean nothing to the chosen backend are refused, not silently ignored. */
    private void checkOptionsApply() {
        boolean kms = backend == BackendName.kms;
        if (kms) {
            if (mode != null) notFor("--mode", "the kms backend takes its modes from the topology's connectors");
            if (outputs != null) notFor("--outputs", "the kms backend has one output per connected connector of the topology");
            if (hostDisplay != null) notFor("--host-display", "only the nested backend has a host");
        } else {
            String why = backend == BackendName.nested ? "it configures fake devices, which nested uses only with --topology"
                    : "it configures the kms backend's fake devices";
            if (topology != null && backend != BackendName.nested) notFor("--topology", why);
            if (onFakeDevices()) {
                if (mode != null) notFor("--mode", "with --topology the modes come from the topology's connectors");
                if (outputs != null) notFor("--outputs", "with --topology there is one window per connected connector");
                return;
            }
            if (renderDevice != null) notFor("--render-device", why);
            if (!copyModes.isEmpty()) notFor("--copy-mode", why);
            if (faults != null) notFor("--faults", why);
            if (hostDisplay != null && backend != BackendName.nested) notFor("--host-display", "only the nested backend has a host");
        }
        if (outputs != null && (outputs < 1 || outputs > 16)) {
            throw new ParameterException(spec.commandLine(), "--outputs " + outputs + " is out of range (1..16)");
        }
    }

    private void notFor(String option, String why) {
        throw new ParameterException(spec.commandLine(), option + " does not apply to --backend " + backend + ": " + why);
    }

    @Override
    public Integer call() throws Exception {
        checkOptionsApply();
        SizeArg m = mode != null ? mode : SizeArg.parse(DEFAULT_MODE);
        var kms = onFakeDevices() ? kmsConfig() : null;
        // A bad topology file fails here, before a renderer or a socket is started for nothing.
        if (kms != null) dev.ferry.drm.topology.Topologies.load(kms.topology());
        if (trace) dev.ferry.protocol.Trace.enable(true);
        // Checked before anything is opened, so a bad limit leaves no socket behind.
        var limits = dev.ferry.protocol.server.ClientLimits.DEFAULTS.with(clientLimits);
        StartupWarmup.awaitLog();
        Compositor c = Compositor.create(new Compositor.Options(dev.ferry.compositor.socket.WaylandSocket.runtimeDir(), backend.name(), socket,
                outputs == null ? 1 : outputs, m.width(), m.height(), m.refreshMilliHz(), renderer.name().toLowerCase(Locale.ROOT),
                kms).withHost(hostDisplay));
        // On SIGTERM/SIGINT the JVM halts once its hooks return, so the hook stops the loop and
        // then waits (bounded) for the main thread to close everything: socket, lock file and
        // control directory are removed, not left for the next client to connect to.
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        Thread stopOnSignal = new Thread(() -> {
            c.stop();
            try {
                closed.await(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(stopOnSignal);
        try (c) {
            // No client is served before run(): every client gets these.
            c.display().limits(limits);
            c.run();
        } finally {
            // The loop may end by itself (nested: the host went away); then there is nothing to stop.
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnSignal);
            } catch (IllegalStateException shuttingDown) {
                // Stopped by a signal: the hook is running and waits for this.
            }
            // try-with-resources has closed the compositor by now.
            closed.countDown();
        }
        return 0;
    }
}
