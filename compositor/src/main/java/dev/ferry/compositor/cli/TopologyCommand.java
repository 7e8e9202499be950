package dev.ferry.compositor.cli;

import dev.ferry.drm.topology.Topologies;
import dev.ferry.drm.topology.dump.DumpFormatException;
import dev.ferry.drm.topology.dump.DumpImporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** `ferry topology list|show NAME|import DUMP`: the fake hardware presets, and a user's machine from its drm_info dump. */
@Command(name = "topology", mixinStandardHelpOptions = true, description = "List, print or import fake-drm topologies.",
        subcommands = {TopologyCommand.ListPresets.class, TopologyCommand.Show.class, TopologyCommand.Import.class})
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

    @Command(name = "import", description = "Turn a drm_info dump (tree text or drm_info -j JSON) into a topology file; "
            + "prints what it assumed and what the dump lacked.")
    static final class Import implements Callable<Integer> {
        @Parameters(index = "0", description = "the drm_info dump")
        Path dump;

        @Option(names = "--out", description = "where to write the topology JSON (default: standard output)")
        Path out;

        @Option(names = "--name", description = "the topology's name (default: the dump's file name)")
        String name;

        @Override
        public Integer call() throws IOException {
            String topologyName = name != null ? name : dump.getFileName().toString().replaceFirst("\\.[^.]*$", "");
            DumpImporter.Imported imported;
            try {
                imported = DumpImporter.toTopology(DumpImporter.read(Files.readString(dump)), topologyName);
            } catch (DumpFormatException e) {
                System.err.println("ferry topology import: " + dump + ": " + e.getMessage());
                return 2;
            }
            String json = Topologies.toJson(imported.topology());
            if (out == null) System.out.println(json);
            else Files.writeString(out, json + "\n");
            System.err.println("assumed (edit the topology to correct):");
            for (String a : imported.assumptions()) System.err.println("  " + a);
            if (!imported.missing().isEmpty()) {
                System.err.println("missing from the dump:");
                for (String m : imported.missing()) System.err.println("  " + m);
            }
            if (out != null) System.err.println("wrote " + out + "; run it with: ferry run --topology " + out);
            return 0;
        }
    }
}
