package dev.ferry.compositor.kms;

import dev.ferry.client.DmabufWindow;
import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.kms.VirtualKms.Rec;
import dev.ferry.drm.FakeDevice;
import dev.ferry.drm.FaultPlan;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The planes beyond the primary, end to end with real clients (dma-buf and wl_shm windows, the
 * CRTC read back): overlay feedback read by the client, a cross-device output's own overlay,
 * the cursor plane. After each step the CRTC shows what a from-scratch composition of the scene
 * shows. On fake-drm's virtual clock (VirtualKms): the feedback hysteresis is a loop timer on
 * that clock, so a tranche comes after an exact number of refreshes whatever the machine's load.
 */
@Timeout(120)
class PlaneFeaturesTest {
    private static final String OUTPUT = "eDP-1";

    private static VirtualKms kms(String topology, String output) throws Exception {
        return new VirtualKms(topology, output, FaultPlan.none(), "cpu", FEEDBACK_HYSTERESIS_NS);
    }

    /** Short enough to keep the tests fast, long enough to be a real hysteresis. */
    private static final long FEEDBACK_HYSTERESIS_NS = 250_000_000L;

    /** The client's scanout tranche as it read it from its feedback events, or null. */
    private static dev.ferry.client.DmabufFeedback.Tranche scanoutTranche(DmabufWindow w) {
        var now = w.feedback().current();
        for (var t : now.tranches()) if (t.scanout()) return t;
        return null;
    }

    /**
     * Overlay feedback, as the primary plane's: a windowed video on a modifier laptop-igpu's
     * overlay lacks (FAKE_TILED_16X16_COLUMN; the primary has it) is composed with the reason,
     * after the hysteresis its client reads a scanout tranche with the overlay's formats on the
     * display device, reallocates and goes on the overlay. A window above it is a structural
     * miss: after the hysteresis the tranche is gone again.
     */
    @Test
    void aWindowedVideoOnAModifierTheOverlayLacksGetsTheOverlaysTrancheAndLosesItWhenCovered() throws Exception {
        try (VirtualKms k = kms("laptop-igpu", OUTPUT)) {
            WaylandClient client = k.connect(), other = k.connect();
            try (DmabufWindow video = k.video(client, DmabufWindow.Options.of("tiled", 640, 360).firstModifier(Modifiers.FAKE_TILED_16X16_COLUMN))) {
                k.frame(video, 0);
                k.move("tiled", 100, 100);
                long f = 1;
                long t0 = k.clock.nowNs();
                while (scanoutTranche(video) == null) {
                    assertTrue(f < 300, "no scanout tranche after " + f + " frames: " + k.last("tiled", 3));
                    k.frame(video, f++);
                }
                long toTrancheNs = k.clock.nowNs() - t0, trancheAt = f;
                Rec before = k.last("tiled", 1).getFirst();
                assertEquals(PathKind.CPU_COPY, before.path(), "composed first: " + before);
                assertTrue(before.reasons().contains(FallbackReason.MODIFIER_NOT_ON_PLANE), "for its modifier alone: " + before);
                var tranche = scanoutTranche(video);
                FakeDevice card0 = (FakeDevice) k.kernel().devices().getFirst();
                assertEquals(card0.info().devT(), tranche.targetDevT(), "the display device");
                var formats = tranche.formats();
                assertTrue(formats.contains(new dev.ferry.client.DmabufFeedback.FormatModifier(Fourcc.NV12, Modifiers.LINEAR)),
                        "the overlay's formats (NV12 is on the overlay only): " + tranche);
                assertFalse(formats.contains(new dev.ferry.client.DmabufFeedback.FormatModifier(Fourcc.XRGB8888, Modifiers.FAKE_TILED_16X16_COLUMN)),
                        "not the primary's (16x16 column is on the primary only): " + tranche);
                while (k.last("tiled", 1).getFirst().path() != PathKind.OVERLAY_PLANE) {
                    assertTrue(f < trancheAt + 30, "not on the overlay after reallocating: " + k.last("tiled", 3) + ", plan " + video.plan());
                    k.frame(video, f++);
                }
                long onOverlayAt = f - 1;
                for (int i = 0; i < 10; i++) k.frame(video, f++);
                assertTrue(k.last("tiled", 10).stream().allMatch(r -> r.path() == PathKind.OVERLAY_PLANE), "stays: " + k.last("tiled", 10));
                assertEquals(1, video.reallocatedAt().size(), "reallocated once: " + video.reallocatedAt());
                k.assertShowsScene("reallocated onto the overlay");
                // A window over its corner: composed (z-order), a structural miss; the tranche goes.
                ShmWindow above = k.shm(other, "above", 300, 200);
                k.frame(above, 0x00c0c0c0);
                k.move("above", 600, 350);
                long coveredAt = f, tc = k.clock.nowNs();
                while (scanoutTranche(video) != null) {
                    assertTrue(f < coveredAt + 300, "the tranche stayed: " + k.last("tiled", 3));
                    k.frame(video, f++);
                }
                long toGoneNs = k.clock.nowNs() - tc;
                System.out.printf("overlay feedback (virtual clock): tranche %d ms after frame 1, read after client frame %d (hysteresis %d ms), on the overlay from client frame %d"
                                + " (reallocated at %s); covered: tranche gone after %d ms and %d frames%n",
                        toTrancheNs / VirtualKms.MS, trancheAt - 1, FEEDBACK_HYSTERESIS_NS / VirtualKms.MS, onOverlayAt, video.reallocatedAt(),
                        toGoneNs / VirtualKms.MS, f - coveredAt);
                // Exact, on the virtual clock: the rate threshold's first three commits, then the
                // hysteresis's 15 refreshes (250 ms at 60 Hz) before the tranche; 15 to lose it.
                long hysteresisFrames = FEEDBACK_HYSTERESIS_NS / k.periodNs();
                assertEquals(3 + hysteresisFrames, trancheAt - 1, "frames drawn on the default feedback after the move ("
                        + toTrancheNs / VirtualKms.MS + " ms)");
                assertEquals(List.of(trancheAt), video.reallocatedAt(), "the frame after the tranche drawn into new buffers");
                assertEquals(trancheAt, onOverlayAt, "on the overlay from the first frame drawn into them");
                // Covered: 16 refreshes (266 ms) until the client reads the tranche gone, one client
                // frame each. The move's frame starts at the repaint deadline, so it latches the
                // client's first frame after the move too (starting at once, it went alone and that
                // client frame waited through its flip: 15 frames in the same 16 refreshes).
                assertEquals(hysteresisFrames + 1, f - coveredAt, "frames until the tranche went, covered (" + toGoneNs / VirtualKms.MS + " ms)");
                Rec covered = k.last("tiled", 1).getFirst();
                assertEquals(PathKind.CPU_COPY, covered.path(), covered.toString());
                assertTrue(covered.reasons().contains(FallbackReason.OCCLUDED), covered.toString());
                for (int i = 0; i < 5; i++) k.frame(video, f++);
                k.assertShowsScene("covered, back on the default feedback");
                above.close();
            }
        }
    }

