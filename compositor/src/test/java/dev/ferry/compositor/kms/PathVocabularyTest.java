package dev.ferry.compositor.kms;

import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.path.PathObserver;
import dev.ferry.compositor.stats.PathCounters;
import dev.ferry.kms.PathKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One path vocabulary on every backend, each frame saying what did the work: the CPU
 * compositor's frames are system-RAM copies (not GPU composition) on kms and headless alike;
 * a GPU's frames name the device that composed them.
 */
@Timeout(60)
class PathVocabularyTest {
    private static final int FRAMES = 8;

    private static Path dir() throws Exception {
        return Files.createTempDirectory("ferry-vocab-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    /** Plays FRAMES shm frames in a window and returns the output's counters. */
    private static PathCounters play(Compositor c, Path dir, String output) throws Exception {
        c.startThread();
        try (WaylandClient client = WaylandClient.connect(dir.resolve(c.socketName()).toString())) {
            ShmWindow w = new ShmWindow(client, "vocabulary", 200, 120, true);
            for (int i = 0; i < FRAMES; i++) {
                assertTrue(w.drawWhenFree(ShmWindow.fill(0x00102030 + i), 3000));
                assertTrue(w.awaitFrame(3000));
            }
            w.close();
        }
        return c.onLoop(() -> c.pathStatistics().output(output == null ? c.scene().primaryOutput().name() : output));
    }

    /** The same on kms, on the virtual clock: one refresh per frame, so exactly FRAMES composed frames. */
    private static PathCounters playOnKms(String renderer) throws Exception {
        try (VirtualKms k = new VirtualKms("laptop-igpu", "eDP-1", dev.ferry.drm.FaultPlan.none(), renderer)) {
            WaylandClient client = k.connect();
            ShmWindow w = k.shm(client, "vocabulary", 200, 120);
            for (int i = 0; i < FRAMES; i++) k.frame(w, 0x00102030 + i);
            w.close();
            k.kill(client);
            k.awaitNoWindows();
            return k.c.onLoop(() -> k.c.pathStatistics().output("eDP-1"));
        }
    }

    @Test
    void theCpuRendererOnKmsIsASystemRamCopyByTheCpu() throws Exception {
        PathCounters out = playOnKms("cpu");
        assertEquals(0, out.frames(PathKind.GPU_COMPOSITION), out.toMap().toString());
        assertTrue(out.frames(PathKind.CPU_COPY) >= FRAMES, out.toMap().toString());
        assertEquals(out.frames(PathKind.CPU_COPY), out.frames(PathKind.CPU_COPY, PathObserver.CPU), out.toMap().toString());
    }

    @Test
    void gpuFramesOnKmsNameTheDeviceThatComposedThem() throws Exception {
        PathCounters out = playOnKms("gles");
        assertTrue(out.frames(PathKind.GPU_COMPOSITION) >= FRAMES, out.toMap().toString());
        assertEquals(out.frames(PathKind.GPU_COMPOSITION), out.frames(PathKind.GPU_COMPOSITION, "card0"), out.toMap().toString());
        assertEquals(out.frames(PathKind.GPU_COMPOSITION), ((java.util.Map<?, ?>) out.toMap().get("by_device")).get("gpu-composition@card0"));
    }

    @Test
    void theCpuRendererHeadlessUsesTheSameWords() throws Exception {
        Path dir = dir();
        try (Compositor c = Compositor.create(Compositor.Options.headless(dir, "wayland-v").withRenderer("cpu").withOutputs(1, 640, 480, 60_000))) {
            PathCounters out = play(c, dir, null);
            assertEquals(0, out.frames(PathKind.GPU_COMPOSITION), out.toMap().toString());
            assertTrue(out.frames(PathKind.CPU_COPY) >= FRAMES, out.toMap().toString());
            String label = c.onLoop(() -> c.backend().stats(c.scene().primaryOutput()).framesByPath().keySet().toString());
            assertEquals("[system-ram-copy]", label, "the output's own counters say it the same way");
        }
    }
}
