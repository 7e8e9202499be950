package dev.ferry.testclients.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.compositor.control.ControlClient;
import dev.ferry.compositor.control.ControlServer;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.testclients.video.VideoClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `ferry ctl stats --watch` against a live compositor: one JSON object per line, every interval,
 * and the reasons in them explain themselves. A fullscreen video starts on a modifier the planes
 * lack; while it plays, the stream shows its reason with a category, a description and what to
 * do, naming the allocation its feedback now offers (the scanout tranche on card0).
 */
@Timeout(120)
class StatsWatchTest {
    private static final long HYSTERESIS_NS = 250_000_000L;

    @Test
    void watchStreamsOneObjectPerLineWithReasonsAndWhatToDo() throws Exception {
        String topo = Path.of(getClass().getResource("/laptop-igpu-no-column-scanout.json").toURI()).toString();
        try (KmsFerry f = KmsFerry.onVirtualClock(topo, HYSTERESIS_NS)) {
            VideoClient.Playback client = f.start(VideoClient.Options.of(f.socketPath()).topology(topo).title("video-w")
                    .fullscreen(true).frames(600).modifier(Modifiers.FAKE_TILED_16X16_COLUMN));
            Path control = ControlServer.controlDir(f.runtimeDir(), f.compositor().socketName()).resolve("control");
            ObjectMapper json = new ObjectMapper();
            List<Long> uptimes = new java.util.concurrent.CopyOnWriteArrayList<>();
            AtomicReference<JsonNode> explained = new AtomicReference<>();
            // The watcher reads on its own thread (its lines come every 100 ms of virtual time) while this one moves the clock.
            CompletableFuture<Void> watcher = CompletableFuture.runAsync(() -> {
                try {
                    ControlClient.watch(control, 100, line -> {
                        assertTrue(!line.isEmpty() && line.indexOf('\n') < 0);
                        JsonNode root;
                        try {
                            root = json.readTree(line);
                        } catch (Exception e) {
                            throw new AssertionError("not one JSON object: " + line, e);
                        }
                        uptimes.add(root.path("uptime_ms").asLong());
                        for (JsonNode s : root.path("surface_paths")) {
                            if (!s.path("title").asText().equals("video-w")) continue;
                            for (JsonNode r : s.path("reasons")) {
                                if (r.path("reason").asText().equals("modifier-not-on-plane")
                                        && r.path("what_to_do").asText().contains("on card0 (its feedback's scanout tranche)")) {
                                    explained.set(r);
                                }
                            }
                        }
                        return explained.get() == null;
                    });
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, r -> Thread.ofPlatform().daemon().start(r));
            f.driver().refreshUntil(() -> explained.get() != null || watcher.isDone(), 600, "a watched line explaining the reason");
            watcher.get(10, TimeUnit.SECONDS); // it ends with the line that explained (or throws what failed it)
            JsonNode r = explained.get();
            assertNotNull(r, "a line explained the reason with the scanout tranche's allocation; uptimes seen " + uptimes);
            assertEquals("fixable by reallocation", r.path("category").asText());
            assertEquals("modifier not supported by the plane with that format", r.path("description").asText());
            assertTrue(r.path("what_to_do").asText().matches("allocate [A-Z0-9]+ [A-Z0-9_]+ on card0 \\(its feedback's scanout tranche\\)"),
                    r.toString());
            assertTrue(r.path("frames").asLong() > 0, r.toString());
            assertTrue(uptimes.size() >= 2, "several lines: " + uptimes);
            for (int i = 1; i < uptimes.size(); i++) {
                assertTrue(uptimes.get(i) - uptimes.get(i - 1) >= 90, "one line per interval (100 ms): " + uptimes);
            }
            assertNull(f.finish(client, null).failure());
        }
    }

    /**
     * After the client is gone, the stats still say what it should have done in its words: the
     * allocation its last dma-buf feedback offered, not the generic advice, beside its title.
     */
    @Test
    void aSurfaceGoneBeforeTheReportKeepsTheAllocationItsLastFeedbackOffered() throws Exception {
        String topo = Path.of(getClass().getResource("/laptop-igpu-no-column-scanout.json").toURI()).toString();
        try (KmsFerry f = KmsFerry.onVirtualClock(topo, HYSTERESIS_NS)) {
            f.run(VideoClient.Options.of(f.socketPath()).topology(topo).title("video-gone")
                    .fullscreen(true).frames(90).modifier(Modifiers.FAKE_TILED_16X16_COLUMN), null);
            Path control = ControlServer.controlDir(f.runtimeDir(), f.compositor().socketName()).resolve("control");
            JsonNode[] gone = {null};
            // The hang-up is a socket event: the loop reads it within a refresh or two.
            f.driver().refreshUntil(() -> (gone[0] = goneSurface(control, "video-gone")) != null, 60, "the gone surface listed");
            JsonNode surface = gone[0];
            assertTrue(surface.has("app_id") && surface.path("client_pid").asInt() > 0, surface.toString());
            assertEquals("card0", surface.path("last_allocation").path("device").asText(), surface.toString());
            JsonNode reason = null;
            for (JsonNode r : surface.path("reasons")) if (r.path("reason").asText().equals("modifier-not-on-plane")) reason = r;
            assertNotNull(reason, surface.toString());
            assertTrue(reason.path("what_to_do").asText().matches("allocate [A-Z0-9]+ [A-Z0-9_]+ on card0 \\(its feedback's scanout tranche\\)"),
                    reason.toString());
            String report = dev.ferry.testclients.report.FallbackReport.text(dev.ferry.testclients.report.RunData.of(
                    new ObjectMapper().readTree(ControlClient.request(control, "stats"))));
            assertTrue(report.contains(reason.path("what_to_do").asText()), report);
        }
    }

    /** The surface of that title that ctl stats list as gone, or null. */
    private static JsonNode goneSurface(Path control, String title) {
        try {
            JsonNode root = new ObjectMapper().readTree(ControlClient.request(control, "stats"));
            for (JsonNode s : root.path("surface_paths")) {
                if (s.path("title").asText().equals(title) && s.path("gone").asBoolean()) return s;
            }
            return null;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