    /**
     * hybrid-laptop's HDMI-A-1 is on card1, rendered by card0 and copied across: its overlay
     * is card1's own. A windowed video the client allocates on card1 goes on it (the copy
     * carries the composed primary only); one allocated on the iGPU, whose memory card1
     * cannot scan out, is composed with that reason, gets a scanout tranche for card1's
     * overlay, reallocates there and goes on it. The CRTC shows the scene throughout.
     */
    @Test
    void aCrossDeviceOutputUsesTheOverlayOfItsOwnDevice() throws Exception {
        String hdmi = "HDMI-A-1";
        try (VirtualKms k = kms("hybrid-laptop", hdmi)) {
            WaylandClient client = k.connect();
            try (DmabufWindow igpu = k.video(client, DmabufWindow.Options.of("on-igpu", 480, 270))) {
                k.frame(igpu, 0);
                moveOnto(k, "on-igpu", hdmi, 900, 500);
                long f = 1;
                long t0 = k.clock.nowNs();
                while (k.last("on-igpu", 1).isEmpty() || k.last("on-igpu", 1).getFirst().path() != PathKind.OVERLAY_PLANE) {
                    assertTrue(f < 300, "never on card1's overlay: " + k.last("on-igpu", 3) + ", plan " + igpu.plan());
                    k.frame(igpu, f++);
                }
                long toOverlayNs = k.clock.nowNs() - t0;
                List<Rec> before = k.all("on-igpu");
                assertTrue(before.stream().anyMatch(r -> r.path() != PathKind.OVERLAY_PLANE && r.reasons().contains(FallbackReason.MEMORY_NOT_SCANNABLE)),
                        "the iGPU's memory is what card1 cannot scan out: " + before.subList(0, Math.min(8, before.size())));
                assertTrue(igpu.plan().device().info().name().equals("card1") && igpu.plan().scanout(), "reallocated for card1's planes: " + igpu.plan());
                long onOverlayAt = f - 1;
                for (int i = 0; i < 10; i++) k.frame(igpu, f++);
                assertTrue(k.last("on-igpu", 10).stream().allMatch(r -> r.path() == PathKind.OVERLAY_PLANE), "stays: " + k.last("on-igpu", 10));
                k.assertShowsScene("reallocated onto card1's overlay");
                System.out.printf("cross-device overlay (virtual clock): on card1's overlay %d ms after the first frame, from client frame %d (reallocated at %s)%n",
                        toOverlayNs / VirtualKms.MS, onOverlayAt, igpu.reallocatedAt());
                // As on the laptop's own overlay: three commits for the rate, the hysteresis, then the
                // first frame in card1's buffers; and one more, because the frame showing the move
                // onto HDMI-A-1 starts at the repaint deadline and latches client frame 1 with it, so
                // every client frame takes one refresh (starting at once, frame 1 waited through the
                // move's flip: one client frame fewer in the same 333 ms).
                assertEquals(3 + FEEDBACK_HYSTERESIS_NS / k.periodNs() + 2, onOverlayAt, "the first frame on card1's overlay");
                assertEquals(List.of(onOverlayAt), igpu.reallocatedAt(), "reallocated once, for that frame");
            }
        }
        try (VirtualKms k = kms("hybrid-laptop", hdmi)) {
            WaylandClient client = k.connect();
            try (DmabufWindow dgpu = k.video(client, DmabufWindow.Options.of("on-dgpu", 480, 270).device("card1"))) {
                k.frame(dgpu, 0);
                moveOnto(k, "on-dgpu", hdmi, 300, 200);
                for (long f = 1; f < 30; f++) k.frame(dgpu, f);
                List<Rec> recs = k.all("on-dgpu");
                int first = recs.size();
                while (first > 0 && recs.get(first - 1).path() == PathKind.OVERLAY_PLANE) first--;
                System.out.printf("cross-device overlay (virtual clock): a card1 buffer on the overlay from surface frame %d of %d%n", first, recs.size());
                assertEquals(3, first, "card1's buffer on card1's overlay from its first frames (the rate threshold counts three commits): " + recs);
                k.assertShowsScene("a card1 buffer on card1's overlay");
            }
        }
    }

