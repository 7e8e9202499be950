package dev.ferry.compositor.kms;

import dev.ferry.client.DmabufAllocator;
import dev.ferry.client.DmabufWindow;
import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.FerryServer;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.dmabuf.LinuxDmabufGlobal;
import dev.ferry.compositor.frame.ReferenceComposition;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.path.PathObserver;
import dev.ferry.compositor.scene.Window;
import dev.ferry.drm.FakeDevice;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.FaultKind;
import dev.ferry.drm.FaultPlan;
import dev.ferry.drm.KernelClock;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The planes beyond the primary, end to end with real clients (dma-buf and wl_shm windows, the
 * CRTC read back): overlay feedback read by the client, a cross-device output's own overlay,
 * the cursor plane. After each step the CRTC shows what a
 * from-scratch composition of the scene shows. On the real clock with condition waits (the
 * feedback hysteresis and the pointer need a running loop); OverlayScenariosTest has the
 * overlay scenarios on the virtual clock.
 */
@Timeout(120)
class PlaneFeaturesTest {
    private static final String OUTPUT = "eDP-1";

    /** One frame of one surface as the backend reported it. */
    record Rec(PathKind path, Set<FallbackReason> reasons) {}

    /** A kms Ferry with the per-surface path log. */
    static final class Kms implements AutoCloseable {
        final Path dir;
        final Compositor c;
        final Map<Surface, List<Rec>> log = new IdentityHashMap<>();

        Kms(FaultPlan faults) throws Exception {
            this(faults, LinuxDmabufGlobal.Config.defaults().feedbackHysteresisNs());
        }

        /** With this dma-buf feedback hysteresis (feedback tests shorten it). */
        Kms(FaultPlan faults, long hysteresisNs) throws Exception {
            this("laptop-igpu", faults, hysteresisNs);
        }

        Kms(String topology, FaultPlan faults, long hysteresisNs) throws Exception {
            dir = Files.createTempDirectory("ferry-overlay-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            c = Compositor.create(Compositor.Options.kms(dir, "wayland-o", KmsBackend.Config.of(dev.ferry.compositor.devices.FakeDevices.source(topology, KernelClock.monotonic(), faults)))
                    .withRenderer("cpu")
                    .withDmabuf(new LinuxDmabufGlobal.Config(hysteresisNs, LinuxDmabufGlobal.Config.defaults().fenceDeadlineNs())));
            c.startThread();
            c.onLoop(() -> {
                c.pathObservers().add(new PathObserver() {
                    @Override
                    public void surfacePresented(Output output, Surface surface, PathKind path, Set<FallbackReason> reasons, long presentNs) {
                        log.computeIfAbsent(surface, k -> new ArrayList<>())
                                .add(new Rec(path, reasons.isEmpty() ? EnumSet.noneOf(FallbackReason.class) : EnumSet.copyOf(reasons)));
                    }
                });
                return null;
            });
        }

        WaylandClient connect() throws Exception {
            return WaylandClient.connect(dir.resolve("wayland-o").toString());
        }

        FakeKernel kernel() {
            return (FakeKernel) c.backend().devices().orElseThrow();
        }

        DmabufWindow video(WaylandClient client, String title, int w, int h, boolean fullscreen) throws Exception {
            DmabufWindow.Options o = DmabufWindow.Options.of(title, w, h);
            if (fullscreen) o = o.fullscreen(true).output(OUTPUT);
            return new DmabufWindow(client, new DmabufAllocator(kernel()), o);
        }

        DmabufWindow video(WaylandClient client, DmabufWindow.Options o) throws Exception {
            return new DmabufWindow(client, new DmabufAllocator(kernel()), o);
        }

        /** Every record of the window's surface so far. */
        List<Rec> all(String title) {
            return c.onLoop(() -> List.copyOf(log.getOrDefault(window(title).surface(), List.of())));
        }

        /** Bytes the output's frames composed so far. */
        long bytesComposed() {
            return c.onLoop(() -> c.backend().stats(c.scene().outputNamed(OUTPUT)).bytesComposed());
        }

        Window window(String title) {
            return c.onLoop(() -> {
                for (Window w : c.scene().windows()) if (title.equals(w.title())) return w;
                return null;
            });
        }

