package dev.ferry.compositor.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.ServiceLoader;

/**
 * The `ferry` command. Subcommands that live in other modules (`client`, `demo`, …) register
 * themselves through {@link FerrySubcommand} so the compositor module does not depend on them.
 */
@Command(name = "ferry", mixinStandardHelpOptions = true, version = "ferry 0.1.0",
        description = "A Wayland compositor that puts every buffer on screen by the cheapest path that works.",
        subcommands = {RunCommand.class, CtlCommand.class, TopologyCommand.class, CommandLine.HelpCommand.class})
public final class Ferry {
    /** A subcommand contributed by another module (found with ServiceLoader). */
    public interface FerrySubcommand {
        String name();

        Object command();
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Ferry());
        for (FerrySubcommand sub : ServiceLoader.load(FerrySubcommand.class)) cl.addSubcommand(sub.name(), sub.command());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("ferry: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (Boolean.getBoolean("ferry.debug")) e.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl.execute(args);
    }
}