    /** Moves the window to (x, y) of the named output. */
    private static void moveOnto(VirtualKms k, String title, String output, int x, int y) throws java.io.IOException {
        int[] at = k.c.onLoop(() -> new int[] {k.c.scene().outputNamed(output).x(), k.c.scene().outputNamed(output).y()});
        k.move(title, at[0] + x, at[1] + y);
    }

    /** A cursor image in a sealed wl_shm pool (udmabuf wraps it for the cursor plane): an opaque w x h block, its top-left quarter transparent. */
    private record PointerIn(dev.ferry.protocol.client.Proxy pointer, int enterSerial) {}

    /** The client's wl_pointer, after the seat's pointer moved to (x, y) over its surface and it was told of the enter. */
    private static PointerIn pointerMovedTo(VirtualKms k, WaylandClient client, int x, int y) throws Exception {
        var seat = client.bind(dev.ferry.protocol.interfaces.WlSeat.INTERFACE, 5);
        var pointer = dev.ferry.protocol.interfaces.WlSeat.getPointer(seat);
        int[] enter = {-1};
        pointer.listen(new dev.ferry.protocol.interfaces.WlPointer.Listener() {
            @Override
            public void enter(dev.ferry.protocol.client.Proxy self, int serial, dev.ferry.protocol.client.Proxy surface, double sx, double sy) {
                enter[0] = serial;
            }
        });
        k.c.input(dev.ferry.compositor.seat.InputCommand.parse("move " + x + " " + y));
        k.settle();
        assertTrue(enter[0] >= 0, "the pointer entered the surface once the loop handled the move");
        return new PointerIn(pointer, enter[0]);
    }

