package dev.ferry.compositor.cli;

import dev.ferry.drm.topology.Topologies;
import dev.ferry.drm.topology.dump.DrmInfoDump;
import dev.ferry.drm.topology.dump.DumpFormatException;
import dev.ferry.drm.topology.dump.DumpImporter;
import dev.ferry.drm.topology.probe.DrmProbe;
import dev.ferry.posix.PosixException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * `ferry topology list|show NAME|import DUMP|probe`: the fake hardware presets, and a user's machine from its
 * drm_info dump or from its own /dev/dri.
 */
@Command(name = "topology", mixinStandardHelpOptions = true, description = "List, print or import fake-drm topologies.",
        subcommands = {TopologyCommand.ListPresets.class, TopologyCommand.Show.class, TopologyCommand.Import.class,
                TopologyCommand.Probe.class})
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
            emit(imported, out);
            return 0;
        }
    }

    @Command(name = "probe", description = "Read this machine's /dev/dri/card* (read-only KMS ioctls, no DRM master) "
            + "into a topology file; prints what it assumed.")
    static final class Probe implements Callable<Integer> {
        @Option(names = "--out", description = "where to write the topology JSON (default: standard output)")
        Path out;

        @Option(names = "--dri", description = "the DRM device directory (default: /dev/dri)", hidden = true)
        Path dri = Path.of("/dev/dri");

        @Override
        public Integer call() throws IOException {
            List<Path> nodes = DrmProbe.cardNodes(dri);
            if (nodes.isEmpty()) {
                System.err.println("ferry topology probe: no DRM devices: " + dri + " has no card nodes");
                return 1;
            }
            DrmInfoDump dump;
            try {
                dump = DrmProbe.probe(nodes);
            } catch (PosixException | DumpFormatException e) {
                System.err.println("ferry topology probe: " + e.getMessage());
                return 1;
            }
            emit(DumpImporter.toTopology(dump, "probed"), out);
            return 0;
        }
    }

    /** The topology to stdout or a file; its assumptions and gaps to stderr. */
    private static void emit(DumpImporter.Imported imported, Path out) throws IOException {
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
    }
}
