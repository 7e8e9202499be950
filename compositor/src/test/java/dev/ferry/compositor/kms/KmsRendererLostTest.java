package dev.ferry.compositor.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.stats.PathStatistics;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;
import dev.ferry.renderer.vulkan.VulkanRenderer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A GPU reset under a running output (the Vulkan renderer's VK_ERROR_DEVICE_LOST, injected):
 * one frame is lost, then the output composes on the CPU with the reason named, and the CRTC
 * keeps showing what the client draws. Never a stuck output.
 */
@Timeout(60)
class KmsRendererLostTest {
    @Test
    void lostVulkanDeviceMovesTheOutputToTheCpu() throws Exception {
        try (VirtualKms k = new VirtualKms("laptop-igpu", "eDP-1", dev.ferry.drm.FaultPlan.none(), "vulkan")) {
            Compositor c = k.c;
            {
                WaylandClient client = k.connect();
                ShmWindow w = k.shm(client, "lost", 200, 120);
                for (int i = 0; i < 10; i++) k.frame(w, 0x00336699);
                PathStatistics.SurfaceRecord before = c.onLoop(() -> c.pathStatistics().record(c.scene().windows().getFirst().surface()));
                long gpuFrames = before.all().frames(PathKind.GPU_COMPOSITION);
                assertTrue(gpuFrames >= 5, before.all().toMap().toString());
                String stats = new String(c.statsJson());
                assertTrue(stats.contains("\"renderer_memory\"") && stats.contains("\"textures_in_place\""), "ctl stats names where Vulkan read: " + stats);
                assertEquals(0, ((VulkanRenderer) c.renderer()).counters().copiedTotal(), "a sealed wl_shm pool is sampled in place");
                ((VulkanRenderer) c.renderer()).injectDeviceLost();
                // The frame the reset hits is lost; its callback is answered and the retry comes a refresh later.
                for (int i = 0; i < 15; i++) k.frame(w, 0x00996633 + i);
                Compositor.Screenshot shot = c.screenshot("eDP-1");
                int[] at = c.onLoop(() -> new int[] {c.scene().windows().getFirst().x(), c.scene().windows().getFirst().y()});
                assertEquals(0x996633 + 14, shot.at(at[0] + 100, at[1] + 60) & 0xffffff, "the CPU-composed frame reaches the CRTC");
                PathStatistics.SurfaceRecord after = c.onLoop(() -> c.pathStatistics().record(c.scene().windows().getFirst().surface()));
                assertTrue(after.all().frames(PathKind.CPU_COPY) >= 10, after.all().toMap().toString());
                assertTrue(after.all().frames(PathKind.GPU_COMPOSITION) <= gpuFrames + 1, after.all().toMap().toString());
                @SuppressWarnings("unchecked")
                var byReason = (Map<String, Long>) after.all().toMap().get("by_reason");
                assertTrue(byReason.containsKey(FallbackReason.RENDERER_LOST.label()), byReason.toString());
                long failed = c.onLoop(() -> c.backend().stats(c.scene().outputNamed("eDP-1")).failedFrames());
                assertEquals(1, failed, "only the frame the reset hit is lost");
                w.close();
            }
        }
    }
}
