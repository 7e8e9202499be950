package dev.ferry.testclients.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.control.ControlClient;
import dev.ferry.compositor.control.ControlServer;
import dev.ferry.compositor.devices.FakeDevices;
import dev.ferry.testclients.video.VideoClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults on purpose in a running compositor: a `--faults` spec scripts three failed commits on
 * the panel's device by frame number, `ferry ctl fault` (the control request) adds two more while
 * it runs; ctl stats lists each under faults.injected with its device and frame, and the output
 * goes on presenting after them. A bad request is an error naming the cause.
 */
@Timeout(120)
class FaultsOnPurposeTest {
    @Test
    void scriptedAndRequestedCommitFaultsAreListedAndTheOutputGoesOn() throws Exception {
        var plan = FakeDevices.faultPlan("commit@eDP-1:frames=30-33  # the panel's device, card0", "laptop-igpu");
        try (KmsFerry f = KmsFerry.onVirtualClock("laptop-igpu", plan, "cpu")) {
            Compositor c = f.compositor();
            f.start(VideoClient.Options.of(f.socketPath()).topology("laptop-igpu").title("video-f").fullscreen(true).frames(60 * 60));
            JsonNode stats = await(f, s -> s.path("faults").path("injected").path("total").asInt() >= 3, "the scripted faults");
            JsonNode injected = stats.path("faults").path("injected");
            assertEquals(3, injected.path("by_kind").path("commit").asInt(), injected.toString());
            // Each injected commit failure is a fault Ferry met and recovered from, named with how.
            JsonNode met = stats.path("faults");
            assertEquals(3, met.path("by_kind").path("commit-failed").asInt(), met.toString());
            for (JsonNode e : met.path("entries")) {
                assertEquals("card0/eDP-1", e.path("where").asText(), e.toString());
                assertTrue(e.path("recovery").asText().contains("flip refused (INJECTED_FAULT)"), e.toString());
            }
            for (int i = 0; i < 3; i++) {
                JsonNode e = injected.path("entries").get(i);
                assertEquals("commit", e.path("kind").asText());
                assertEquals("card0", e.path("device").asText());
                assertEquals(30 + i, e.path("frame").asInt(), injected.toString());
            }

            Path control = ControlServer.controlDir(f.runtimeDir(), c.socketName()).resolve("control");
            String answer = new String(ControlClient.request(control, "fault commit eDP-1 2"), StandardCharsets.UTF_8);
            assertEquals("the next 2 commits on card0 will fail", answer);
            long before = stats.path("outputs").get(0).path("frames").asLong();
            stats = await(f, s -> s.path("faults").path("injected").path("total").asInt() >= 5
                    && s.path("outputs").get(0).path("frames").asLong() > before + 30, "the requested faults, and frames after them");
            assertEquals(5, stats.path("faults").path("injected").path("by_kind").path("commit").asInt());
            String report = dev.ferry.testclients.report.FallbackReport.text(dev.ferry.testclients.report.RunData.of(stats));
            assertTrue(report.contains("5 injected on purpose: commit 5 (listed ones by device: card0 5)"), report);

            var bad = assertThrows(java.io.IOException.class, () -> ControlClient.request(control, "fault bogus any 1"));
            assertTrue(bad.getMessage().startsWith("unknown fault kind 'bogus' (commit, import"), bad.getMessage());
            bad = assertThrows(java.io.IOException.class, () -> ControlClient.request(control, "fault commit card7 1"));
            assertEquals("no device or output card7 (card0, eDP-1, any)", bad.getMessage());
        }
    }

    /** Refreshes until ctl stats meet the condition: within 10 s of virtual time. */
    private static JsonNode await(KmsFerry f, Predicate<JsonNode> condition, String what) throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode[] stats = {null};
        f.driver().refreshUntil(() -> {
            try {
                return condition.test(stats[0] = json.readTree(f.compositor().statsJson()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, 600, "no " + what);
        return stats[0];
    }
}
