package dev.ferry.compositor.semantics;

import dev.ferry.compositor.scene.Window;
import dev.ferry.compositor.seat.InputCommand;
import dev.ferry.compositor.semantics.TestClient.Toplevel;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlDataDevice;
import dev.ferry.protocol.interfaces.WlDataDeviceManager;
import dev.ferry.protocol.interfaces.WlPointer;
import dev.ferry.protocol.interfaces.WlSeat;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.interfaces.WpCursorShapeDeviceV1;
import dev.ferry.protocol.interfaces.WpCursorShapeManagerV1;
import dev.ferry.protocol.interfaces.WpFractionalScaleManagerV1;
import dev.ferry.protocol.interfaces.WpFractionalScaleV1;
import dev.ferry.protocol.interfaces.WpSinglePixelBufferManagerV1;
import dev.ferry.protocol.interfaces.WpViewport;
import dev.ferry.protocol.interfaces.WpViewporter;
import dev.ferry.protocol.interfaces.XdgActivationTokenV1;
import dev.ferry.protocol.interfaces.XdgActivationV1;
import dev.ferry.protocol.interfaces.ZwpPointerConstraintsV1;
import dev.ferry.protocol.interfaces.ZxdgDecorationManagerV1;
import dev.ferry.protocol.interfaces.ZxdgOutputManagerV1;
import dev.ferry.protocol.interfaces.ZxdgOutputV1;
import dev.ferry.protocol.interfaces.ZxdgToplevelDecorationV1;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static dev.ferry.compositor.semantics.TestClient.RED;
import static dev.ferry.compositor.semantics.TestClient.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The desktop protocols against a real Ferry: what each answers, and each protocol error from
 * its own condition beside a twin request that differs only in that condition and is accepted.
 */
