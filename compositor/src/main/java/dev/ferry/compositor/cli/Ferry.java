package dev.ferry.compositor.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.ServiceLoader;

/**
 * The `ferry` command. Subcommands that live in other modules (`client`, `demo`, …) register
 * themselves through {@link FerrySubcommand} so the compositor module does not depend on them.
 *
 * <p>Errors are one line each, never a stack trace ({@code -Dferry.debug=true} adds it): a bad
 * command line exits 2 with the message and where to find help, a command that fails exits 1
 * with what went wrong.
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
        if (args.length > 0 && (args[0].equals("run") || args[0].equals("demo"))) StartupWarmup.begin();
        CommandLine cl = new CommandLine(new Ferry());
        // The other modules' subcommands build their models (and load Jackson, JLine, the demo's
        // clients) when added: a fifth of `ferry run`'s start-up before the socket listens. A
        // command line that names one of this module's own subcommands never reaches them.
        if (args.length == 0 || !cl.getSubcommands().containsKey(args[0]) || args[0].equals("help")) {
            for (FerrySubcommand sub : ServiceLoader.load(FerrySubcommand.class)) cl.addSubcommand(sub.name(), sub.command());
        }
        cl.setParameterExceptionHandler((e, ignoredArgs) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println(cmd.getCommandName().equals("ferry") ? "ferry: " + e.getMessage()
                    : cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
            if (Boolean.getBoolean("ferry.debug")) e.printStackTrace(cmd.getErr());
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("ferry: " + UserErrors.describe(e));
            if (Boolean.getBoolean("ferry.debug")) e.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl.execute(args);
    }
}
