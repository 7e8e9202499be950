package dev.ferry.compositor.kms;

import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.FerryServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GLES imports finish on the render thread; the texture they make belongs to a ClientBuffer,
 * which the event loop owns. The result must come back to the loop before it touches the
 * buffer (ClientBuffer refuses a texture from any other thread): on two outputs, both
 * importing each new buffer, every frame still shows the client's pixels.
 */
@Timeout(60)
class TextureConfinementTest {
    @Test
    void importsFinishedOnTheRenderThreadAreAppliedOnTheLoop() throws Exception {
        try (FerryServer ferry = new FerryServer("gles", 2, 640, 480);
             WaylandClient client = WaylandClient.connect(ferry.runtimeDir().resolve(ferry.socketName()).toString())) {
            Compositor c = ferry.compositor();
            ShmWindow w = new ShmWindow(client, "confined", 300, 200, true);
            for (int i = 0; i < 12; i++) {
                int rgb = 0x00204060 + i * 0x000101;
                assertTrue(w.drawWhenFree(ShmWindow.fill(rgb), 3000), "frame " + i);
                assertTrue(w.awaitFrame(3000), "frame callback " + i);
                int[] at = ferry.windowRect(ferry.window("confined"));
                assertTrue(FerryServer.eventually(Duration.ofSeconds(3), () -> (c.screenshot(null).at(at[0] + 150, at[1] + 100) & 0xffffff) == rgb),
                        "frame " + i + " shows " + Integer.toHexString(c.screenshot(null).at(at[0] + 150, at[1] + 100)));
            }
            w.close();
        }
    }
}
