package dev.ferry.compositor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * In a fresh JVM, the warm-up's class loading loads the protocol classes and handlers that a real
 * toolkit's first requests reach and Ferry's demo never does (text input, primary selection,
 * data device), before any client could ask for them, and initialises none of them.
 */
class StartupWarmupTest {
    /** Run in the child JVM: the warm-up's class loading, then a mark. */
    public static final class Probe {
        public static void main(String[] args) {
            StartupWarmup.loadProtocolClasses();
            System.out.println("FERRY-WARM");
        }
    }

    @Test
    void theClassesRealClientsReachAreLoadedAheadAndNotInitialised() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xlog:class+load=info,class+init=info",
                "-cp", System.getProperty("java.class.path"), Probe.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe JVM did not end");
        assertEquals(0, p.exitValue(), out.length() > 4000 ? out.substring(out.length() - 4000) : out);
        int warm = out.indexOf("FERRY-WARM");
        assertTrue(warm > 0, "no mark");
        for (String c : new String[] {"dev.ferry.protocol.interfaces.ZwpTextInputV3", "dev.ferry.protocol.interfaces.ZwpPrimarySelectionDeviceV1$RequestDispatcher",
                "dev.ferry.protocol.interfaces.WlDataDevice", "dev.ferry.compositor.textinput.TextInputV3Global$TextInput",
                "dev.ferry.compositor.datadevice.DataDeviceGlobal$Device"}) {
            int at = out.indexOf(c + " source:");
            assertTrue(at >= 0 && at < warm, c + " not loaded by the warm-up");
        }
        // Loaded, not initialised: class initialisation stays where the compositor first uses a
        // class. (The probe's own initialisation shows the log's wording.)
        assertTrue(out.contains("Initializing 'dev/ferry/compositor/cli/StartupWarmupTest$Probe'"), "no class+init log");
        String before = out.substring(0, warm);
        for (String c : new String[] {"dev/ferry/compositor/textinput/TextInputV3Global", "dev/ferry/protocol/interfaces/ZwpTextInputV3"}) {
            assertTrue(!before.contains("Initializing '" + c), "the warm-up initialised " + c);
        }
    }
}
