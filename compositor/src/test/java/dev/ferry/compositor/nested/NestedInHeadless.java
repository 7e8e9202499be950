package dev.ferry.compositor.nested;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.FerryServer;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.compositor.scene.Window;
import dev.ferry.compositor.seat.InputCommand;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import static dev.ferry.compositor.FerryServer.eventually;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The nested tests' shared set-up: Ferry headless (CPU renderer) as the host, and a nested Ferry
 * that is its client over its socket, both in this process, each in a private runtime directory;
 * with what the tests do to them (start a client program inside, find an inner window, drive
 * the outer seat, read the nested statistics). Made per test rather than per class, as
 * {@code OnOneFerry} is: these tests close host windows, unplug connectors and stop the host.
 */
final class NestedInHeadless implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FerryServer outer;
    private final Path nestedDir;
    private Compositor nested;
    private boolean outerClosed;

    private NestedInHeadless(int outerWidth, int outerHeight) throws Exception {
        this(outerWidth, outerHeight, 60_000);
    }

    private NestedInHeadless(int outerWidth, int outerHeight, int outerRefreshMilliHz) throws Exception {
        outer = new FerryServer("cpu", 1, outerWidth, outerHeight, outerRefreshMilliHz);
        Path dir;
        try {
            dir = privateDir();
        } catch (IOException e) {
            outer.close();
            throw e;
        }
        nestedDir = dir;
    }

    /** The host alone, at this size: the test starts the nested Ferry (or its backend) itself. */
    static NestedInHeadless hostOnly(int outerWidth, int outerHeight) throws Exception {
        return new NestedInHeadless(outerWidth, outerHeight);
    }

    /** Plain nested Ferry (CPU renderer, one output of this size) in a 1920x1080 host, its window mapped within mapTimeout. */
    static NestedInHeadless plain(int width, int height, Duration mapTimeout) throws Exception {
        return plain(width, height, mapTimeout, 60_000);
    }

    /** The same in a host refreshing at outerRefreshMilliHz. */
    static NestedInHeadless plain(int width, int height, Duration mapTimeout, int outerRefreshMilliHz) throws Exception {
        NestedInHeadless f = new NestedInHeadless(1920, 1080, outerRefreshMilliHz);
        try {
            f.startPlain(width, height);
            assertTrue(eventually(mapTimeout, () -> f.outer.window("Ferry nested") != null), "the nested window never mapped");
            return f;
        } catch (Exception | Error e) {
            f.close();
            throw e;
        }
    }

    /** `--backend nested --topology preset` (CPU renderer, socket name socket) in a host of this size. */
    static NestedInHeadless topology(int outerWidth, int outerHeight, String preset, String socket) throws Exception {
        NestedInHeadless f = new NestedInHeadless(outerWidth, outerHeight);
        try {
            f.nested = Compositor.create(new Compositor.Options(f.nestedDir, "nested", socket, 0, 0, 0, 0, "cpu",
                    KmsBackend.Config.of(preset), f.outerSocket()));
            f.nested.startThread();
            return f;
        } catch (Exception | Error e) {
            f.close();
            throw e;
        }
    }

    /** Starts plain nested Ferry with one output of this size (not yet mapped when this returns). */
    Compositor startPlain(int width, int height) throws Exception {
        nested = Compositor.create(Compositor.Options.nested(nestedDir, "wayland-nested", outerSocket())
                .withRenderer("cpu").withOutputs(1, width, height, 60_000));
        nested.startThread();
        return nested;
    }

    FerryServer outer() { return outer; }
    Compositor nested() { return nested; }
    Path nestedDir() { return nestedDir; }

    /** The host's socket, as a path a nested Ferry connects to. */
    String outerSocket() {
        return outer.runtimeDir().resolve(outer.socketName()).toString();
    }

    /** The nested Ferry's socket, as a path an inner client connects to. */
    String nestedSocket() {
        return nestedDir.resolve(nested.socketName()).toString();
    }

    /** A client program on the nested Ferry, with extra environment; its output goes to nestedDir/log. */
    Process startInNested(String log, Map<String, String> env, String... command) throws IOException {
        FerryServer.requireProgram(command[0]);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        pb.environment().put("XDG_RUNTIME_DIR", nestedDir.toString());
        pb.environment().put("WAYLAND_DISPLAY", nested.socketName());
        pb.environment().remove("DISPLAY");
        pb.redirectErrorStream(true);
        pb.redirectOutput(nestedDir.resolve(log).toFile());
        return pb.start();
    }

    /** What a program started inside wrote to its log so far ("" before it wrote anything). */
    String log(String name) {
        try {
            return Files.readString(nestedDir.resolve(name));
        } catch (IOException e) {
            return "";
        }
    }

    /** The first mapped inner toplevel whose title contains titlePart (null: any), or null. */
    Window innerWindow(String titlePart) {
        return nested.onLoop(() -> {
            for (Window w : nested.scene().windows()) {
                if (w.kind() == Window.Kind.TOPLEVEL && (titlePart == null || w.title().contains(titlePart))) return w;
            }
            return null;
        });
    }

    /** [x, y, width, height] of that inner toplevel in the nested output, or null. */
    int[] innerRect(String titlePart) {
        Window w = innerWindow(titlePart);
        return w == null ? null : nested.onLoop(() -> new int[] {w.x(), w.y(), w.surface().width(), w.surface().height()});
    }

    /** Drives the outer Ferry's seat (`ferry ctl input` words). */
    void outerInput(String command) {
        outer.compositor().input(InputCommand.parse(command));
    }

    /** The nested Ferry's statistics. */
    JsonNode nestedStats() {
        try {
            return JSON.readTree(nested.statsJson());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The statistics of the nested Ferry's first output. */
    JsonNode nestedOutput() {
        return nestedStats().get("outputs").get(0);
    }

    /** Stops the host now (a test of what the nested Ferry does when its host goes away). */
    void closeHost() throws IOException {
        if (outerClosed) return;
        outerClosed = true;
        outer.close();
    }

    @Override
    public void close() throws IOException {
        try {
            if (nested != null) nested.close();
        } finally {
            closeHost();
            deleteTree(nestedDir);
        }
    }

    static Path privateDir() throws IOException {
        return Files.createTempDirectory("ferry-nested-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