        /** Moves the window to (x, y) of the named output. */
        void moveOnto(String title, String output, int x, int y) {
            c.onLoop(() -> {
                Output o = c.scene().outputNamed(output);
                c.scene().move(window(title), o.x() + x, o.y() + y);
                return null;
            });
        }

        void move(String title, int x, int y) {
            c.onLoop(() -> {
                c.scene().move(window(title), x, y);
                return null;
            });
        }

        /** The last n records of the window's surface. */
        List<Rec> last(String title, int n) {
            return c.onLoop(() -> {
                List<Rec> all = log.getOrDefault(window(title).surface(), List.of());
                return List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
            });
        }

        @Override
        public void close() {
            c.close();
        }
    }

    private static void frame(DmabufWindow w, long n) throws Exception {
        int rgb = (int) (0x00300000 + n * 0x010203) & 0xffffff;
        assertTrue(w.drawFrame(n, canvas -> canvas.fill(rgb), 3000), "frame " + n);
        assertTrue(w.awaitFrame(3000), "frame callback " + n);
    }

    private static void frame(ShmWindow w, int rgb) throws Exception {
        assertTrue(w.drawWhenFree(ShmWindow.fill(rgb), 3000));
        assertTrue(w.awaitFrame(3000));
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
        try (Kms k = new Kms(FaultPlan.none(), FEEDBACK_HYSTERESIS_NS); WaylandClient client = k.connect(); WaylandClient other = k.connect();
             DmabufWindow video = k.video(client, DmabufWindow.Options.of("tiled", 640, 360).firstModifier(Modifiers.FAKE_TILED_16X16_COLUMN))) {
            frame(video, 0);
            k.move("tiled", 100, 100);
            long f = 1;
            long t0 = System.nanoTime();
            while (scanoutTranche(video) == null) {
                assertTrue(f < 300, "no scanout tranche after " + f + " frames: " + k.last("tiled", 3));
                frame(video, f++);
            }
            long toTrancheMs = (System.nanoTime() - t0) / 1_000_000;
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
            long trancheAt = f;
            while (k.last("tiled", 1).getFirst().path() != PathKind.OVERLAY_PLANE) {
                assertTrue(f < trancheAt + 30, "not on the overlay after reallocating: " + k.last("tiled", 3) + ", plan " + video.plan());
                frame(video, f++);
            }
            for (int i = 0; i < 10; i++) frame(video, f++);
            assertTrue(k.last("tiled", 10).stream().allMatch(r -> r.path() == PathKind.OVERLAY_PLANE), "stays: " + k.last("tiled", 10));
            assertEquals(1, video.reallocatedAt().size(), "reallocated once: " + video.reallocatedAt());
            assertShowsScene(k.c, OUTPUT, "reallocated onto the overlay");
            System.out.printf("overlay feedback: tranche after %d ms (hysteresis %d ms), on the overlay from client frame %d (reallocated at %s)%n",
                    toTrancheMs, FEEDBACK_HYSTERESIS_NS / 1_000_000, f - 10, video.reallocatedAt());
            // A window over its corner: composed (z-order), a structural miss; the tranche goes.
            ShmWindow above = new ShmWindow(other, "above", 300, 200, true);
            frame(above, 0x00c0c0c0);
            k.move("above", 600, 350);
            long coveredAt = f;
            while (scanoutTranche(video) != null) {
                assertTrue(f < coveredAt + 300, "the tranche stayed: " + k.last("tiled", 3));
                frame(video, f++);
            }
            assertTrue(f - coveredAt >= 5, "not before the hysteresis: " + (f - coveredAt) + " frames");
            Rec covered = k.last("tiled", 1).getFirst();
            assertEquals(PathKind.CPU_COPY, covered.path(), covered.toString());
            assertTrue(covered.reasons().contains(FallbackReason.OCCLUDED), covered.toString());
            for (int i = 0; i < 5; i++) frame(video, f++);
            assertShowsScene(k.c, OUTPUT, "covered, back on the default feedback");
            above.close();
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
        try (Kms k = new Kms("hybrid-laptop", FaultPlan.none(), FEEDBACK_HYSTERESIS_NS); WaylandClient client = k.connect();
             DmabufWindow igpu = k.video(client, DmabufWindow.Options.of("on-igpu", 480, 270))) {
            frame(igpu, 0);
            k.moveOnto("on-igpu", hdmi, 900, 500);
            long f = 1;
            long t0 = System.nanoTime();
            while (k.last("on-igpu", 1).getFirst().path() != PathKind.OVERLAY_PLANE) {
                assertTrue(f < 300, "never on card1's overlay: " + k.last("on-igpu", 3) + ", plan " + igpu.plan());
                frame(igpu, f++);
            }
            long toOverlayMs = (System.nanoTime() - t0) / 1_000_000;
            List<Rec> before = k.all("on-igpu");
            assertTrue(before.stream().anyMatch(r -> r.path() != PathKind.OVERLAY_PLANE && r.reasons().contains(FallbackReason.MEMORY_NOT_SCANNABLE)),
                    "the iGPU's memory is what card1 cannot scan out: " + before.subList(0, Math.min(8, before.size())));
            assertTrue(igpu.plan().device().info().name().equals("card1") && igpu.plan().scanout(), "reallocated for card1's planes: " + igpu.plan());
            for (int i = 0; i < 10; i++) frame(igpu, f++);
            assertTrue(k.last("on-igpu", 10).stream().allMatch(r -> r.path() == PathKind.OVERLAY_PLANE), "stays: " + k.last("on-igpu", 10));
            assertShowsScene(k.c, hdmi, "reallocated onto card1's overlay");
            System.out.printf("cross-device overlay: on card1's overlay %d ms after the first frame, after %d frames (reallocated at %s)%n",
                    toOverlayMs, f - 10, igpu.reallocatedAt());
        }
        try (Kms k = new Kms("hybrid-laptop", FaultPlan.none(), FEEDBACK_HYSTERESIS_NS); WaylandClient client = k.connect();
             DmabufWindow dgpu = k.video(client, DmabufWindow.Options.of("on-dgpu", 480, 270).device("card1"))) {
            frame(dgpu, 0);
            k.moveOnto("on-dgpu", hdmi, 300, 200);
            for (long f = 1; f < 30; f++) frame(dgpu, f);
            List<Rec> recs = k.all("on-dgpu");
            assertTrue(k.last("on-dgpu", 20).stream().allMatch(r -> r.path() == PathKind.OVERLAY_PLANE), "card1's buffer on card1's overlay: " + k.last("on-dgpu", 20));
            assertShowsScene(k.c, hdmi, "a card1 buffer on card1's overlay");
            int first = recs.size();
            while (first > 0 && recs.get(first - 1).path() == PathKind.OVERLAY_PLANE) first--;
            System.out.printf("cross-device overlay: a card1 buffer on the overlay from surface frame %d of %d%n", first, recs.size());
        }
    }

    /** A cursor image in a sealed wl_shm pool (udmabuf wraps it for the cursor plane): an opaque w x h block, its top-left quarter transparent. */
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
    private static List<Rec> cursorRecords(Kms k, int n) {
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
     * one, both return to their planes. The CRTC shows the scene at every step.
     */
    @Test
    void theCursorGoesOnTheCursorPlaneAboveAScannedOutVideoOrIsComposed() throws Exception {
        try (Kms k = new Kms(FaultPlan.none()); WaylandClient client = k.connect();
             DmabufWindow video = k.video(client, "fullscreen", 1920, 1080, true)) {
            long f = 0;
            for (; f < 5; f++) frame(video, f);
            var seat = client.bind(dev.ferry.protocol.interfaces.WlSeat.INTERFACE, 5);
            var pointer = dev.ferry.protocol.interfaces.WlSeat.getPointer(seat);
            int[] enter = {-1};
            pointer.listen(new dev.ferry.protocol.interfaces.WlPointer.Listener() {
                @Override
                public void enter(dev.ferry.protocol.client.Proxy self, int serial, dev.ferry.protocol.client.Proxy surface, double sx, double sy) {
                    enter[0] = serial;
                }
            });
            k.c.input(dev.ferry.compositor.seat.InputCommand.parse("move 500 400"));
            while (enter[0] < 0) {
                assertTrue(f < 100, "no pointer enter");
                frame(video, f++);
            }
            var compositor = client.bind(dev.ferry.protocol.interfaces.WlCompositor.INTERFACE, 5);
            var cursor = dev.ferry.protocol.interfaces.WlCompositor.createSurface(compositor);
            try (var small = cursorImage(client, 64, 64, 0xffff2000); var big = cursorImage(client, 300, 300, 0xff20ff00)) {
                var smallBuf = small.buffer(0, 64, 64, 256, dev.ferry.protocol.interfaces.WlShm.FORMAT_ARGB8888);
                var bigBuf = big.buffer(0, 300, 300, 1200, dev.ferry.protocol.interfaces.WlShm.FORMAT_ARGB8888);
                dev.ferry.protocol.interfaces.WlPointer.setCursor(pointer, enter[0], cursor, 4, 4);
                attach(cursor, smallBuf, 64, 64);
                for (int i = 0; i < 10; i++) frame(video, f++);
                assertTrue(cursorRecords(k, 5).stream().allMatch(r -> r.path() == PathKind.OVERLAY_PLANE), "cursor on its plane: " + cursorRecords(k, 5));
                assertTrue(k.last("fullscreen", 5).stream().allMatch(r -> r.path() == PathKind.DIRECT_SCANOUT), "the video under it: " + k.last("fullscreen", 5));
                assertShowsScene(k.c, OUTPUT, "cursor on the cursor plane");
                assertEquals(0xffff2000, k.c.screenshot(OUTPUT).at(500 - 4 + 40, 400 - 4 + 40), "the cursor's own pixels");
                k.c.input(dev.ferry.compositor.seat.InputCommand.parse("move 1890 1060"));  // partly past the output's corner
                for (int i = 0; i < 5; i++) frame(video, f++);
                assertTrue(cursorRecords(k, 3).stream().allMatch(r -> r.path() == PathKind.OVERLAY_PLANE), "followed on its plane: " + cursorRecords(k, 3));
                assertTrue(k.last("fullscreen", 3).stream().allMatch(r -> r.path() == PathKind.DIRECT_SCANOUT), k.last("fullscreen", 3).toString());
                assertShowsScene(k.c, OUTPUT, "cursor moved, at the corner");
                k.c.input(dev.ferry.compositor.seat.InputCommand.parse("move 700 500"));
                attach(cursor, bigBuf, 300, 300);
                for (int i = 0; i < 5; i++) frame(video, f++);
                Rec bigCursor = cursorRecords(k, 1).getFirst();
                assertEquals(PathKind.CPU_COPY, bigCursor.path(), "too big for the plane: composed " + bigCursor);
                assertTrue(bigCursor.reasons().contains(FallbackReason.TOO_BIG), bigCursor.toString());
                Rec under = k.last("fullscreen", 1).getFirst();
                assertEquals(PathKind.CPU_COPY, under.path(), "the video under a composed cursor is composed: " + under);
                assertShowsScene(k.c, OUTPUT, "a composed cursor");
                attach(cursor, smallBuf, 64, 64);
                for (int i = 0; i < 5; i++) frame(video, f++);
                assertEquals(PathKind.OVERLAY_PLANE, cursorRecords(k, 1).getFirst().path(), cursorRecords(k, 1).toString());
                assertEquals(PathKind.DIRECT_SCANOUT, k.last("fullscreen", 1).getFirst().path(), k.last("fullscreen", 1).toString());
                assertShowsScene(k.c, OUTPUT, "back on the cursor plane");
                long onPlane = k.c.onLoop(() -> k.c.pathStatistics().output(OUTPUT).frames(PathKind.OVERLAY_PLANE));
                System.out.printf("cursor plane: %s; output frames counted overlay-plane %d%n", cursorRecords(k, 30).stream()
                        .collect(java.util.stream.Collectors.groupingBy(Rec::path, java.util.stream.Collectors.counting())), onPlane);
            }
        }
    }

    private static void attach(dev.ferry.protocol.client.Proxy surface, dev.ferry.protocol.client.Proxy buffer, int w, int h) {
        dev.ferry.protocol.interfaces.WlSurface.attach(surface, buffer, 0, 0);
        dev.ferry.protocol.interfaces.WlSurface.damageBuffer(surface, 0, 0, w, h);
        dev.ferry.protocol.interfaces.WlSurface.commit(surface);
    }

    /** Waits (bounded, real time) until the CRTC shows the scene: the last frame may still be in flight; a stale region never converges. */
    private static void assertShowsScene(Compositor c, String output, String step) throws InterruptedException {
        String[] why = {""};
        boolean same = FerryServer.eventually(Duration.ofSeconds(5), () -> (why[0] = VirtualKms.sceneMismatch(c, output)) == null);
        if (!same) fail(step + ": the CRTC does not show the scene: " + why[0]);
    }
}
