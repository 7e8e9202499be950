package dev.ferry.posix;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every heap segment kind is loaded with the downcalls, in a fresh JVM, before anything of
 * Ferry's runs: none is left for a later MemorySegment.ofArray or toArray to load, which would
 * deoptimise every compiled method that took segments to be native (SegmentKinds).
 */
class SegmentKindsTest {
    /** Run in the child JVM: links the downcalls and says so. */
    public static final class Probe {
        public static void main(String[] args) {
            Downcalls.link();
            System.out.println("FERRY-LINKED");
        }
    }

    @Test
    void linkingTheDowncallsLoadsEveryHeapSegmentKind() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xlog:class+load=info",
                "-cp", System.getProperty("java.class.path"), Probe.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the probe JVM did not end");
        assertEquals(0, p.exitValue(), out);
        int linked = out.indexOf("FERRY-LINKED");
        assertTrue(linked > 0, out);
        for (String kind : new String[] {"Byte", "Short", "Char", "Int", "Long", "Float", "Double"}) {
            int at = out.indexOf("jdk.internal.foreign.HeapMemorySegmentImpl$Of" + kind + " ");
            assertTrue(at >= 0 && at < linked, "HeapMemorySegmentImpl$Of" + kind + " not loaded before the downcalls were linked");
        }
    }
}
