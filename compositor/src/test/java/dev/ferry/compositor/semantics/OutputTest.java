package dev.ferry.compositor.semantics;

import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.FerryServer;
import dev.ferry.compositor.scene.Window;
import dev.ferry.compositor.semantics.TestClient.Toplevel;
import dev.ferry.protocol.interfaces.XdgToplevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Set;

import static dev.ferry.compositor.semantics.TestClient.GREEN;
import static dev.ferry.compositor.semantics.TestClient.RED;
import static dev.ferry.compositor.semantics.TestClient.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** wl_surface.enter/leave as windows show on outputs and move between them. */
@Timeout(60)
class OutputTest {
    @Test
    void enterWhenTheWindowIsShown() throws Exception {
        try (FerryServer ferry = new FerryServer("cpu", 1, 640, 480);
             TestClient c = new TestClient(ferry)) {
            Toplevel t = c.mappedToplevel("enter", 50, 50, RED);
            c.await(() -> !t.outputEvents.isEmpty(), "wl_surface.enter");
            assertEquals(List.of("+0"), t.outputEvents);
        }
    }

    @Test
    void fullscreenOnTheSecondOutputLeavesTheFirstAndEntersTheSecond() throws Exception {
        try (FerryServer ferry = new FerryServer("cpu", 2, 320, 240);
             TestClient c = new TestClient(ferry)) {
            assertEquals(2, c.outputs.size());
            int second = c.outputNames.indexOf("HEADLESS-2");
            int first = 1 - second;
            Toplevel t = c.mappedToplevel("move", 50, 50, RED);
            c.await(() -> !t.outputEvents.isEmpty(), "wl_surface.enter");
            assertEquals(List.of("+" + first), t.outputEvents);
            t.outputEvents.clear();

            int seen = t.configures;
            XdgToplevel.setFullscreen(t.toplevel, c.outputs.get(second));
            t.awaitConfigure(seen);
            assertEquals(320, t.width);
            assertEquals(240, t.height);
            c.awaitFrame(c.commitBuffer(t.surface, c.solid(320, 240, GREEN)));
            c.await(() -> t.outputEvents.size() >= 2, "leave and enter");
            assertEquals(Set.of("+" + second, "-" + first), Set.copyOf(t.outputEvents), "events " + t.outputEvents);
            assertEquals(2, t.outputEvents.size(), "events " + t.outputEvents);
            Window w = ferry.window("move");
            assertEquals(320, w.x(), "the second output starts at x=320 in the layout");
            Compositor.Screenshot s = ferry.compositor().screenshot("HEADLESS-2");
            assertEquals(hex(GREEN), hex(s.at(0, 0)));
            assertEquals(hex(GREEN), hex(s.at(319, 239)));
            Compositor.Screenshot s1 = ferry.compositor().screenshot("HEADLESS-1");
            assertEquals(hex(s1.at(319, 239)), hex(s1.at(40, 40)), "the first output no longer shows the window");
        }
    }
}
