package dev.ferry.compositor;

import dev.ferry.posix.ThreadNice;
import dev.ferry.posix.ThreadSchedStat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

class JitPriorityTest {
    @TempDir
    Path dir;

    @Test
    void aServingCompositorsJitCompilersAreNicerThanItsLoop() throws Exception {
        try (Compositor c = Compositor.create(Compositor.Options.headless(dir, "wayland-jit").withRenderer("cpu"))) {
            c.startThread();
            int loop = c.onLoop(() -> ThreadSchedStat.threadNamed("ferry-loop"));
            int[] compilers = ThreadSchedStat.jitCompilers();
            assertTrue(compilers.length > 0, "no JIT compiler thread found");
            for (int tid : compilers) {
                assertTrue(ThreadNice.of(tid) >= JitPriority.NICE, "compiler thread " + tid + " at nice " + ThreadNice.of(tid));
            }
            assertTrue(ThreadNice.of(loop) < JitPriority.NICE, "the loop thread was made nice " + ThreadNice.of(loop));
        }
    }
}
