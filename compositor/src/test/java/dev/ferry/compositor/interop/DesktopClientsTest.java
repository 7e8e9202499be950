package dev.ferry.compositor.interop;

import dev.ferry.compositor.FerryServer;
import dev.ferry.compositor.scene.Window;
import dev.ferry.compositor.seat.InputCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;

import static dev.ferry.compositor.FerryServer.eventually;
import static dev.ferry.compositor.FerryServer.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Desktop clients from Debian against Ferry headless, driven through seat0 the way
 * {@code ferry ctl input} drives it: they start without complaining about missing globals,
 * receive pointer and keyboard input with the right keysyms, and copy and paste.
 */
@Timeout(120)
class DesktopClientsTest {
    private static FerryServer ferry;

    @BeforeAll
    static void start() throws Exception {
        ferry = new FerryServer("cpu");
    }

    @AfterAll
    static void stop() throws Exception {
        ferry.close();
    }

    private static void input(String command) {
        ferry.compositor().input(InputCommand.parse(command));
    }

    /** Waits for a toplevel whose title contains part, raised by clicking it. */
    private static Window waitForWindow(String titlePart) throws InterruptedException {
        assertTrue(eventually(Duration.ofSeconds(20), () -> ferry.window(titlePart) != null), titlePart + " never mapped");
        return ferry.window(titlePart);
    }

    @Test
    void footStartsWithoutWarningsAboutMissingGlobals() throws Exception {
        Process p = ferry.start("foot", "--log-level=warning", "-T", "foot-under-ferry", "sh", "-c", "sleep 2");
        try {
            waitForWindow("foot-under-ferry");
            assertEquals(0, waitFor(p, Duration.ofSeconds(30)), "foot failed:\n" + ferry.output(p));
            String out = ferry.output(p);
            // foot logs at warning level each protocol it misses ("compositor does not implement ...").
            assertTrue(out.lines().noneMatch(l -> l.startsWith("warn:") || l.startsWith("err:")), "foot warned:\n" + out);
        } finally {
            p.destroy();
            waitFor(p, Duration.ofSeconds(5));
        }
    }

    @Test
    void westonEditorStartsAndTakesTypedTextIntoTheClickedEntry() throws Exception {
        Process p = ferry.start(Map.of("WAYLAND_DEBUG", "1"), "weston-editor");
        try {
            Window w = waitForWindow("Text Editor");
            int[] r = ferry.windowRect(w);
            // The upper entry, "Entry", spans the window's width about a quarter of the way down.
            input("move " + (r[0] + r[2] / 2) + " " + (r[1] + r[3] / 4));
            input("click");
            assertTrue(eventually(Duration.ofSeconds(10), () -> logHas(p, "zwp_text_input_v1@") && logHas(p, ".enter(")),
                    "the click never activated a text input");
            input("type Hello, Ferry!");
            assertTrue(eventually(Duration.ofSeconds(10), () -> logHas(p, "set_surrounding_text(\"EntryHello, Ferry!\"")),
                    "weston-editor's entry never held the typed text");
        } finally {
            p.destroy();
            waitFor(p, Duration.ofSeconds(5));
        }
    }

    @Test
    void westonEventdemoGetsEnterButtonsAndKeysWithTheirKeysyms() throws Exception {
        Process p = ferry.start(Map.of("WAYLAND_DEBUG", "1"), "stdbuf", "-oL", "weston-eventdemo", "--title=eventdemo",
                "--log-key", "--log-button");
        try {
            Window w = waitForWindow("eventdemo");
            int[] r = ferry.windowRect(w);
            int cx = r[2] / 2, cy = r[3] / 2;
            input("move " + (r[0] + cx) + " " + (r[1] + cy));
            input("click");
            input("type aB");
            assertTrue(eventually(Duration.ofSeconds(10), () -> logHas(p, "unicode: 66, state: released")), "keys never arrived");
            String out = ferry.output(p);
            assertTrue(java.util.regex.Pattern.compile("wl_pointer@\\d+\\.enter\\(\\d+, wl_surface@\\d+, " + cx + "\\.0+, " + cy + "\\.0+\\)")
                    .matcher(out).find(), "no pointer enter at the surface-local " + cx + "," + cy + ":\n" + out);
            // Surface-local coordinates, as weston-eventdemo prints them; 272 is BTN_LEFT.
            assertTrue(out.contains("button: 272, state: pressed, x: " + cx + ", y: " + cy)
                    && out.contains("button: 272, state: released, x: " + cx + ", y: " + cy), "no left click at " + cx + "," + cy + ":\n" + out);
            // evdev key 30 is 'a' (keysym U+0061); 48 with Shift (modifier mask 0x1) is 'B'.
            assertTrue(out.contains("key key: 30, unicode: 97, state: pressed, modifiers: 0x0"), out);
            assertTrue(out.contains("key key: 48, unicode: 66, state: pressed, modifiers: 0x1"), out);
        } finally {
            p.destroy();
            waitFor(p, Duration.ofSeconds(5));
        }
    }

    @Test
    void textCopiedInOneClientIsPastedInAnother() throws Exception {
        for (String selection : new String[] {"clipboard", "primary"}) {
            String text = "copied through Ferry's " + selection;
            Process copy = selection.equals("primary")
                    ? ferry.start("wl-copy", "--foreground", "--primary", text)
                    : ferry.start("wl-copy", "--foreground", text);
            try {
                // wl-copy sets the selection once a surface of its has keyboard focus (it maps
                // one for that and goes again); until then a paste finds none.
                String[] pasted = {null};
                assertTrue(eventually(Duration.ofSeconds(20), () -> {
                    pasted[0] = paste(selection);
                    return text.equals(pasted[0]);
                }), "pasted '" + pasted[0] + "', expected '" + text + "'");
            } finally {
                copy.destroy();
                waitFor(copy, Duration.ofSeconds(5));
            }
        }
    }

    /** What wl-paste, a second client, reads from the selection (null if it failed). */
    private static String paste(String selection) {
        try {
            Process p = selection.equals("primary") ? ferry.start("wl-paste", "--no-newline", "--primary")
                    : ferry.start("wl-paste", "--no-newline");
            return waitFor(p, Duration.ofSeconds(10)) == 0 ? ferry.output(p) : null;
        } catch (java.io.IOException | InterruptedException e) {
            return null;
        }
    }

    private static boolean logHas(Process p, String s) {
        try {
            return ferry.output(p).contains(s);
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
