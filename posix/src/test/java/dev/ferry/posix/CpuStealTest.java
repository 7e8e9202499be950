package dev.ferry.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each CPU's steal as /proc/stat has it (read the slow way to compare), never going backwards. */
class CpuStealTest {
    @Test
    void readsEveryCpusStealAsProcStatHasIt() throws Exception {
        List<Long> expected = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
            if (line.startsWith("cpu") && !line.startsWith("cpu ")) expected.add(Long.parseLong(line.trim().split("\\s+")[8]) * 10);
        }
        long[] got = new long[64];
        int n = CpuSteal.perCpuMs(got);
        assertEquals(Math.min(expected.size(), 64), n, "one figure per CPU");
        for (int i = 0; i < n; i++) {
            // Read a moment apart: equal, or a few ticks on where the machine is stealing now.
            assertTrue(got[i] >= expected.get(i) && got[i] - expected.get(i) <= 1000, "cpu" + i + ": " + got[i] + " against " + expected.get(i));
        }
        long[] later = new long[64];
        assertEquals(n, CpuSteal.perCpuMs(later));
        for (int i = 0; i < n; i++) assertTrue(later[i] >= got[i], "cpu" + i + " steal went backwards");
    }

    @Test
    void aShortArrayTakesTheFirstCpus() {
        long[] one = new long[1];
        assertEquals(1, CpuSteal.perCpuMs(one));
    }
}
