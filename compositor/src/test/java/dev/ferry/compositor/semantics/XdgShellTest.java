package dev.ferry.compositor.semantics;

import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.FerryServer;
import dev.ferry.compositor.scene.Window;
import dev.ferry.compositor.semantics.TestClient.Toplevel;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.interfaces.XdgPopup;
import dev.ferry.protocol.interfaces.XdgPositioner;
import dev.ferry.protocol.interfaces.XdgSurface;
import dev.ferry.protocol.interfaces.XdgToplevel;
import dev.ferry.protocol.interfaces.XdgWmBase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.function.Consumer;

import static dev.ferry.compositor.semantics.TestClient.BLUE;
import static dev.ferry.compositor.semantics.TestClient.GREEN;
import static dev.ferry.compositor.semantics.TestClient.RED;
import static dev.ferry.compositor.semantics.TestClient.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** xdg-shell on a real Ferry: the configure sequence, fullscreen and maximized, popups, errors. */
@Timeout(60)
class XdgShellTest {
    private static final int W = 640, H = 480;
    private static FerryServer ferry;

    @BeforeAll
    static void start() throws Exception {
        ferry = new FerryServer("cpu", 1, W, H);
    }

    @AfterAll
    static void stop() throws Exception {
        ferry.close();
    }

    @Test
    void theFirstCommitWithoutABufferGetsAConfigure() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel t = c.toplevel("first-configure");
            assertEquals(1, t.configures);
            assertEquals(0, t.width, "no size imposed on a floating toplevel");
            assertEquals(null, ferry.window("first-configure"), "mapped without a buffer");
        }
    }

    @Test
    void aBufferBeforeAckConfigureIsUnconfiguredBuffer() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel t = c.new Toplevel("unacked");
            t.autoAck = false;
            WlSurface.commit(t.surface);
            t.awaitConfigure(0);
            c.commitBuffer(t.surface, c.solid(10, 10, RED));
            c.expectError(t.xdgSurface, XdgSurface.ERROR_UNCONFIGURED_BUFFER);
        }
    }

    @Test
    void ackConfigureWithAnUnknownSerialIsInvalidSerial() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel t = c.toplevel("bad-serial");
            XdgSurface.ackConfigure(t.xdgSurface, t.lastSerial + 1000);
            c.expectError(t.xdgSurface, XdgSurface.ERROR_INVALID_SERIAL);
        }
    }

    @Test
    void fullscreenConfiguresTheOutputSizeAndCoversTheOutput() throws Exception {
        stateFillsTheOutput("fullscreen", XdgToplevel.STATE_FULLSCREEN, t -> XdgToplevel.setFullscreen(t.toplevel, null));
    }

    @Test
    void maximizedConfiguresTheOutputSizeAndCoversTheOutput() throws Exception {
        stateFillsTheOutput("maximized", XdgToplevel.STATE_MAXIMIZED, t -> XdgToplevel.setMaximized(t.toplevel));
    }

    private void stateFillsTheOutput(String title, int state, Consumer<Toplevel> request) throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel t = c.mappedToplevel(title, 100, 100, RED);
            int seen = t.configures;
            request.accept(t);
            t.awaitConfigure(seen);
            assertEquals(W, t.width, "configure width");
            assertEquals(H, t.height, "configure height");
            assertTrue(t.states.contains(state), "configure states " + t.states + " lack " + state);
            c.awaitFrame(c.commitBuffer(t.surface, c.solid(W, H, GREEN)));
            Window w = ferry.window(title);
            assertEquals(0, w.x());
            assertEquals(0, w.y());
            Compositor.Screenshot s = ferry.screenshot();
            assertEquals(hex(GREEN), hex(s.at(0, 0)));
            assertEquals(hex(GREEN), hex(s.at(W - 1, H - 1)));
            assertEquals(hex(GREEN), hex(s.at(W / 2, H / 2)));
        }
    }

    @Test
    void popupsArePlacedByThePositionerRelativeToTheParentGeometry() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel parent = c.toplevel("popup-parent");
            // Window geometry starts 10,10 into the surface (a client-side shadow, say).
            XdgSurface.setWindowGeometry(parent.xdgSurface, 10, 10, 120, 120);
            Window pw = parent.show(c.solid(140, 140, RED));
            int gx = pw.x() + 10, gy = pw.y() + 10;

            // Anchor at the bottom-right of rect (20,30 10x10), growing down-right, offset 5,5:
            // the popup's top-left is (35,45) from the parent's geometry.
            int[] at = popup(c, parent, XdgPositioner.ANCHOR_BOTTOM_RIGHT, XdgPositioner.GRAVITY_BOTTOM_RIGHT, 5, 5, BLUE);
            assertEquals(35, at[0], "configure x");
            assertEquals(45, at[1], "configure y");
            c.roundtrip();
            Compositor.Screenshot s = ferry.screenshot();
            assertEquals(hex(BLUE), hex(s.at(gx + 35, gy + 45)), "popup top-left");
            assertEquals(hex(BLUE), hex(s.at(gx + 35 + 39, gy + 45 + 29)), "popup bottom-right");
            assertEquals(hex(RED), hex(s.at(gx + 34, gy + 45)), "left of the popup");
            assertEquals(hex(RED), hex(s.at(gx + 35 + 40, gy + 45 + 29)), "right of the popup");
            assertEquals(hex(RED), hex(s.at(gx + 35, gy + 44)), "above the popup");

            // Anchor top-left of the same rect, growing up-left: top-left at (20-40, 30-30) = (-20,0).
            at = popup(c, parent, XdgPositioner.ANCHOR_TOP_LEFT, XdgPositioner.GRAVITY_TOP_LEFT, 0, 0, GREEN);
            assertEquals(-20, at[0]);
            assertEquals(0, at[1]);
            s = ferry.screenshot();
            assertEquals(hex(GREEN), hex(s.at(gx - 20, gy)), "second popup top-left");
            assertEquals(hex(GREEN), hex(s.at(gx + 19, gy + 29)), "second popup bottom-right");
            assertEquals(hex(RED), hex(s.at(gx + 20, gy + 29)), "right of the second popup");
        }
    }

    /** Maps a 40x30 popup anchored on rect (20,30 10x10) of the parent; returns its configured x, y. */
    private static int[] popup(TestClient c, Toplevel parent, int anchor, int gravity, int dx, int dy, int colour) throws Exception {
        Proxy positioner = XdgWmBase.createPositioner(c.wm);
        XdgPositioner.setSize(positioner, 40, 30);
        XdgPositioner.setAnchorRect(positioner, 20, 30, 10, 10);
        XdgPositioner.setAnchor(positioner, anchor);
        XdgPositioner.setGravity(positioner, gravity);
        XdgPositioner.setOffset(positioner, dx, dy);
        Proxy surface = c.surface();
        Proxy xdg = XdgWmBase.getXdgSurface(c.wm, surface);
        int[] configure = new int[3];
        xdg.listen(new XdgSurface.Listener() {
            @Override
            public void configure(Proxy self, int serial) {
                XdgSurface.ackConfigure(self, serial);
                configure[2]++;
            }
        });
        Proxy popup = XdgSurface.getPopup(xdg, parent.xdgSurface, positioner);
        popup.listen(new XdgPopup.Listener() {
            @Override
            public void configure(Proxy self, int x, int y, int width, int height) {
                configure[0] = x;
                configure[1] = y;
            }
        });
        XdgPositioner.destroy(positioner);
        WlSurface.commit(surface);
        c.await(() -> configure[2] > 0, "the popup's configure");
        c.awaitFrame(c.commitBuffer(surface, c.solid(40, 30, colour)));
        return configure;
    }
}
