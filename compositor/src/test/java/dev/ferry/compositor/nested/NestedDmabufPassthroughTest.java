package dev.ferry.compositor.nested;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.client.DmabufAllocator;
import dev.ferry.client.DmabufFeedback;
import dev.ferry.client.DmabufWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.compositor.dmabuf.DmabufFeedback.Tranche;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.compositor.scene.Window;
import dev.ferry.drm.FakeKernel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.ferry.compositor.FerryServer.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * dma-buf host-passthrough: plain nested Ferry inside Ferry kms on the fake hybrid-laptop (whose
 * linux-dmabuf takes fake dma-bufs from any process) offers linux-dmabuf because its host does,
 * with the host's main device and tranches first; a client's dma-buf video goes to the host on a
 * subsurface through the host's linux-dmabuf, so nested Ferry copies and composes nothing for it,
 * and the outer Ferry's CRTC shows the video's frames.
 */
@Timeout(120)
class NestedDmabufPassthroughTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path outerDir;
    private Compositor outer;
    private Path nestedDir;
    private Compositor nested;

    @BeforeEach
    void start() throws Exception {
        outerDir = NestedInHeadless.privateDir();
        outer = Compositor.create(new Compositor.Options(outerDir, "kms", "wayland-host", 0, 0, 0, 0, "cpu",
                KmsBackend.Config.of("hybrid-laptop"), null));
        outer.startThread();
        nestedDir = NestedInHeadless.privateDir();
        nested = Compositor.create(Compositor.Options.nested(nestedDir, "wayland-nested", outerDir.resolve(outer.socketName()).toString())
                .withRenderer("cpu").withOutputs(1, 800, 600, 60_000));
        nested.startThread();
        assertTrue(eventually(Duration.ofSeconds(10), () -> outerWindow("Ferry nested") != null), "the nested window never mapped");
    }

    @AfterEach
    void stop() throws Exception {
        if (nested != null) nested.close();
        if (outer != null) outer.close();
        NestedInHeadless.deleteTree(nestedDir);
        NestedInHeadless.deleteTree(outerDir);
    }

    private Window outerWindow(String title) {
        return outer.onLoop(() -> {
            for (Window w : outer.scene().windows()) if (w.kind() == Window.Kind.TOPLEVEL && w.title().contains(title)) return w;
            return null;
        });
    }

    private JsonNode nestedOutput() throws IOException {
        return JSON.readTree(nested.statsJson()).get("outputs").get(0);
    }

    @Test
    void nestedFerryOffersTheHostsFeedbackAndHandsTheVideosDmabufsToTheHost() throws Exception {
        // Ferry's feedback: the host's main device, the host's tranche first, Ferry's own render tranche last.
        long hostMain = outer.onLoop(() -> outer.linuxDmabuf().mainDevice().info().devT());
        assertNotNull(nested.linuxDmabuf(), "nested Ferry offers no linux-dmabuf although its host does");
        var defaults = nested.onLoop(() -> nested.linuxDmabuf().feedback().defaultFeedback());
        assertEquals(hostMain, defaults.mainDevT(), defaults.toString());
        List<Tranche> hostTranches = outer.onLoop(() -> outer.linuxDmabuf().feedback().defaultFeedback().tranches());
        assertEquals(hostTranches.size() + 1, defaults.tranches().size(), "host tranches then Ferry's: " + defaults);
        assertEquals(hostTranches.getFirst().targetDevT(), defaults.tranches().getFirst().targetDevT(), defaults.toString());

        try (FakeKernel kernel = FakeKernel.open("hybrid-laptop");
             WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             DmabufWindow video = new DmabufWindow(client, new DmabufAllocator(kernel), DmabufWindow.Options.of("dmabuf video", 320, 240))) {
            DmabufFeedback.Snapshot seen = video.feedback().current();
            assertEquals(hostMain, seen.mainDevT(), "the client hears the host's main device");
            // A host answers a new buffer's import a round trip later: those first frames are composed.
            int frame = 0;
            for (; frame < 20; frame++) {
                assertTrue(video.drawFrame(frame, frameColour(frame)::fill, 3000), "video frame " + frame);
                assertTrue(video.awaitFrame(3000), "frame callback " + frame);
            }
            assertTrue(eventually(Duration.ofSeconds(5), () -> {
                try {
                    return nestedOutput().get("host_subsurfaces").asInt() > 0;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }), "the video never went to a host subsurface: " + new String(nested.statsJson()));
            JsonNode before = nestedOutput();
            for (int end = frame + 30; frame < end; frame++) {
                assertTrue(video.drawFrame(frame, frameColour(frame)::fill, 3000), "video frame " + frame);
                assertTrue(video.awaitFrame(3000), "frame callback " + frame);
            }
            JsonNode after = nestedOutput();
            long attaches = after.get("host_passthrough_attaches").asLong() - before.get("host_passthrough_attaches").asLong();
            long copied = after.get("host_copied_bytes").asLong() - before.get("host_copied_bytes").asLong();
            long composed = after.get("bytes_composed").asLong() - before.get("bytes_composed").asLong();
            System.out.printf("dma-buf video 320x240 through nested Ferry: %d frames to the host, %d bytes copied, %d composed by Ferry%n",
                    attaches, copied, composed);
            assertTrue(attaches >= 25, "the video's frames stopped reaching the host: " + after);
            assertEquals(0, copied, "bytes Ferry copied into its host buffers while only the video changed: " + after);
            assertEquals(0, composed, "bytes Ferry composed while only the video changed: " + after);
            assertTrue(after.get("paths").get("by_path").has("host-passthrough"), after.toString());
            assertEquals(0, after.get("host_dmabuf_refused").asLong(), after.toString());

            // The outer Ferry holds the client's own dma-buf on a subsurface of the nested window.
            assertTrue(outer.onLoop(() -> {
                for (Output o : outer.scene().outputs()) {
                    for (Scene.Placed p : outer.scene().visibleOn(o)) {
                        if (!p.root() && p.surface().buffer() != null && p.surface().buffer().kind().equals("dmabuf")) return true;
                    }
                }
                return false;
            }), "no dma-buf subsurface in the outer Ferry");
            // And its CRTC scans out the video's last frame where the nested window shows the video.
            int last = frameColour(frame - 1).rgb();
            Window host = outerWindow("Ferry nested");
            Window inner = nested.onLoop(() -> {
                for (Window w : nested.scene().windows()) if (w.title().equals("dmabuf video")) return w;
                return null;
            });
            int[] at = outer.onLoop(() -> {
                Output o = outer.scene().primaryOutput();
                return new int[] {host.x() - o.x(), host.y() - o.y()};
            });
            int[] in = nested.onLoop(() -> new int[] {inner.x(), inner.y()});
            int[] px = {0};
            assertTrue(eventually(Duration.ofSeconds(5), () -> {
                px[0] = outer.screenshot(null).at(at[0] + in[0] + 160, at[1] + in[1] + 120) & 0xffffff;
                return px[0] == last;
            }), "the outer screen shows " + Integer.toHexString(px[0]) + " where the video's last frame is " + Integer.toHexString(last));
        }
    }

    private record Colour(int rgb) {
        void fill(dev.ferry.client.Canvas c) {
            c.fill(rgb);
        }
    }

    /** Frame f's colour: its number in the low byte over a fixed hue. */
    private static Colour frameColour(int f) {
        return new Colour(0x30a000 | (f & 0xff));
    }
}
