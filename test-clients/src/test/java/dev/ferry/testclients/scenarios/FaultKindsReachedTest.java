package dev.ferry.testclients.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.control.ControlClient;
import dev.ferry.compositor.control.ControlServer;
import dev.ferry.compositor.devices.FakeDevices;
import dev.ferry.drm.FaultPlan;
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
 * Each fake-drm fault kind a running Ferry's work reaches, met in a running compositor with real
 * clients and named in ctl stats' fault log with where, when, how Ferry recovered and the frames it
 * cost: an allocation that fails at start-up (the output it was for is left out, the others run),
 * a client's fence that never signals (the acquire deadline passes), and an import refused while
 * running (a client's new buffer). The kinds no work of Ferry's reaches (a fake render job's
 * fence, migration, an allocation after start-up) are refused when asked for, saying why.
 */
@Timeout(120)
class FaultKindsReachedTest {
    @Test
    void anAllocationThatFailsAtStartUpCostsOnlyItsOutputAndIsNamed() throws Exception {
        // Every allocation card1 is asked for at start-up fails: HDMI-A-1's copy buffers on it.
        FaultPlan plan = FakeDevices.faultPlan("allocation@HDMI-A-1:frame=0", "hybrid-laptop");
        try (KmsFerry f = kms(plan)) {
            f.start(video(f).output("eDP-1").title("on-the-panel").frames(60 * 60));
            JsonNode stats = await(f, s -> frames(s, "eDP-1") > 30, "frames on eDP-1 beside the faulted output");
            JsonNode faults = stats.path("faults");
            assertEquals(1, faults.path("by_kind").path("allocation-failed").asInt(), faults.toString());
            JsonNode e = entry(faults, "allocation-failed");
            assertEquals("card1/HDMI-A-1", e.path("where").asText(), e.toString());
            assertTrue(e.path("recovery").asText().contains("INJECTED_FAULT"), e.toString());
            assertTrue(e.path("time_ms").asLong() > 0, e.toString());
            assertEquals(0, e.path("frames_lost").asInt(), e.toString());
            // Whatever it cost HDMI-A-1, the fault is card1's alone: the panel presents.
            assertTrue(stats.path("faults").path("injected").path("by_kind").path("allocation").asInt() >= 1, faults.toString());
        }
    }

    @Test
    void aClientFenceThatNeverSignalsIsNamedWhenItsDeadlinePasses() throws Exception {
        try (KmsFerry f = kms(FaultPlan.none())) {
            // Frame 20's buffer gets a write fence that never signals; the client then stops drawing.
            f.start(video(f).output("eDP-1").title("hung").frames(40).hangFenceAt(20));
            f.start(video(f).output("HDMI-A-1").title("healthy").frames(60 * 60));
            JsonNode stats = await(f, s -> s.path("faults").path("by_kind").path("fence-never-signals").asInt() >= 1,
                    "the hung fence in the fault log");
            JsonNode e = entry(stats.path("faults"), "fence-never-signals");
            assertTrue(e.path("where").asText().contains("wl_surface"), e.toString());
            assertTrue(e.path("recovery").asText().contains("implicit write fence not signalled within the 100 ms deadline"), e.toString());
            assertTrue(e.path("recovery").asText().contains("kept its previous buffer"), e.toString());
            assertEquals(1, e.path("frames_lost").asInt(), e.toString());
            long before = frames(stats, "HDMI-A-1");
            await(f, s -> frames(s, "HDMI-A-1") > before + 20, "the other output going on");
            assertEquals(1, json(f.compositor()).path("faults").path("by_kind").path("fence-never-signals").asInt(), "named once");
        }
    }

    @Test
    void anImportRefusedWhileRunningIsNamedAndTheClientGoesOn() throws Exception {
        try (KmsFerry f = kms(FaultPlan.none())) {
            Path control = ControlServer.controlDir(f.runtimeDir(), f.compositor().socketName()).resolve("control");
            // After start-up, the render device's next import is a client's first buffer.
            assertEquals("the next import on card0 will fail",
                    new String(ControlClient.request(control, "fault import card0 1"), StandardCharsets.UTF_8));
            f.start(video(f).output("eDP-1").title("imported").frames(60 * 60));
            JsonNode stats = await(f, s -> s.path("faults").path("by_kind").path("import-failed").asInt() >= 1
                    && frames(s, "eDP-1") > 30, "the refused import, and frames after it");
            JsonNode e = entry(stats.path("faults"), "import-failed");
            assertEquals("card0", e.path("where").asText(), e.toString());
            assertTrue(e.path("recovery").asText().startsWith("a client buffer's import refused (card0 frame"), e.toString());
            assertEquals(0, e.path("frames_lost").asInt(), e.toString());
        }
    }

    @Test
    void faultsNoWorkOfFerrysReachesAreRefusedSayingWhy() throws Exception {
        for (String spec : new String[] {"migration-temporary@card0:frame=3", "migration-permanent:rate=0.5", "fence-never-signals@card0:frames=0-100"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> FakeDevices.faultPlan(spec, "hybrid-laptop"), spec);
            assertTrue(e.getMessage().startsWith("--faults item '" + spec + "': Ferry"), e.getMessage());
        }
        var late = assertThrows(IllegalArgumentException.class, () -> FakeDevices.faultPlan("allocation@card1:time=5-6", "hybrid-laptop"));
        assertTrue(late.getMessage().contains("at start-up only"), late.getMessage());
        try (KmsFerry f = kms(FaultPlan.none())) {
            Path control = ControlServer.controlDir(f.runtimeDir(), f.compositor().socketName()).resolve("control");
            for (String kind : new String[] {"allocation", "fence-never-signals", "migration-temporary", "migration-permanent"}) {
                var e = assertThrows(IOException.class, () -> ControlClient.request(control, "fault " + kind + " card0 1"), kind);
                assertTrue(e.getMessage().startsWith("Ferry"), e.getMessage());
                assertTrue(e.getMessage().contains("cannot fire"), e.getMessage());
            }
            assertEquals(0, json(f.compositor()).path("faults").path("injected").path("total").asInt());
        }
    }

    /** hybrid-laptop with these faults, on fake-drm's virtual clock end to end. */
    private static KmsFerry kms(FaultPlan plan) throws Exception {
        return KmsFerry.onVirtualClock("hybrid-laptop", plan, "cpu");
    }

    private static VideoClient.Options video(KmsFerry f) {
        return VideoClient.Options.of(f.socketPath()).topology("hybrid-laptop");
    }

    private static long frames(JsonNode stats, String output) {
        for (JsonNode o : stats.path("outputs")) if (o.path("name").asText().equals(output)) return o.path("frames").asLong();
        return -1;
    }

    private static JsonNode entry(JsonNode faults, String kind) {
        for (JsonNode e : faults.path("entries")) if (e.path("kind").asText().equals(kind)) return e;
        throw new AssertionError("no " + kind + " entry: " + faults);
    }

    private static JsonNode json(Compositor c) {
        try {
            return new ObjectMapper().readTree(c.statsJson());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Refreshes until ctl stats meet the condition: within 10 s of virtual time. */
    private static JsonNode await(KmsFerry f, Predicate<JsonNode> condition, String what) throws IOException {
        JsonNode[] stats = {null};
        f.driver().refreshUntil(() -> condition.test(stats[0] = json(f.compositor())), 600, what);
        return stats[0];
    }
}
