package dev.ferry.testclients.demo;

import dev.ferry.compositor.cli.Ferry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;

/** `ferry demo`: sample video clients on a fake topology, then the fallback report. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start Ferry in-process on a fake topology, play sample video clients on every output, print the fallback report (also as HTML + PNG).")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--topology", defaultValue = "hybrid-laptop", description = "fake-drm preset or file. Default: ${DEFAULT-VALUE}")
    String topology;

    @Option(names = "--seconds", defaultValue = "6", description = "How long the clients play. Default: ${DEFAULT-VALUE}")
    double seconds;

    @Option(names = "--fps", defaultValue = "30", description = "Client frame rate. Default: ${DEFAULT-VALUE}")
    int fps;

    @Option(names = "--renderer", defaultValue = "auto", description = "gles, cpu or auto. Default: ${DEFAULT-VALUE}")
    String renderer;

    @Option(names = "--out", description = "Directory for report.html, timeline.png, stats.json. Default: ./ferry-demo-<time>")
    Path out;

    /** Registers `demo` with the ferry command. */
    public static final class Subcommand implements Ferry.FerrySubcommand {
        @Override public String name() { return "demo"; }
        @Override public Object command() { return new DemoCommand(); }
    }

    @Override
    public Integer call() throws Exception {
        Path dir = out != null ? out
                : Path.of("ferry-demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        new Demo(new Demo.Options(topology, renderer, seconds, fps, dir), System.out).run();
        return 0;
    }
}
