package dev.ferry.testclients.top;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.compositor.cli.Ferry;
import dev.ferry.compositor.control.ControlClient;
import dev.ferry.compositor.control.ControlServer;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.Display;
import org.jline.utils.InfoCmp;
import org.jline.utils.NonBlockingReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * `ferry top`: a live view of a running Ferry, fed by its streaming control endpoint (`ferry ctl
 * stats --watch`): per output the mode, device, copy mode and frames per second by path; per
 * surface its client, path, reasons in words and dma-buf feedback; the faults seen. Full screen
 * (JLine) on a terminal, with keys to sort, pause, pick an output and quit; plain lines, one set
 * per interval, when stdout is not a terminal.
 */
@Command(name = "top", mixinStandardHelpOptions = true,
        description = "Live view of a running Ferry: paths per output and surface, the reasons in words, feedback, faults.")
public final class TopCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--socket", description = "The Wayland socket name of the Ferry to watch (default: $WAYLAND_DISPLAY, else the only one running)")
    String socket;

    @Option(names = "--interval", paramLabel = "MS", defaultValue = "1000", description = "Milliseconds between refreshes. Default: ${DEFAULT-VALUE}")
    int intervalMs;

    @Option(names = "--plain", description = "Plain periodic lines even on a terminal")
    boolean plain;

    @Option(names = "--samples", paramLabel = "N", description = "Stop after N refreshes (default: until quit or interrupted)")
    Integer samples;

    @Spec CommandSpec spec;

    /** Registers `top` with the ferry command. */
    public static final class Subcommand implements Ferry.FerrySubcommand {
        @Override public String name() { return "top"; }
        @Override public Object command() { return new TopCommand(); }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        if (intervalMs < ControlServer.MIN_WATCH_MS || intervalMs > ControlServer.MAX_WATCH_MS) {
            throw new ParameterException(spec.commandLine(), "--interval " + intervalMs + " is out of range ("
                    + ControlServer.MIN_WATCH_MS + ".." + ControlServer.MAX_WATCH_MS + " ms)");
        }
        if (samples != null && samples < 1) throw new ParameterException(spec.commandLine(), "--samples must be at least 1");
        Path control = ControlClient.locate(socket);
        boolean terminal = !plain && System.console() != null && System.console().isTerminal();
        return terminal ? fullScreen(control) : plainLines(control, System.out);
    }

    private int plainLines(Path control, PrintStream out) throws IOException {
        Snapshot[] previous = {null};
        int[] seen = {0};
        ControlClient.watch(control, intervalMs, line -> {
            Snapshot s = parse(line, previous[0]);
            previous[0] = s;
            for (String l : TopScreen.plain(s)) out.println(l);
            out.flush();
            seen[0]++;
            return !out.checkError() && (samples == null || seen[0] < samples);
        });
        return 0;
    }

    private static Snapshot parse(String line, Snapshot previous) {
        try {
            return Snapshot.of(JSON.readTree(line), previous);
        } catch (IOException e) {
            throw new IllegalStateException("the compositor sent a line that is not JSON: " + e.getMessage());
        }
    }

    /** The stream, read on a thread of its own: the newest snapshot, or why it ended. */
    private static final class Feed {
        final AtomicReference<Snapshot> latest = new AtomicReference<>();
        final AtomicReference<String> ended = new AtomicReference<>();
        volatile boolean stop;
        volatile int count;
    }

    private int fullScreen(Path control) throws Exception {
        Feed feed = new Feed();
        Thread reader = Thread.ofPlatform().name("ferry-top-feed").daemon().start(() -> {
            try {
                ControlClient.watch(control, intervalMs, line -> {
                    feed.latest.set(parse(line, feed.latest.get()));
                    feed.count++;
                    return !feed.stop;
                });
            } catch (IOException | RuntimeException e) {
                feed.ended.set(e.getMessage() == null ? e.toString() : e.getMessage());
            }
        });
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            Attributes saved = terminal.enterRawMode();
            terminal.puts(InfoCmp.Capability.enter_ca_mode);
            terminal.puts(InfoCmp.Capability.cursor_invisible);
            terminal.flush();
            Display display = new Display(terminal, true);
            TopScreen.Sort sort = TopScreen.Sort.PATH;
            String output = null;
            boolean paused = false;
            Snapshot shown = null;
            int shownCount = -1;
            try {
                NonBlockingReader keys = terminal.reader();
                while (feed.ended.get() == null && (samples == null || shownCount < samples)) {
                    int c = keys.read(100L);
                    boolean redraw = false;
                    if (c == 'q' || c == 'Q' || c == 3 /* ctrl-c in raw mode */) break;
                    if (c == 's') { sort = sort.next(); redraw = true; }
                    if (c == 'p' || c == ' ') { paused = !paused; redraw = true; }
                    if (c == 'o' && shown != null) { output = nextOutput(shown, output); redraw = true; }
                    if (!paused && feed.count != shownCount && feed.latest.get() != null) {
                        shown = feed.latest.get();
                        shownCount = feed.count;
                        redraw = true;
                    }
                    if (redraw && shown != null) {
                        display.resize(terminal.getHeight(), terminal.getWidth());
                        List<AttributedString> lines = new ArrayList<>();
                        List<String> text = TopScreen.full(shown, sort, output, paused, terminal.getWidth());
                        for (int i = 0; i < text.size() && i < terminal.getHeight() - 1; i++) lines.add(new AttributedString(text.get(i)));
                        display.update(lines, -1);
                        terminal.flush();
                    }
                }
            } finally {
                feed.stop = true;
                terminal.puts(InfoCmp.Capability.cursor_visible);
                terminal.puts(InfoCmp.Capability.exit_ca_mode);
                terminal.setAttributes(saved);
                terminal.flush();
            }
        }
        reader.join(2 * intervalMs + 1000L);
        if (feed.ended.get() != null) throw new IOException(feed.ended.get());
        return 0;
    }

    /** All outputs, then each in turn. */
    private static String nextOutput(Snapshot s, String current) {
        List<String> names = s.outputs().stream().map(Snapshot.OutputRow::name).toList();
        if (names.isEmpty()) return null;
        if (current == null) return names.getFirst();
        int i = names.indexOf(current);
        return i < 0 || i + 1 >= names.size() ? null : names.get(i + 1);
    }
}
