package dev.ferry.compositor.cli;

import dev.ferry.compositor.control.ControlClient;
import dev.ferry.compositor.control.ControlServer;
import dev.ferry.compositor.socket.WaylandSocket;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** `ferry ctl`: ask a running compositor for statistics or a screenshot. */
@Command(name = "ctl", mixinStandardHelpOptions = true, description = "Talk to a running Ferry.",
        subcommands = {CtlCommand.Stats.class, CtlCommand.Screenshot.class, CtlCommand.Input.class, CtlCommand.Fault.class})
final class CtlCommand {
    // Inherited: users write it after the subcommand (`ferry ctl stats --socket wayland-1`), as
    // they do for `ferry top --socket`; there it was an unknown option. Picocli sets this field
    // wherever on the line it stands.
    @Option(names = "--socket", scope = ScopeType.INHERIT,
            description = "The Wayland socket name of the Ferry to ask (default: $WAYLAND_DISPLAY, else the only one running)")
    String socket;

    Path controlSocket() throws IOException {
        return ControlClient.locate(socket);
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Print statistics as JSON.")
    static final class Stats implements Callable<Integer> {
        @ParentCommand CtlCommand parent;
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--watch", description = "Stream: one JSON object per line, every --interval, until interrupted")
        boolean watch;

        @Option(names = "--interval", paramLabel = "MS", description = "With --watch: milliseconds between lines ("
                + ControlServer.MIN_WATCH_MS + ".." + ControlServer.MAX_WATCH_MS + "). Default: 1000")
        Integer intervalMs;

        @Override
        public Integer call() throws IOException {
            if (intervalMs != null && !watch) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--interval needs --watch");
            int interval = intervalMs == null ? 1000 : intervalMs;
            if (interval < ControlServer.MIN_WATCH_MS || interval > ControlServer.MAX_WATCH_MS) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--interval " + interval + " is out of range ("
                        + ControlServer.MIN_WATCH_MS + ".." + ControlServer.MAX_WATCH_MS + " ms)");
            }
            if (watch) {
                ControlClient.watch(parent.controlSocket(), interval, line -> {
                    System.out.println(line);
                    System.out.flush();
                    return !System.out.checkError(); // a closed pipe (| head) ends the watch
                });
                return 0;
            }
            System.out.write(ControlClient.request(parent.controlSocket(), "stats"));
            System.out.println();
            System.out.flush();
            return 0;
        }
    }

    @Command(name = "fault", mixinStandardHelpOptions = true,
            description = "Break something on purpose in the running Ferry: the next COUNT opportunities of KIND fail.")
    static final class Fault implements Callable<Integer> {
        @ParentCommand CtlCommand parent;

        @picocli.CommandLine.Parameters(index = "0", paramLabel = "KIND",
                description = "commit, import, allocation, fence-never-signals, unplug, flip-never-completes, migration-temporary, migration-permanent, "
                        + "test-commit, replug (an unplugged device comes back), disconnect and reconnect (a connector's monitor pulled out and plugged back in)")
        String kind;

        @Option(names = "--on", paramLabel = "TARGET", defaultValue = "any", description = "A device (card1) or an output (HDMI-A-1); for disconnect and reconnect a connector (HDMI-A-1). Default: ${DEFAULT-VALUE}")
        String target;

        @Option(names = "--count", defaultValue = "1", description = "How many opportunities in a row fail. Default: ${DEFAULT-VALUE}")
        int count;

        @Override
        public Integer call() throws IOException {
            dev.ferry.compositor.devices.FaultSpec.kind(kind); // a bad kind is refused before asking
            byte[] answer = ControlClient.request(parent.controlSocket(), "fault " + kind + " " + target + " " + count);
            System.out.println(new String(answer, java.nio.charset.StandardCharsets.UTF_8));
            return 0;
        }
    }

    @Command(name = "screenshot", mixinStandardHelpOptions = true, description = "Write what an output shows to a PNG.")
    static final class Screenshot implements Callable<Integer> {
        @ParentCommand CtlCommand parent;

        @Option(names = "--output", description = "Output name (default: the first)")
        String output;

        @Option(names = "--file", required = true, description = "PNG file to write")
        Path file;

        @Override
        public Integer call() throws IOException {
            UserErrors.checkWritableFile(file, "screenshot");
            byte[] png = ControlClient.request(parent.controlSocket(), "screenshot" + (output == null ? "" : " " + output));
            Files.write(file, png);
            System.err.println("wrote " + file + " (" + png.length + " bytes)");
            return 0;
        }
    }

    @Command(name = "input", mixinStandardHelpOptions = true, description = {
            "Drive seat0's pointer and keyboard, as a user would.",
            "  move X Y | click [left|right|middle] | button NAME down|up | scroll DY [DX]",
            "  key NAME[+NAME...] (ctrl+c, Return, BackSpace) | type TEXT (us layout)"})
    static final class Input implements Callable<Integer> {
        @ParentCommand CtlCommand parent;

        @picocli.CommandLine.Parameters(arity = "1..*", paramLabel = "WORDS", description = "The input command and its arguments")
        List<String> words;

        @Override
        public Integer call() throws IOException {
            System.out.write(ControlClient.request(parent.controlSocket(), "input " + String.join(" ", words)));
            System.out.flush();
            return 0;
        }
    }
}
