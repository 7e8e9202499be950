package dev.ferry.compositor.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `ferry ctl`'s --socket before or after the subcommand, as users type it (`ferry top --socket`
 * takes it after its name too): both set the socket asked for; after the subcommand it was
 * "Unknown options".
 */
class CtlSocketOptionTest {
    private static final String[][] LINES = {
            {"ctl", "stats", "--socket", "wayland-nosuch-polish"},
            {"ctl", "--socket", "wayland-nosuch-polish", "stats"},
            {"ctl", "screenshot", "--socket", "wayland-nosuch-polish", "--output", "eDP-1", "--file", "/tmp/nosuch-polish.png"},
            {"ctl", "stats", "--watch", "--socket", "wayland-nosuch-polish"}};

    @Test
    void socketBeforeOrAfterTheSubcommandIsTheSocketAsked() {
        for (String[] args : LINES) {
            CommandLine.ParseResult ctl = new CommandLine(new Ferry()).parseArgs(args).subcommand();
            CtlCommand parsed = (CtlCommand) ctl.commandSpec().userObject();
            assertEquals("wayland-nosuch-polish", parsed.socket, String.join(" ", args));
        }
    }

    @Test
    void aSocketAfterTheSubcommandFailsAsOneLineAboutTheLookupNotTheOptions() {
        for (String[] args : LINES) {
            PrintStream err = System.err, out = System.out;
            ByteArrayOutputStream e = new ByteArrayOutputStream();
            int code;
            try {
                System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
                System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
                code = Ferry.execute(args);
            } finally {
                System.setErr(err);
                System.setOut(out);
            }
            String text = e.toString(StandardCharsets.UTF_8);
            assertTrue(code != 0, String.join(" ", args));
            assertFalse(text.contains("Unknown option"), text);
            // No Ferry serves that socket (or, where the test runs without XDG_RUNTIME_DIR, there is no runtime dir).
            assertTrue(text.contains("wayland-nosuch-polish") || text.contains("XDG_RUNTIME_DIR"), text);
            assertEquals(1, text.strip().lines().count(), text);
        }
    }
}
