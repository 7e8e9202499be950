package dev.ferry.compositor.cli;

import dev.ferry.compositor.control.ControlClient;
import dev.ferry.compositor.control.ControlServer;
import dev.ferry.compositor.socket.WaylandSocket;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** `ferry ctl`: ask a running compositor for statistics or a screenshot. */
@Command(name = "ctl", mixinStandardHelpOptions = true, description = "Talk to a running Ferry.",
        subcommands = {CtlCommand.Stats.class, CtlCommand.Screenshot.class, CtlCommand.Input.class})
final class CtlCommand {
    @Option(names = "--socket", description = "The Wayland socket name of the Ferry to ask (default: $WAYLAND_DISPLAY, else the only one running)")
    String socket;

    Path controlSocket() throws IOException {
        Path runtime = WaylandSocket.runtimeDir();
        String name = socket != null ? socket : System.getenv("WAYLAND_DISPLAY");
        if (name == null || !Files.exists(ControlServer.controlDir(runtime, name).resolve("control"))) {
            if (socket != null) throw new IOException("no Ferry is serving socket " + socket + " (no " + ControlServer.controlDir(runtime, socket) + ")");
            List<Path> running;
            try (Stream<Path> s = Files.list(runtime)) {
                running = s.filter(p -> p.getFileName().toString().startsWith("ferry-") && Files.exists(p.resolve("control"))).toList();
            }
            if (running.size() != 1) {
                throw new IOException(running.isEmpty() ? "no Ferry is running in " + runtime
                        : running.size() + " Ferry instances are running; pick one with --socket");
            }
            return running.getFirst().resolve("control");
        }
        return ControlServer.controlDir(runtime, name).resolve("control");
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Print statistics as JSON.")
    static final class Stats implements Callable<Integer> {
        @ParentCommand CtlCommand parent;

        @Override
        public Integer call() throws IOException {
            System.out.write(ControlClient.request(parent.controlSocket(), "stats"));
            System.out.println();
            System.out.flush();
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