@Timeout(60)
class DesktopProtocolsTest extends OnOneFerry {
    @Test
    void decorationsAreClientSideAndComeWithAConfigure() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Proxy mgr = c.client.bind(ZxdgDecorationManagerV1.INTERFACE, 1);
            Toplevel t = c.toplevel("decorated");
            int before = t.configures;
            List<Integer> modes = new ArrayList<>();
            Proxy deco = ZxdgDecorationManagerV1.getToplevelDecoration(mgr, t.toplevel);
            deco.listen(new ZxdgToplevelDecorationV1.Listener() {
                @Override
                public void configure(Proxy self, int mode) {
                    modes.add(mode);
                }
            });
            ZxdgToplevelDecorationV1.setMode(deco, ZxdgToplevelDecorationV1.MODE_SERVER_SIDE);
            c.await(() -> modes.size() == 2 && t.configures >= before + 2, "two decoration configures, each with an xdg_surface.configure");
            assertEquals(List.of(ZxdgToplevelDecorationV1.MODE_CLIENT_SIDE, ZxdgToplevelDecorationV1.MODE_CLIENT_SIDE), modes);
            // A second decoration object for the same toplevel.
            ZxdgDecorationManagerV1.getToplevelDecoration(mgr, t.toplevel);
            c.expectError(mgr, ZxdgToplevelDecorationV1.ERROR_ALREADY_CONSTRUCTED);
        }
        try (TestClient c = new TestClient(ferry)) {
            Proxy mgr = c.client.bind(ZxdgDecorationManagerV1.INTERFACE, 1);
            Toplevel t = c.mappedToplevel("decorated late", 40, 40, RED);
            ZxdgDecorationManagerV1.getToplevelDecoration(mgr, t.toplevel);
            c.expectError(mgr, ZxdgToplevelDecorationV1.ERROR_UNCONFIGURED_BUFFER);
        }
    }

    @Test
    void fractionalScaleIsOneAndOnePerSurface() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Proxy mgr = c.client.bind(WpFractionalScaleManagerV1.INTERFACE, 1);
            Proxy surface = dev.ferry.protocol.interfaces.WlCompositor.createSurface(c.compositor);
            int[] scale = {0};
            WpFractionalScaleManagerV1.getFractionalScale(mgr, surface).listen(new WpFractionalScaleV1.Listener() {
                @Override
                public void preferredScale(Proxy self, int s) {
                    scale[0] = s;
                }
            });
            c.await(() -> scale[0] != 0, "preferred_scale");
            assertEquals(120, scale[0], "scale 1 is 120/120");
            Proxy other = dev.ferry.protocol.interfaces.WlCompositor.createSurface(c.compositor);
            WpFractionalScaleManagerV1.getFractionalScale(mgr, other);
            c.roundtrip();
            assertFalse(c.client.display().failed(), "a second surface gets its own");
            WpFractionalScaleManagerV1.getFractionalScale(mgr, surface);
            c.expectError(mgr, WpFractionalScaleManagerV1.ERROR_FRACTIONAL_SCALE_EXISTS);
        }
    }

    @Test
    void xdgOutputDescribesTheOutputInTheLayout() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Proxy mgr = c.client.bind(ZxdgOutputManagerV1.INTERFACE, 3);
            List<String> events = new ArrayList<>();
            ZxdgOutputManagerV1.getXdgOutput(mgr, c.outputs.getFirst()).listen(new ZxdgOutputV1.Listener() {
                @Override public void logicalPosition(Proxy self, int x, int y) { events.add("at " + x + "," + y); }
                @Override public void logicalSize(Proxy self, int w, int h) { events.add("size " + w + "x" + h); }
                @Override public void name(Proxy self, String name) { events.add("name " + name); }
            });
            c.roundtrip();
            assertEquals(List.of("at 0,0", "size 640x480", "name HEADLESS-1"), events);
        }
    }

    @Test
    void cursorShapesOutsideTheEnumAreRefused() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Proxy mgr = c.client.bind(WpCursorShapeManagerV1.INTERFACE, 1);
            Proxy seat = c.client.bind(WlSeat.INTERFACE, 9);
            Proxy device = WpCursorShapeManagerV1.getPointer(mgr, WlSeat.getPointer(seat));
            WpCursorShapeDeviceV1.setShape(device, 0, WpCursorShapeDeviceV1.SHAPE_ZOOM_OUT);
            c.roundtrip();
            assertFalse(c.client.display().failed(), "zoom_out is the last shape of version 1");
            WpCursorShapeDeviceV1.setShape(device, 0, WpCursorShapeDeviceV1.SHAPE_ZOOM_OUT + 1);
            c.expectError(device, WpCursorShapeDeviceV1.ERROR_INVALID_SHAPE);
        }
    }

    @Test
    void anActivationTokenIsIssuedOncePerObject() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Proxy act = c.client.bind(XdgActivationV1.INTERFACE, 1);
            Proxy token = XdgActivationV1.getActivationToken(act);
            String[] got = {null};
            token.listen(new XdgActivationTokenV1.Listener() {
                @Override
                public void done(Proxy self, String t) {
                    got[0] = t;
                }
            });
            XdgActivationTokenV1.setAppId(token, "test");
            XdgActivationTokenV1.commit(token);
            c.await(() -> got[0] != null, "a token");
            assertTrue(got[0].startsWith("ferry-") && got[0].length() > 20, got[0]);
            XdgActivationTokenV1.commit(token);
            c.expectError(token, XdgActivationTokenV1.ERROR_ALREADY_USED);
        }
    }

    @Test
    void aDataSourceIsSetAsTheSelectionOnce() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Proxy ddm = c.client.bind(WlDataDeviceManager.INTERFACE, 3);
            Proxy seat = c.client.bind(WlSeat.INTERFACE, 9);
            Proxy device = WlDataDeviceManager.getDataDevice(ddm, seat);
            Proxy a = WlDataDeviceManager.createDataSource(ddm);
            Proxy b = WlDataDeviceManager.createDataSource(ddm);
            WlDataDevice.setSelection(device, a, 0);
            WlDataDevice.setSelection(device, b, 0);
            c.roundtrip();
            assertFalse(c.client.display().failed(), "two sources, one after the other");
            WlDataDevice.setSelection(device, a, 0);
            c.expectError(device, WlDataDevice.ERROR_USED_SOURCE);
        }
    }

    @Test
    void aSurfaceHasOnePointerConstraint() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Proxy pc = c.client.bind(ZwpPointerConstraintsV1.INTERFACE, 1);
            Proxy seat = c.client.bind(WlSeat.INTERFACE, 9);
            Proxy pointer = WlSeat.getPointer(seat);
            Proxy s1 = dev.ferry.protocol.interfaces.WlCompositor.createSurface(c.compositor);
            Proxy s2 = dev.ferry.protocol.interfaces.WlCompositor.createSurface(c.compositor);
            ZwpPointerConstraintsV1.lockPointer(pc, s1, pointer, null, ZwpPointerConstraintsV1.LIFETIME_ONESHOT);
            ZwpPointerConstraintsV1.confinePointer(pc, s2, pointer, null, ZwpPointerConstraintsV1.LIFETIME_PERSISTENT);
            c.roundtrip();
            assertFalse(c.client.display().failed(), "one constraint on each of two surfaces");
            ZwpPointerConstraintsV1.confinePointer(pc, s1, pointer, null, ZwpPointerConstraintsV1.LIFETIME_PERSISTENT);
            c.expectError(pc, ZwpPointerConstraintsV1.ERROR_ALREADY_CONSTRAINED);
        }
    }

    @Test
    void aSinglePixelBufferScaledByAViewportFillsItsArea() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Proxy spb = c.client.bind(WpSinglePixelBufferManagerV1.INTERFACE, 1);
            Toplevel t = c.toplevel("fill");
            Proxy vp = WpViewporter.getViewport(c.viewporter, t.surface);
            WpViewport.setDestination(vp, 64, 48);
            // Opaque red, 32 bits a channel.
            Proxy red = WpSinglePixelBufferManagerV1.createU32RgbaBuffer(spb, 0xffffffff, 0, 0, 0xffffffff);
            WlSurface.attach(t.surface, red, 0, 0);
            WlSurface.damageBuffer(t.surface, 0, 0, 1, 1);
            WlSurface.commit(t.surface);
            c.await(() -> ferry.window("fill") != null, "the fill mapped");
            Window w = ferry.window("fill");
            int[] r = ferry.windowRect(w);
            assertEquals(64, r[2]);
            assertEquals(48, r[3]);
            assertEquals(hex(RED), hex(c.awaitPixel(r[0] + 32, r[1] + 24, RED)));
            assertEquals(hex(RED), hex(c.awaitPixel(r[0] + 63, r[1] + 47, RED)));
            assertEquals(hex(c.background()), hex(ferry.screenshot().at(r[0] + 64, r[1] + 24)), "nothing past the 64x48 area");
        }
    }

    @Test
    void theCursorSurfaceIsDrawnWithItsHotspotAtThePointerAndFollowsIt() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            PointerOnWindow on = pointerOnWindow(c, "under the cursor");
            int px = on.x(), py = on.y();
            Proxy cursor = dev.ferry.protocol.interfaces.WlCompositor.createSurface(c.compositor);
            TestClient.Buf red = c.solid(8, 8, RED);
            WlPointer.setCursor(on.pointer(), on.enterSerial(), cursor, 2, 3);
            WlSurface.attach(cursor, red.proxy, 0, 0);
            WlSurface.damageBuffer(cursor, 0, 0, 8, 8);
            WlSurface.commit(cursor);
            // The 8x8 image with its hotspot (2,3) on the pointer: from (px-2, py-3) to (px+5, py+4).
            assertEquals(hex(RED), hex(c.awaitPixel(px - 2, py - 3, RED)));
            assertEquals(hex(RED), hex(c.awaitPixel(px + 5, py + 4, RED)));
            assertEquals(hex(TestClient.BLUE), hex(ferry.screenshot().at(px + 6, py)), "the window right of the cursor");
            movePointer(px + 40, py);
            assertEquals(hex(RED), hex(c.awaitPixel(px + 38, py - 3, RED)), "the cursor followed the pointer");
            assertEquals(hex(TestClient.BLUE), hex(c.awaitPixel(px, py, TestClient.BLUE)), "and left the window as it was");
            assertFalse(c.client.display().failed());
            // The client's cursor goes with its pointer focus: moved off its window, nothing is drawn.
            movePointer(630, 470);
            assertEquals(hex(TestClient.BLUE), hex(c.awaitPixel(px + 38, py - 3, TestClient.BLUE)), "the window where the cursor was");
            assertEquals(hex(c.background()), hex(ferry.screenshot().at(630, 470)), "no cursor off the window either");
        }
    }

    /**
     * A cursor shape is drawn too (headless and kms have no host to draw it): its picture, from
     * the machine's cursor theme or Ferry's own set, with the picture's hotspot on the pointer.
     */
    @Test
    void aCursorShapeIsDrawnAsItsPictureWithTheHotspotAtThePointer() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            PointerOnWindow on = pointerOnWindow(c, "under the shape");
            int px = on.x(), py = on.y();
            Proxy device = WpCursorShapeManagerV1.getPointer(c.client.bind(WpCursorShapeManagerV1.INTERFACE, 1), on.pointer());
            WpCursorShapeDeviceV1.setShape(device, on.enterSerial(), WpCursorShapeDeviceV1.SHAPE_TEXT);
            c.roundtrip();
            var image = ferry.compositor().shapeCursors().image(WpCursorShapeDeviceV1.SHAPE_TEXT);
            // Every opaque pixel of the picture lands at the pointer less the hotspot; a clear one shows the window.
            int opaque = 0;
            for (int y = 0; y < image.height(); y++) {
                for (int x = 0; x < image.width(); x++) {
                    int a = image.at(x, y) >>> 24;
                    int sx = px - image.hotspotX() + x, sy = py - image.hotspotY() + y;
                    if (a == 0xff) {
                        opaque++;
                        assertEquals(hex(image.at(x, y)), hex(c.awaitPixel(sx, sy, image.at(x, y))),
                                "picture pixel " + x + "," + y + " of " + ferry.compositor().shapeCursors().source());
                    } else if (a == 0) {
                        assertEquals(hex(TestClient.BLUE), hex(ferry.screenshot().at(sx, sy)), "clear picture pixel " + x + "," + y);
                    }
                }
            }
            assertTrue(opaque > 10, "a picture with something to see: " + image.name());
            // The shape goes with its client's pointer focus: moved off the window, nothing is drawn there.
            movePointer(630, 470);
            assertEquals(hex(TestClient.BLUE), hex(c.awaitPixel(px, py, TestClient.BLUE)), "the window where the shape was");
            assertFalse(c.client.display().failed());
        }
    }

    /** A pointer of {@code c}'s, entered at the middle of its new 200x150 blue toplevel: where, and the enter's serial (what a cursor request names). */
    private record PointerOnWindow(Proxy pointer, int enterSerial, int x, int y) {}

    private static PointerOnWindow pointerOnWindow(TestClient c, String title) throws Exception {
        Proxy pointer = WlSeat.getPointer(c.client.bind(WlSeat.INTERFACE, 9));
        int[] enterSerial = {-1};
        pointer.listen(new WlPointer.Listener() {
            @Override
            public void enter(Proxy self, int serial, Proxy surface, double sx, double sy) {
                enterSerial[0] = serial;
            }
        });
        c.mappedToplevel(title, 200, 150, TestClient.BLUE);
        Window w = ferry.window(title);
        int x = w.x() + 100, y = w.y() + 75;
        movePointer(x, y);
        c.await(() -> enterSerial[0] >= 0, "pointer enter");
        return new PointerOnWindow(pointer, enterSerial[0], x, y);
    }

    private static void movePointer(int x, int y) {
        ferry.compositor().input(InputCommand.parse("move " + x + " " + y));
    }
}
