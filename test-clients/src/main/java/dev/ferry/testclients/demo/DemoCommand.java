package dev.ferry.testclients.demo;

import dev.ferry.compositor.cli.Ferry;
import dev.ferry.compositor.cli.RendererName;
import dev.ferry.compositor.cli.UserErrors;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
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

    @Option(names = "--fps", defaultValue = "60", description = "Client frame rate (the outputs refresh at 60 Hz). Default: ${DEFAULT-VALUE}")
    int fps;

    @Option(names = "--renderer", defaultValue = "auto", description = "${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}")
    RendererName renderer;

    @Spec CommandSpec spec;

    @Option(names = "--scenario", defaultValue = "tour", converter = ScenarioConverter.class, completionCandidates = ScenarioNames.class,
            description = "${COMPLETION-CANDIDATES}: tour (every path), faults (failed commits injected), hotplug (a display device"
                    + " unplugged a third of the way through, plugged back in at two thirds), offload (clients on the second GPU). Default: ${DEFAULT-VALUE}")
    Scenario scenario;

    /** Scenario names for --help and the error message. */
    static final class ScenarioNames implements Iterable<String> {
        @Override public java.util.Iterator<String> iterator() { return Scenario.labels().iterator(); }
    }

    /** A scenario by its lower-case name; an unknown one is a usage error listing them. */
    static final class ScenarioConverter implements picocli.CommandLine.ITypeConverter<Scenario> {
        @Override
        public Scenario convert(String value) {
            try {
                return Scenario.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Option(names = "--out", description = "Directory for report.html, timeline.png, stats.json. Default: ./ferry-demo-<time>")
    Path out;

    @Option(names = "--show", arity = "0..1", fallbackValue = "", paramLabel = "HOST",
            description = "Show each fake connector in a window of the host compositor HOST (a socket name or path; without one, $WAYLAND_DISPLAY)")
    String show;

    /** Registers `demo` with the ferry command. */
    public static final class Subcommand implements Ferry.FerrySubcommand {
        @Override public String name() { return "demo"; }
        @Override public Object command() { return new DemoCommand(); }
    }

    @Override
    public Integer call() throws Exception {
        if (!(seconds > 0) || seconds > 3600) throw new ParameterException(spec.commandLine(), "--seconds " + seconds + " must be more than 0 and at most 3600");
        if (fps < 1 || fps > 240) throw new ParameterException(spec.commandLine(), "--fps " + fps + " is out of range (1..240)");
        String unfit = scenario.unfitFor(dev.ferry.drm.topology.Topologies.load(topology));
        if (unfit != null) throw new ParameterException(spec.commandLine(), "--scenario " + scenario.label() + ": " + unfit);
        Path dir = out != null ? out
                : Path.of("ferry-demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        // Before the run, not after it: a run's report must have somewhere to go.
        UserErrors.makeWritableDirectory(dir, "the report directory (--out)");
        Demo.Options options = new Demo.Options(topology, renderer.name(), seconds, fps, dir, scenario);
        new Demo(show == null ? options : options.showingOn(show), System.out).run();
        return 0;
    }
}
