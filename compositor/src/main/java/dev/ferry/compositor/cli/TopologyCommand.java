package dev.ferry.compositor.cli;

import dev.ferry.drm.topology.Topologies;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** `ferry topology list|show NAME`: the fake hardware presets. */
@Command(name = "topology", mixinStandardHelpOptions = true, description = "List or print fake-drm topologies.",
        subcommands = {TopologyCommand.ListPresets.class, TopologyCommand.Show.class})
final class TopologyCommand {
    @Command(name = "list", description = "The built-in presets, one line each.")
    static final class ListPresets implements Callable<Integer> {
        @Override
        public Integer call() {
            for (String name : Topologies.presetNames()) {
                System.out.println(name + (name.equals(Topologies.DEFAULT) ? "  (default)" : ""));
                System.out.println("  " + Topologies.summary(Topologies.preset(name)).replace("\n", "\n  ").stripTrailing());
            }
            return 0;
        }
    }

    @Command(name = "show", description = "Print a preset or topology file as JSON.")
    static final class Show implements Callable<Integer> {
        @Parameters(index = "0", description = "preset name or JSON file")
        String name;

        @Override
        public Integer call() {
            System.out.println(Topologies.toJson(Topologies.load(name)));
            return 0;
        }
    }
}