    private static dev.ferry.client.ShmPool cursorImage(dev.ferry.client.WaylandClient client, int w, int h, int argb) throws Exception {
        long bytes = 4L * w * h;
        long pool = (bytes + 4095) / 4096 * 4096;  // whole pages: udmabuf wraps pages only
        var shm = client.bind(dev.ferry.protocol.interfaces.WlShm.INTERFACE, 1);
        var p = new dev.ferry.client.ShmPool(shm, pool, true);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                // Alpha 0 or 255 only: either way the plane's blend and the composition's agree exactly.
                int px = x < w / 2 && y < h / 2 ? 0 : argb;
                p.memory().set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 4L * (y * w + x), px);
            }
        }
        return p;
    }

    /** The records of the scene's cursor surface. */
    private static List<Rec> cursorRecords(VirtualKms k, int n) {
        return k.c.onLoop(() -> {
            List<Rec> all = k.log.getOrDefault(k.c.scene().cursor(), List.of());
            return List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
        });
    }

    /**
     * The cursor plane: a client's cursor (wl_pointer.set_cursor) over its fullscreen video goes
     * on laptop-igpu's cursor plane, and the video stays scanned out under it; the pointer moves,
     * the cursor follows on its plane. A cursor larger than the plane takes (300x300, the plane
     * stops at 256) is composed, and so the video is too, each with its reason; back to a small
     * one, both return to their planes. The CRTC shows the scene at every step. On the virtual
     * clock each step's frames are counted exactly: a cursor commit shows from the next frame.
     */
    @Test
    void theCursorGoesOnTheCursorPlaneAboveAScannedOutVideoOrIsComposed() throws Exception {
        try (VirtualKms k = new VirtualKms("laptop-igpu", OUTPUT, FaultPlan.none(), "cpu")) {
            WaylandClient client = k.connect();
            try (DmabufWindow video = k.video(client, "fullscreen", 1920, 1080, true)) {
                long f = 0;
                for (; f < 5; f++) k.frame(video, f);
                PointerIn in = pointerMovedTo(k, client, 500, 400);
                var pointer = in.pointer();
                var compositor = client.bind(dev.ferry.protocol.interfaces.WlCompositor.INTERFACE, 5);
                var cursor = dev.ferry.protocol.interfaces.WlCompositor.createSurface(compositor);
                try (var small = cursorImage(client, 64, 64, 0xffff2000); var big = cursorImage(client, 300, 300, 0xff20ff00)) {
                    var smallBuf = small.buffer(0, 64, 64, 256, dev.ferry.protocol.interfaces.WlShm.FORMAT_ARGB8888);
                    var bigBuf = big.buffer(0, 300, 300, 1200, dev.ferry.protocol.interfaces.WlShm.FORMAT_ARGB8888);
                    dev.ferry.protocol.interfaces.WlPointer.setCursor(pointer, in.enterSerial(), cursor, 4, 4);
                    attach(cursor, smallBuf, 64, 64);
                    for (int i = 0; i < 10; i++) k.frame(video, f++);
                    // One per video frame: the frame the cursor's commit asks for starts at the repaint
                    // deadline, by when the video's next commit came too, so both are in one frame.
                    assertEquals(10, cursorRecords(k, 100).size(), "the cursor in each of the 10 frames since it was set: " + cursorRecords(k, 100));
                    assertTrue(cursorRecords(k, 10).stream().allMatch(r -> r.path() == PathKind.OVERLAY_PLANE), "cursor on its plane: " + cursorRecords(k, 10));
                    assertTrue(k.last("fullscreen", 10).stream().allMatch(r -> r.path() == PathKind.DIRECT_SCANOUT), "the video under it: " + k.last("fullscreen", 10));
                    k.assertShowsScene("cursor on the cursor plane");
                    assertEquals(0xffff2000, k.c.screenshot(OUTPUT).at(500 - 4 + 40, 400 - 4 + 40), "the cursor's own pixels");
                    k.c.input(dev.ferry.compositor.seat.InputCommand.parse("move 1890 1060"));  // partly past the output's corner
                    for (int i = 0; i < 5; i++) k.frame(video, f++);
                    assertTrue(cursorRecords(k, 5).stream().allMatch(r -> r.path() == PathKind.OVERLAY_PLANE), "followed on its plane: " + cursorRecords(k, 5));
                    assertTrue(k.last("fullscreen", 5).stream().allMatch(r -> r.path() == PathKind.DIRECT_SCANOUT), k.last("fullscreen", 5).toString());
                    k.assertShowsScene("cursor moved, at the corner");
                    k.c.input(dev.ferry.compositor.seat.InputCommand.parse("move 700 500"));
                    attach(cursor, bigBuf, 300, 300);
                    for (int i = 0; i < 5; i++) k.frame(video, f++);
                    List<Rec> bigCursor = cursorRecords(k, 5);
                    assertTrue(bigCursor.stream().allMatch(r -> r.path() == PathKind.CPU_COPY && r.reasons().contains(FallbackReason.TOO_BIG)),
                            "too big for the plane: composed in each of the 5 frames since: " + bigCursor);
                    List<Rec> under = k.last("fullscreen", 5);
                    assertTrue(under.stream().allMatch(r -> r.path() == PathKind.CPU_COPY), "the video under a composed cursor is composed: " + under);
                    k.assertShowsScene("a composed cursor");
                    attach(cursor, smallBuf, 64, 64);
                    for (int i = 0; i < 5; i++) k.frame(video, f++);
                    assertTrue(cursorRecords(k, 5).stream().allMatch(r -> r.path() == PathKind.OVERLAY_PLANE), "back on its plane from the next frame: " + cursorRecords(k, 5));
                    assertTrue(k.last("fullscreen", 5).stream().allMatch(r -> r.path() == PathKind.DIRECT_SCANOUT), k.last("fullscreen", 5).toString());
                    k.assertShowsScene("back on the cursor plane");
                    long onPlane = k.c.onLoop(() -> k.c.pathStatistics().output(OUTPUT).frames(PathKind.OVERLAY_PLANE));
                    System.out.printf("cursor plane (virtual clock): %s; output frames counted overlay-plane %d%n", cursorRecords(k, 100).stream()
                            .collect(java.util.stream.Collectors.groupingBy(Rec::path, java.util.stream.Collectors.counting())), onPlane);
                }
            }
        }
    }

    /**
     * A wp_cursor_shape shape on kms: its picture (the machine's cursor theme or Ferry's own) is a
     * cursor surface like any other, so the CRTC shows it with its hotspot on the pointer, over
     * the scanned-out video.
     */
    @Test
    void aCursorShapeIsShownOnTheCrtcWithItsHotspotOnThePointer() throws Exception {
        try (VirtualKms k = new VirtualKms("laptop-igpu", OUTPUT, FaultPlan.none(), "cpu")) {
            WaylandClient client = k.connect();
            try (DmabufWindow video = k.video(client, "fullscreen", 1920, 1080, true)) {
                long f = 0;
                for (; f < 5; f++) k.frame(video, f);
                PointerIn in = pointerMovedTo(k, client, 500, 400);
                var pointer = in.pointer();
                var shapes = client.bind(dev.ferry.protocol.interfaces.WpCursorShapeManagerV1.INTERFACE, 1);
                var device = dev.ferry.protocol.interfaces.WpCursorShapeManagerV1.getPointer(shapes, pointer);
                dev.ferry.protocol.interfaces.WpCursorShapeDeviceV1.setShape(device, in.enterSerial(), dev.ferry.protocol.interfaces.WpCursorShapeDeviceV1.SHAPE_CROSSHAIR);
                for (int i = 0; i < 10; i++) k.frame(video, f++);
                k.assertShowsScene("a cursor shape");
                var image = k.c.shapeCursors().image(dev.ferry.protocol.interfaces.WpCursorShapeDeviceV1.SHAPE_CROSSHAIR);
                var shot = k.c.screenshot(OUTPUT);
                int opaque = 0;
                for (int y = 0; y < image.height(); y++) {
                    for (int x = 0; x < image.width(); x++) {
                        if (image.at(x, y) >>> 24 != 0xff) continue;
                        opaque++;
                        assertEquals(Integer.toHexString(image.at(x, y)), Integer.toHexString(shot.at(500 - image.hotspotX() + x, 400 - image.hotspotY() + y)),
                                "picture pixel " + x + "," + y + " of " + k.c.shapeCursors().source());
                    }
                }
                assertTrue(opaque > 10, "a picture with something to see");
            }
        }
    }

    private static void attach(dev.ferry.protocol.client.Proxy surface, dev.ferry.protocol.client.Proxy buffer, int w, int h) {
        dev.ferry.protocol.interfaces.WlSurface.attach(surface, buffer, 0, 0);
        dev.ferry.protocol.interfaces.WlSurface.damageBuffer(surface, 0, 0, w, h);
        dev.ferry.protocol.interfaces.WlSurface.commit(surface);
    }
}
