package dev.ferry.compositor.semantics;

import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.scene.Window;
import dev.ferry.compositor.semantics.TestClient.Buf;
import dev.ferry.compositor.semantics.TestClient.Toplevel;
import dev.ferry.protocol.interfaces.WlOutput;
import dev.ferry.protocol.interfaces.WlSurface;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.ferry.compositor.semantics.TestClient.BLUE;
import static dev.ferry.compositor.semantics.TestClient.GREEN;
import static dev.ferry.compositor.semantics.TestClient.RED;
import static dev.ferry.compositor.semantics.TestClient.WHITE;
import static dev.ferry.compositor.semantics.TestClient.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * wl_surface's double-buffered state, checked by what a real Ferry shows: nothing a client sets
 * is visible before its commit; the commit applies all of it at once; scale, transform, damage
 * in surface and buffer coordinates and offset mean what the protocol says.
 */
@Timeout(60)
class DoubleBufferingTest extends OnOneFerry {
    @Test
    void attachAndDamageWithoutCommitChangeNothingAndTheCommitAppliesThem() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel t = c.mappedToplevel("uncommitted", 100, 100, RED);
            Window w = ferry.window("uncommitted");
            WlSurface.attach(t.surface, c.solid(100, 100, BLUE).proxy, 0, 0);
            WlSurface.damageBuffer(t.surface, 0, 0, 100, 100);
            assertEquals(hex(RED), hex(c.settledScreenshot().at(w.x() + 50, w.y() + 50)), "attach+damage without commit showed");
            WlSurface.commit(t.surface);
            assertEquals(hex(BLUE), hex(c.awaitPixel(w.x() + 50, w.y() + 50, BLUE)), "the commit did not apply");
        }
    }

    @Test
    void pendingScaleIsInvisibleUntilCommittedAndScaleTwoHalvesTheSurface() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel t = c.mappedToplevel("scale", 200, 100, RED);
            Window w = ferry.window("scale");
            int bg = c.background();
            WlSurface.setBufferScale(t.surface, 2);
            Compositor.Screenshot before = c.settledScreenshot();
            assertEquals(hex(RED), hex(before.at(w.x() + 150, w.y() + 75)), "uncommitted buffer scale took effect");
            WlSurface.commit(t.surface);
            c.roundtrip();
            assertEquals(100, (int) ferry.compositor().onLoop(() -> w.surface().width()), "surface width at scale 2");
            assertEquals(50, (int) ferry.compositor().onLoop(() -> w.surface().height()), "surface height at scale 2");
            // The part the surface no longer covers must be repainted as empty.
            assertEquals(hex(bg), hex(c.awaitPixel(w.x() + 150, w.y() + 75, bg)), "stale pixels where the surface shrank");
            Compositor.Screenshot after = ferry.screenshot();
            assertEquals(hex(RED), hex(after.at(w.x() + 99, w.y() + 49)), "inside the halved surface");
            assertEquals(hex(bg), hex(after.at(w.x() + 101, w.y() + 20)), "right of the halved surface");
            assertEquals(hex(bg), hex(after.at(w.x() + 20, w.y() + 51)), "below the halved surface");
        }
    }

    @Test
    void surfaceDamageIsInSurfaceCoordinatesAndBufferDamageInBufferCoordinates() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel t = c.toplevel("damage");
            Buf buf = c.solid(200, 200, RED);
            WlSurface.setBufferScale(t.surface, 2);
            Window w = t.show(buf); // a 100x100 surface
            // The client redraws the buffer it shows (its own risk; Ferry reads shm in place) and
            // says which part changed. Surface damage (0,0,50,50) at scale 2 is buffer (0,0,100,100).
            buf.paint((x, y) -> BLUE);
            WlSurface.attach(t.surface, buf.proxy, 0, 0);
            WlSurface.damage(t.surface, 0, 0, 50, 50);
            WlSurface.commit(t.surface);
            assertEquals(hex(BLUE), hex(c.awaitPixel(w.x() + 45, w.y() + 45, BLUE)),
                    "surface damage (0,0,50,50) at scale 2 must cover surface pixel (45,45)");
            // Buffer damage (100,100,100,100) at scale 2 is the bottom-right quarter of the surface.
            buf.paint((x, y) -> GREEN);
            WlSurface.attach(t.surface, buf.proxy, 0, 0);
            WlSurface.damageBuffer(t.surface, 100, 100, 100, 100);
            WlSurface.commit(t.surface);
            assertEquals(hex(GREEN), hex(c.awaitPixel(w.x() + 75, w.y() + 75, GREEN)),
                    "buffer damage (100,100,100,100) at scale 2 must cover surface pixel (75,75)");
        }
    }

    @Test
    void bufferTransform90ShowsTheBufferRotatedBack() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel t = c.toplevel("transform");
            // A 60x40 buffer in quadrants: top-left red, top-right green, bottom-left blue, bottom-right white.
            Buf buf = c.buffer(60, 40, (x, y) -> y < 20 ? (x < 30 ? RED : GREEN) : (x < 30 ? BLUE : WHITE));
            WlSurface.setBufferTransform(t.surface, WlOutput.TRANSFORM_90);
            Window w = t.show(buf);
            assertEquals(40, (int) ferry.compositor().onLoop(() -> w.surface().width()));
            assertEquals(60, (int) ferry.compositor().onLoop(() -> w.surface().height()));
            // The client rotated its content 90 degrees counter-clockwise; Ferry shows it rotated
            // back (clockwise): buffer (0,0) lands at the surface's top-right corner, buffer
            // (1,0) just below it (as in weston's and the renderer's transform tables).
            Compositor.Screenshot s = ferry.screenshot();
            int x = w.x(), y = w.y();
            assertEquals(hex(RED), hex(s.at(x + 39, y)), "buffer (0,0) at the top-right");
            assertEquals(hex(RED), hex(s.at(x + 30, y + 20)), "top-right quadrant");
            assertEquals(hex(GREEN), hex(s.at(x + 30, y + 40)), "bottom-right quadrant");
            assertEquals(hex(BLUE), hex(s.at(x + 10, y + 20)), "top-left quadrant");
            assertEquals(hex(WHITE), hex(s.at(x + 10, y + 40)), "bottom-left quadrant");
        }
    }

    @Test
    void offsetMovesTheSurface() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel t = c.mappedToplevel("offset", 50, 50, RED);
            Window w = ferry.window("offset");
            int x = w.x(), y = w.y();
            int bg = c.background();
            WlSurface.offset(t.surface, 20, 10);
            c.awaitFrame(c.commitBuffer(t.surface, c.solid(50, 50, BLUE)));
            Compositor.Screenshot s = ferry.screenshot();
            assertEquals(hex(BLUE), hex(s.at(x + 20, y + 10)), "new top-left after offset (20,10)");
            assertEquals(hex(BLUE), hex(s.at(x + 69, y + 59)), "new bottom-right after offset (20,10)");
            assertEquals(hex(bg), hex(s.at(x + 5, y + 5)), "the old top-left must be empty now");
            // Offsets are relative to the current position: another (-20,-10) moves it back.
            WlSurface.offset(t.surface, -20, -10);
            c.awaitFrame(c.commitBuffer(t.surface, c.solid(50, 50, GREEN)));
            s = ferry.screenshot();
            assertEquals(hex(GREEN), hex(s.at(x, y)), "moved back");
            assertEquals(hex(bg), hex(s.at(x + 65, y + 55)), "the previous bottom-right must be empty now");
        }
    }

    @Test
    void attachWithANonZeroOffsetIsAnErrorSinceVersion5() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel t = c.toplevel("attach-offset");
            WlSurface.attach(t.surface, c.solid(10, 10, RED).proxy, 5, 0);
            c.expectError(t.surface, WlSurface.ERROR_INVALID_OFFSET);
        }
    }
}
