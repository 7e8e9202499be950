package dev.ferry.compositor;

import dev.ferry.compositor.scene.Window;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real Ferry for a test: its own private runtime directory, a socket, the event loop on its
 * own thread; and helpers to run real client programs against it and look at what it shows.
 */
public final class FerryServer implements AutoCloseable {
    private final Path runtimeDir;
    private final Compositor compositor;
    private final java.util.Map<Process, Path> logs = new java.util.LinkedHashMap<>();

    public FerryServer(String renderer) throws Exception {
        this(renderer, 1, 1920, 1080);
    }

    public FerryServer(String renderer, int outputs, int width, int height) throws Exception {
        this(renderer, outputs, width, height, 60_000);
    }

    public FerryServer(String renderer, int outputs, int width, int height, int refreshMilliHz) throws Exception {
        runtimeDir = Files.createTempDirectory("ferry-test-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        compositor = Compositor.create(Compositor.Options.headless(runtimeDir, "wayland-test")
                .withRenderer(renderer).withOutputs(outputs, width, height, refreshMilliHz));
        compositor.startThread();
    }

    public Compositor compositor() { return compositor; }
    public Path runtimeDir() { return runtimeDir; }
    public String socketName() { return compositor.socketName(); }

    /**
     * Fails (in CI) or skips (elsewhere) when a client program is not installed: CI installs
     * them all, so a missing one there is a broken set-up, not a reason to pass.
     */
    public static void requireProgram(String program) {
        boolean found = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
        if (!found) {
            String msg = program + " is not installed (Debian: weston, wayland-utils, gstreamer1.0-tools and plugins)";
            if (System.getenv("CI") != null) fail(msg);
            assumeTrue(false, msg);
        }
    }

    /** Starts a client program with WAYLAND_DISPLAY pointing here; output goes to a log file. */
    public Process start(String... command) throws IOException {
        return start(java.util.Map.of(), command);
    }

    /** Starts a client program with extra environment variables (WAYLAND_DEBUG=1 ...). */
    public Process start(java.util.Map<String, String> env, String... command) throws IOException {
        requireProgram(command[0]);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        pb.environment().put("XDG_RUNTIME_DIR", runtimeDir.toString());
        pb.environment().put("WAYLAND_DISPLAY", socketName());
        pb.environment().remove("DISPLAY");
        pb.redirectErrorStream(true);
        Path log = runtimeDir.resolve(Path.of(command[0]).getFileName() + "-" + logs.size() + ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        logs.put(p, log);
        return p;
    }

    /** Everything a started process printed so far. */
    public String output(Process p) throws IOException {
        return Files.readString(logs.get(p), StandardCharsets.UTF_8);
    }

    /** Waits for a process to exit, killing it after the timeout; returns its exit code. */
    public static int waitFor(Process p, Duration timeout) throws InterruptedException {
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            return -1;
        }
        return p.exitValue();
    }

    /** Polls until the condition holds (true) or the timeout passes (false). */
    public static boolean eventually(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }

    /** The first mapped toplevel with that title (or any, for null), or null. */
    public Window window(String titlePart) {
        return compositor.onLoop(() -> {
            for (Window w : compositor.scene().windows()) {
                if (w.kind() == Window.Kind.TOPLEVEL && (titlePart == null || w.title().contains(titlePart))) return w;
            }
            return null;
        });
    }

    /** How many commits the surface of that window has made. */
    public long commits(Window w) {
        return compositor.onLoop(() -> w.surface().commitCount());
    }

    /** Screenshot region [x, y, w, h] of the window (surface extent) on the first output. */
    public int[] windowRect(Window w) {
        return compositor.onLoop(() -> new int[] {w.x(), w.y(), w.surface().width(), w.surface().height()});
    }

    public Compositor.Screenshot screenshot() {
        return compositor.screenshot(null);
    }

    @Override
    public void close() throws IOException {
        for (Process p : logs.keySet()) {
            if (p.isAlive()) p.destroyForcibly();
        }
        compositor.close();
        try (Stream<Path> s = Files.walk(runtimeDir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
