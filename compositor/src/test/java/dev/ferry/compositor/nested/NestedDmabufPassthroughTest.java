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
import dev.ferry.compositor.devices.FakeDevices;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.KernelClock;
import dev.ferry.drm.topology.Topologies;
import dev.ferry.drm.uapi.Fourcc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
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
 *
 * <p>And where the host does not take a buffer, nested Ferry composes it and names why: a host
 * whose kernel refuses every path for the buffer answers params.create with failed
 * (host-refused-buffer), and a host whose feedback lacks the buffer's format is never asked
 * (host-lacks-format). Either way the client keeps getting frames and the host's screen shows them.
 */
@Timeout(120)
class NestedDmabufPassthroughTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path outerDir;
    private Compositor outer;
    private Path nestedDir;
    private Compositor nested;

    /** The host on these devices, then plain nested Ferry (on the hybrid-laptop's devices) in it. */
    private void start(KmsBackend.Config hostDevices) throws Exception {
        outerDir = NestedInHeadless.privateDir();
        outer = Compositor.create(new Compositor.Options(outerDir, "kms", "wayland-host", 0, 0, 0, 0, "cpu", hostDevices, null));
        outer.startThread();
        nestedDir = NestedInHeadless.privateDir();
        nested = Compositor.create(Compositor.Options.nested(nestedDir, "wayland-nested", outerDir.resolve(outer.socketName()).toString())
                .withRenderer("cpu").withOutputs(1, 800, 600, 60_000));
        nested.startThread();
        assertTrue(eventually(Duration.ofSeconds(10), () -> outerWindow("Ferry nested") != null), "the nested window never mapped");
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (nested != null) nested.close();
            if (outer != null) outer.close();
        } finally {
            if (nestedDir != null) NestedInHeadless.deleteTree(nestedDir);
            if (outerDir != null) NestedInHeadless.deleteTree(outerDir);
        }
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
        start(KmsBackend.Config.of("hybrid-laptop"));
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
            assertHostShows("dmabuf video", 160, 120, frameColour(frame - 1).rgb());
        }
    }

    @Test
    void aBufferTheHostsKernelRefusesOnEveryPathIsComposedAndNamedHostRefusedBuffer() throws Exception {
        // The host's kernel: card0 cannot reach card1's vram (no p2p), and mapping a card1 buffer
        // for the CPU is refused (an exporter without mmap): no path of the host's reads it.
        start(KmsBackend.Config.of(FakeDevices.source("hybrid-laptop", KernelClock.monotonic(),
                FakeDevices.faultPlan("cpu-map@card1:time=0-3600", "hybrid-laptop"))));
        try (FakeKernel kernel = FakeKernel.open("hybrid-laptop");
             WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             // PRIME offload: rendered on the dGPU into its vram, which nested Ferry's CPU reads through the BAR.
             DmabufWindow video = new DmabufWindow(client, new DmabufAllocator(kernel),
                     DmabufWindow.Options.of("offloaded video", 320, 240).device("card1"))) {
            int frame = drawUntil(video, 0, () -> nestedOutput().get("host_dmabuf_refused").asLong() >= 1,
                    "the host never refused the card1 buffer");
            JsonNode before = nestedOutput();
            frame = drawFrames(video, frame, 30);
            JsonNode after = nestedOutput();
            assertTrue(reasonsOf("offloaded video").contains("host-refused-buffer"), "no host-refused-buffer: " + new String(nested.statsJson()));
            assertEquals(0, after.get("host_subsurfaces").asInt(), "a refused buffer on a host subsurface: " + after);
            assertEquals(before.get("host_passthrough_attaches").asLong(), after.get("host_passthrough_attaches").asLong(), after.toString());
            assertTrue(after.get("bytes_composed").asLong() > before.get("bytes_composed").asLong(), "the refused video was not composed: " + after);
            // The host named its refusal in its own fault log, with the kernel's reason.
            JsonNode hostFaults = JSON.readTree(outer.statsJson()).get("faults");
            assertTrue(hostFaults.toString().contains("CPU mapping refused") && hostFaults.toString().contains("cannot be used"), hostFaults.toString());
            assertHostShows("offloaded video", 160, 120, frameColour(frame - 1).rgb());
        }
    }

    @Test
    void aFormatTheHostDoesNotAdvertiseIsComposedAndNamedHostLacksFormat() throws Exception {
        // The host on the hybrid-laptop less XBGR8888 in card0's sampling formats, so its
        // feedback lacks it; nested Ferry (on the full hybrid-laptop) reads XBGR8888 and offers it
        // in its own tranche, after the host's.
        Path topology = Files.createTempFile("ferry-host-topology-", ".json");
        try {
            Files.writeString(topology, withoutSampleFormat("hybrid-laptop", "card0", "XBGR8888"));
            start(KmsBackend.Config.of(topology.toString()));
        } finally {
            Files.delete(topology);
        }
        try (FakeKernel kernel = FakeKernel.open("hybrid-laptop");
             WaylandClient client = WaylandClient.connect(nestedDir.resolve(nested.socketName()).toString());
             DmabufWindow video = new DmabufWindow(client, new DmabufAllocator(kernel),
                     DmabufWindow.Options.of("xbgr video", 320, 240).fourcc(Fourcc.XBGR8888))) {
            assertEquals(1, video.plan().trancheIndex(), "the client did not allocate from Ferry's own tranche: " + video.plan());
            int frame = drawFrames(video, 0, 40);
            JsonNode out = nestedOutput();
            assertTrue(reasonsOf("xbgr video").contains("host-lacks-format"), "no host-lacks-format: " + new String(nested.statsJson()));
            assertEquals(0, out.get("host_subsurfaces").asInt(), out.toString());
            assertEquals(0, out.get("host_dmabuf_refused").asLong(), "the host was asked about a format it does not take: " + out);
            // R and B alike, so the picture is right whatever the byte order.
            assertHostShows("xbgr video", 160, 120, frameColour(frame - 1).rgb());
        }
    }

    /** The preset's JSON with one format taken out of a device's sampling formats. */
    private static String withoutSampleFormat(String preset, String device, String format) throws IOException {
        JsonNode t = JSON.readTree(Topologies.toJson(Topologies.preset(preset)));
        for (JsonNode d : t.get("devices")) {
            if (!d.get("name").asText().equals(device)) continue;
            for (JsonNode set : d.get("sample")) {
                var formats = (com.fasterxml.jackson.databind.node.ArrayNode) set.get("formats");
                for (int i = formats.size() - 1; i >= 0; i--) if (formats.get(i).asText().equals(format)) formats.remove(i);
            }
        }
        return JSON.writeValueAsString(t);
    }

    private interface Check {
        boolean holds() throws IOException;
    }

    /** Draws frames from frame on, each waiting for its callback, until done holds; returns the next frame number. */
    private int drawUntil(DmabufWindow video, int frame, Check done, String why) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.holds()) {
            assertTrue(System.nanoTime() < deadline, why + ": " + new String(nested.statsJson()));
            frame = drawFrames(video, frame, 1);
        }
        return frame;
    }

    private static int drawFrames(DmabufWindow video, int frame, int count) throws IOException {
        for (int end = frame + count; frame < end; frame++) {
            assertTrue(video.drawFrame(frame, frameColour(frame)::fill, 3000), "video frame " + frame);
            assertTrue(video.awaitFrame(3000), "frame callback " + frame);
        }
        return frame;
    }

    /** The by-reason counts of the inner surface with that title, as JSON text ("" when it has none). */
    private String reasonsOf(String title) throws IOException {
        StringBuilder b = new StringBuilder();
        for (JsonNode s : JSON.readTree(nested.statsJson()).get("surface_paths")) {
            if (s.path("title").asText().equals(title)) b.append(s.get("paths").get("by_reason"));
        }
        return b.toString();
    }

    /** The host's CRTC shows rgb at (dx, dy) of the inner window of that title, within 5 s. */
    private void assertHostShows(String title, int dx, int dy, int rgb) throws InterruptedException {
        Window host = outerWindow("Ferry nested");
        Window inner = nested.onLoop(() -> {
            for (Window w : nested.scene().windows()) if (w.title().equals(title)) return w;
            return null;
        });
        int[] at = outer.onLoop(() -> {
            Output o = outer.scene().primaryOutput();
            return new int[] {host.x() - o.x(), host.y() - o.y()};
        });
        int[] in = nested.onLoop(() -> new int[] {inner.x(), inner.y()});
        int[] px = {0};
        assertTrue(eventually(Duration.ofSeconds(5), () -> {
            px[0] = outer.screenshot(null).at(at[0] + in[0] + dx, at[1] + in[1] + dy) & 0xffffff;
            return px[0] == rgb;
        }), "the outer screen shows " + Integer.toHexString(px[0]) + " where " + title + "'s last frame is " + Integer.toHexString(rgb));
    }

    private record Colour(int rgb) {
        void fill(dev.ferry.client.Canvas c) {
            c.fill(rgb);
        }
    }

    /** Frame f's colour: its number in the red and blue bytes (alike, so any RGB byte order reads it the same) over green. */
    private static Colour frameColour(int f) {
        return new Colour((f & 0xff) << 16 | 0xa000 | (f & 0xff));
    }
}
