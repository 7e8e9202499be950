package dev.ferry.compositor.cli;

import dev.ferry.compositor.Compositor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** `ferry run`: serve clients until interrupted. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Serve Wayland clients.")
final class RunCommand implements Callable<Integer> {
    @Option(names = "--backend", defaultValue = "kms", description = "kms (fake-drm devices), headless (memory) or nested (windows of the compositor at --host-display, one per output, --mode as their first size). Default: ${DEFAULT-VALUE}")
    String backend;

    @Option(names = "--topology", description = "kms: a preset (see `ferry topology list`) or a topology JSON file. Default: hybrid-laptop")
    String topology;

    @Option(names = "--render-device", paramLabel = "NODE", description = "kms: the primary render device (card0, renderD128 or /dev/dri/card0), overriding the topology's choice")
    String renderDevice;

    @Option(names = "--copy-mode", paramLabel = "DEVICE=MODE", split = ",",
            description = "kms: force a device's cross-device copy mode (zero, secondary-gpu, primary-gpu, cpu); the modes before it are skipped, like Mutter's debug switch")
    java.util.Map<String, String> copyModes = new java.util.LinkedHashMap<>();

    @Option(names = "--host-display", paramLabel = "NAME", description = "nested: the host compositor's socket (a name in XDG_RUNTIME_DIR or a path); never Ferry's own. Default: $WAYLAND_DISPLAY")
    String hostDisplay;

    @Option(names = "--socket", description = "Wayland socket name in XDG_RUNTIME_DIR (default: first free wayland-N)")
    String socket;

    @Option(names = "--outputs", defaultValue = "1", description = "Headless outputs. Default: ${DEFAULT-VALUE}")
    int outputs;

    @Option(names = "--mode", defaultValue = "1920x1080@60", converter = SizeArg.ModeConverter.class,
            description = "Headless output mode WxH@Hz. Default: ${DEFAULT-VALUE}")
    SizeArg mode;

    @Option(names = "--renderer", defaultValue = "auto", description = "gles, vulkan, cpu or auto. Default: ${DEFAULT-VALUE}")
    String renderer;

    @Option(names = "--trace", description = "Print every protocol message (like WAYLAND_DEBUG=server)")
    boolean trace;

    private dev.ferry.compositor.backend.kms.KmsBackend.Config kmsConfig() {
        var config = dev.ferry.compositor.backend.kms.KmsBackend.Config.of(topology).withRenderDevice(renderDevice);
        for (var e : copyModes.entrySet()) config = config.withCopyMode(e.getKey(), dev.ferry.kms.CopyMode.parse(e.getValue()));
        return config;
    }

    @Override
    public Integer call() throws Exception {
        if (outputs < 1 || outputs > 16) throw new IllegalArgumentException("--outputs must be 1..16");
        if (trace) dev.ferry.protocol.Trace.enable(true);
        Compositor c = Compositor.create(new Compositor.Options(dev.ferry.compositor.socket.WaylandSocket.runtimeDir(), backend, socket,
                outputs, mode.width(), mode.height(), mode.refreshMilliHz(), renderer,
                kmsConfig()).withHost(hostDisplay));
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
