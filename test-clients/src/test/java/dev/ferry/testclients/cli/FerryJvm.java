package dev.ferry.testclients.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The `ferry` command as its own JVM: the launcher's JVM options and this test run's classes. */
final class FerryJvm {
    private FerryJvm() {}

    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "dev.ferry.compositor.cli.Ferry"));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
