package dev.ferry.compositor.semantics;

import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.scene.Window;
import dev.ferry.compositor.semantics.TestClient.Buf;
import dev.ferry.compositor.semantics.TestClient.Toplevel;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WpViewport;
import dev.ferry.protocol.interfaces.WpViewporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.ferry.compositor.semantics.TestClient.BLUE;
import static dev.ferry.compositor.semantics.TestClient.GREEN;
import static dev.ferry.compositor.semantics.TestClient.RED;
import static dev.ferry.compositor.semantics.TestClient.WHITE;
import static dev.ferry.compositor.semantics.TestClient.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * wp_viewporter on a real Ferry. Scaled surfaces are sampled bilinearly, so the pixels checked
 * keep at least 2 output pixels away from any colour edge; there they must be exact. Edge pixels
 * may blend and are not checked.
 */
@Timeout(60)
class ViewporterTest extends OnOneFerry {
    /** 100x100 in quadrants: top-left red, top-right green, bottom-left blue, bottom-right white. */
    private static Buf quadrants(TestClient c) {
        return c.buffer(100, 100, (x, y) -> y < 50 ? (x < 50 ? RED : GREEN) : (x < 50 ? BLUE : WHITE));
    }

    @Test
    void sourceCropsTheBuffer() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel t = c.toplevel("crop");
            Proxy vp = WpViewporter.getViewport(c.viewporter, t.surface);
            WpViewport.setSource(vp, 50, 0, 50, 50); // the green quadrant
            Window w = t.show(quadrants(c));
            int bg = c.background();
            assertEquals(50, (int) ferry.compositor().onLoop(() -> w.surface().width()));
            Compositor.Screenshot s = ferry.screenshot();
            assertEquals(hex(GREEN), hex(s.at(w.x(), w.y())));
            assertEquals(hex(GREEN), hex(s.at(w.x() + 49, w.y() + 49)));
            assertEquals(hex(bg), hex(s.at(w.x() + 51, w.y() + 10)), "outside the 50x50 crop");
        }
    }

    @Test
    void destinationScalesTheBuffer() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel t = c.toplevel("scale");
            Proxy vp = WpViewporter.getViewport(c.viewporter, t.surface);
            WpViewport.setDestination(vp, 200, 160);
            Window w = t.show(quadrants(c));
            Compositor.Screenshot s = ferry.screenshot();
            int x = w.x(), y = w.y();
            assertEquals(hex(RED), hex(s.at(x + 2, y + 2)));
            assertEquals(hex(RED), hex(s.at(x + 97, y + 77)));
            assertEquals(hex(GREEN), hex(s.at(x + 103, y + 2)));
            assertEquals(hex(GREEN), hex(s.at(x + 197, y + 77)));
            assertEquals(hex(BLUE), hex(s.at(x + 2, y + 83)));
            assertEquals(hex(WHITE), hex(s.at(x + 197, y + 157)));
            assertEquals(hex(c.background()), hex(s.at(x + 202, y + 100)), "right of the 200x160 destination");
        }
    }

    @Test
    void cropThenScale() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel t = c.toplevel("crop-scale");
            Proxy vp = WpViewporter.getViewport(c.viewporter, t.surface);
            WpViewport.setSource(vp, 25, 25, 50, 50); // the centre: a quarter of each colour
            WpViewport.setDestination(vp, 150, 150);
            Window w = t.show(quadrants(c));
            Compositor.Screenshot s = ferry.screenshot();
            int x = w.x(), y = w.y();
            assertEquals(hex(RED), hex(s.at(x + 10, y + 10)));
            assertEquals(hex(GREEN), hex(s.at(x + 140, y + 10)));
            assertEquals(hex(BLUE), hex(s.at(x + 10, y + 140)));
            assertEquals(hex(WHITE), hex(s.at(x + 140, y + 140)));
            assertEquals(hex(RED), hex(s.at(x + 72, y + 72)), "the crop's centre lands at 75,75");
        }
    }

    @Test
    void negativeSourceIsBadValue() throws Exception {
        badValue(vp -> WpViewport.setSource(vp, -1, 0, 10, 10));
    }

    @Test
    void emptySourceIsBadValue() throws Exception {
        badValue(vp -> WpViewport.setSource(vp, 0, 0, 0, 10));
    }

    @Test
    void zeroDestinationIsBadValue() throws Exception {
        badValue(vp -> WpViewport.setDestination(vp, 0, 10));
    }

    private void badValue(java.util.function.Consumer<Proxy> request) throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Proxy vp = WpViewporter.getViewport(c.viewporter, c.surface());
            request.accept(vp);
            c.expectError(vp, WpViewport.ERROR_BAD_VALUE);
        }
    }

    @Test
    void sourceOutsideTheBufferIsOutOfBuffer() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel t = c.toplevel("out-of-buffer");
            Proxy vp = WpViewporter.getViewport(c.viewporter, t.surface);
            WpViewport.setSource(vp, 60, 60, 50, 50);
            c.commitBuffer(t.surface, quadrants(c));
            c.expectError(vp, WpViewport.ERROR_OUT_OF_BUFFER);
        }
    }

    @Test
    void aSecondViewportIsViewportExists() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Proxy s = c.surface();
            WpViewporter.getViewport(c.viewporter, s);
            WpViewporter.getViewport(c.viewporter, s);
            c.expectError(c.viewporter, WpViewporter.ERROR_VIEWPORT_EXISTS);
        }
    }
}
