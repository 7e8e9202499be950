package dev.ferry.compositor.plan;

import dev.ferry.compositor.core.RectSet;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.Plane;
import dev.ferry.drm.PlaneType;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The planner's decisions as a table: every reason produced by its condition and by no other.
 * Each row plans a scene where the condition holds and a twin that differs only there, which
 * must take the cheaper path. Planes are laptop-igpu's (primary without scaling or NV12, a
 * scaling NV12 overlay), with hand-made variants where a row needs a different plane.
 */
class FramePlannerTest {
    private static final int W = 1920, H = 1080;
    private static FakeKernel kernel;
    private static Plane primary;
    private static Plane overlay;
    private static final Object BUFFER = "the buffer";

    @BeforeAll
    static void planes() {
        kernel = FakeKernel.open("laptop-igpu");
        for (Plane p : kernel.devices().getFirst().planes()) {
            if ((p.possibleCrtcs() & 1) == 0) continue;
            if (p.type() == PlaneType.PRIMARY) primary = p;
            if (p.type() == PlaneType.OVERLAY) overlay = p;
        }
    }

    @AfterAll
    static void close() {
        kernel.close();
    }

    /** A scene: surfaces bottom to top, the planes, what was rejected, the previous plan; the row looks at surface `index`. */
    static final class Scene {
        final List<PlanSurface> surfaces = new ArrayList<>();
        Plane primaryPlane = primary;
        List<Plane> overlays = new ArrayList<>(List.of(overlay));
        PlaneRejections rejections = PlaneRejections.NONE;
        FramePlan previous;

        PlanSurface add(String key, int x, int y, int w, int h) {
            PlanSurface s = new PlanSurface().set(key, key.equals("subject") ? BUFFER : key + "-buffer", x, y, w, h);
            s.dmabuf = true;
            s.fourcc = Fourcc.XRGB8888;
            s.updateHz = 60;
            surfaces.add(s);
            return s;
        }

        FramePlan plan() {
            FramePlan out = new FramePlan();
            new FramePlanner().plan(surfaces.toArray(PlanSurface[]::new), surfaces.size(), W, H, primaryPlane, overlays,
                    rejections, previous, out);
            return out;
        }
    }

    record Row(String name, FallbackReason reason, PathKind cheaper, Consumer<Scene> bad, Consumer<Scene> good) {}

    /** The subject fullscreen: direct scanout unless the row's condition stops it. */
    private static PlanSurface fullscreen(Scene s) {
        return s.add("subject", 0, 0, W, H);
    }

    /** The subject as a 640x360 window at 100,100 at 60 Hz: an overlay unless the row's condition stops it. */
    private static PlanSurface windowed(Scene s) {
        return s.add("subject", 100, 100, 640, 360);
    }

    static List<Row> rows() {
        PathKind scanout = PathKind.DIRECT_SCANOUT, plane = PathKind.OVERLAY_PLANE;
        Plane fixedOverlay = new Plane(overlay.id(), PlaneType.OVERLAY, overlay.possibleCrtcs(), overlay.formats(),
                overlay.maxWidth(), overlay.maxHeight(), false, overlay.zpos());
        Plane smallOverlay = new Plane(overlay.id(), PlaneType.OVERLAY, overlay.possibleCrtcs(), overlay.formats(), 512, 512, true, overlay.zpos());
        Plane smallPrimary = new Plane(primary.id(), PlaneType.PRIMARY, primary.possibleCrtcs(), primary.formats(), 1024, 1024, false, 0);
        // The cursor plane's formats (ARGB8888, LINEAR only) on an overlay-like plane: no implicit modifier.
        Plane cursor = kernel.devices().getFirst().planes().stream().filter(p -> p.type() == PlaneType.CURSOR).findFirst().orElseThrow();
        Plane linearOnly = new Plane(overlay.id(), PlaneType.OVERLAY, overlay.possibleCrtcs(), cursor.formats(), 4096, 4096, true, overlay.zpos());
        long unknownModifier = 0x0200000000000042L;
        return List.of(
            // ---- the primary plane: a fullscreen subject ----
            new Row("primary: not fullscreen", FallbackReason.NOT_FULLSCREEN, scanout,
                    s -> s.add("subject", 0, 0, W - 1, H), s -> fullscreen(s)),
            new Row("primary: subsurfaces", FallbackReason.CURSOR_OR_SUBSURFACE, scanout,
                    s -> fullscreen(s).treeSize = 2, s -> fullscreen(s).treeSize = 1),
            new Row("primary: shm", FallbackReason.SHM_BUFFER, scanout,
                    s -> fullscreen(s).dmabuf = false, s -> fullscreen(s).dmabuf = true),
            new Row("primary: transformed", FallbackReason.TRANSFORMED, scanout,
                    s -> fullscreen(s).transform = 1, s -> fullscreen(s).transform = 0),
            new Row("primary: scaled", FallbackReason.SCALED, scanout,
                    s -> { PlanSurface p = fullscreen(s); p.scaled = true; p.bufferWidth = p.srcWidth = 1280; p.bufferHeight = p.srcHeight = 720; },
                    s -> fullscreen(s).scaled = false),
            new Row("primary: translucent", FallbackReason.TRANSLUCENT, scanout,
                    s -> { PlanSurface p = fullscreen(s); p.fourcc = Fourcc.ARGB8888; p.alpha = true; },
                    s -> { PlanSurface p = fullscreen(s); p.fourcc = Fourcc.ARGB8888; p.alpha = true; p.opaque = RectSet.of(0, 0, W, H); }),
            new Row("primary: too big", FallbackReason.TOO_BIG, scanout,
                    s -> { fullscreen(s); s.primaryPlane = smallPrimary; }, s -> fullscreen(s)),
            new Row("primary: format", FallbackReason.FORMAT_NOT_ON_PLANE, scanout,
                    s -> fullscreen(s).fourcc = Fourcc.NV12, s -> fullscreen(s).fourcc = Fourcc.XRGB8888),
            new Row("primary: implicit modifier", FallbackReason.IMPLICIT_MODIFIER, scanout,
                    s -> fullscreen(s).modifier = Modifiers.INVALID, s -> fullscreen(s).modifier = Modifiers.FAKE_TILED_4X4),
            new Row("primary: modifier", FallbackReason.MODIFIER_NOT_ON_PLANE, scanout,
                    s -> fullscreen(s).modifier = unknownModifier, s -> fullscreen(s).modifier = Modifiers.LINEAR),
            new Row("primary: flip failed before", FallbackReason.FLIP_FAILED, scanout,
                    s -> { fullscreen(s); s.rejections = (b, p) -> b == BUFFER && p == primary ? FallbackReason.FLIP_FAILED : null; },
                    s -> fullscreen(s)),
            // ---- overlays: a windowed subject ----
            new Row("overlay: shm", FallbackReason.SHM_BUFFER, plane,
                    s -> windowed(s).dmabuf = false, s -> windowed(s)),
            new Row("overlay: subsurfaces", FallbackReason.CURSOR_OR_SUBSURFACE, plane,
                    s -> windowed(s).treeSize = 3, s -> windowed(s)),
            new Row("overlay: transformed", FallbackReason.TRANSFORMED, plane,
                    s -> windowed(s).transform = 3, s -> windowed(s)),
            new Row("overlay: translucent", FallbackReason.TRANSLUCENT, plane,
                    s -> { PlanSurface p = windowed(s); p.fourcc = Fourcc.ARGB8888; p.alpha = true; p.opaque = RectSet.of(0, 0, 10, 10); },
                    s -> { PlanSurface p = windowed(s); p.fourcc = Fourcc.ARGB8888; p.alpha = true; p.opaque = RectSet.of(0, 0, 640, 360); }),
            new Row("overlay: a surface above overlaps it", FallbackReason.OCCLUDED, plane,
                    s -> { windowed(s); s.add("window above", 700, 400, 200, 200).dmabuf = false; },
                    s -> { windowed(s); s.add("window above", 800, 500, 200, 200).dmabuf = false; }),
            new Row("overlay: not updating", FallbackReason.NOT_UPDATING, plane,
                    s -> windowed(s).updateHz = FramePlanner.ENTER_HZ - 1, s -> windowed(s).updateHz = FramePlanner.ENTER_HZ),
            new Row("overlay: scaled on a plane that cannot scale", FallbackReason.SCALED, plane,
                    s -> { PlanSurface p = windowed(s); p.scaled = true; p.bufferWidth = p.srcWidth = 1920; p.bufferHeight = p.srcHeight = 1080; s.overlays = List.of(fixedOverlay); },
                    s -> { PlanSurface p = windowed(s); p.scaled = true; p.bufferWidth = p.srcWidth = 1920; p.bufferHeight = p.srcHeight = 1080; }),
            new Row("overlay: too big", FallbackReason.TOO_BIG, plane,
                    s -> { windowed(s); s.overlays = List.of(smallOverlay); },
                    s -> { PlanSurface p = windowed(s); p.width = p.bufferWidth = p.srcWidth = 500; s.overlays = List.of(smallOverlay); }),
            new Row("overlay: format", FallbackReason.FORMAT_NOT_ON_PLANE, plane,
                    s -> windowed(s).fourcc = Fourcc.XRGB2101010, s -> windowed(s).fourcc = Fourcc.NV12),
            new Row("overlay: implicit modifier", FallbackReason.IMPLICIT_MODIFIER, plane,
                    s -> { PlanSurface p = windowed(s); p.fourcc = Fourcc.ARGB8888; p.alpha = true; p.opaque = RectSet.of(0, 0, 640, 360); p.modifier = Modifiers.INVALID; s.overlays = List.of(linearOnly); },
                    s -> { PlanSurface p = windowed(s); p.fourcc = Fourcc.ARGB8888; p.alpha = true; p.opaque = RectSet.of(0, 0, 640, 360); s.overlays = List.of(linearOnly); }),
            // One rule for both planes: laptop-igpu's overlay lists INVALID in its table, as its primary does, and both refuse it.
            new Row("overlay: implicit modifier on a plane whose table lists INVALID", FallbackReason.IMPLICIT_MODIFIER, plane,
                    s -> windowed(s).modifier = Modifiers.INVALID, s -> windowed(s).modifier = Modifiers.FAKE_TILED_4X4),
            new Row("overlay: modifier", FallbackReason.MODIFIER_NOT_ON_PLANE, plane,
                    s -> windowed(s).modifier = Modifiers.FAKE_TILED_16X16_COLUMN, s -> windowed(s).modifier = Modifiers.FAKE_TILED_4X4),
            new Row("overlay: refused by a test commit before", FallbackReason.REJECTED_BEFORE, plane,
                    s -> { windowed(s); s.rejections = (b, p) -> b == BUFFER && p.id() == overlay.id() ? FallbackReason.TEST_COMMIT_REJECTED : null; },
                    s -> windowed(s)),
            // A remembered refusal with a cause in the buffer keeps naming it (weston-simple-shm's 1000-byte pitch), not "not retried".
            new Row("overlay: refused for its pitch before", FallbackReason.PITCH_NOT_ALIGNED, plane,
                    s -> { windowed(s); s.rejections = (b, p) -> b == BUFFER && p.id() == overlay.id() ? FallbackReason.PITCH_NOT_ALIGNED : null; },
                    s -> windowed(s)),
            new Row("overlay: the only plane is taken by a bigger video", FallbackReason.NO_FREE_PLANE, plane,
                    s -> { windowed(s); s.add("bigger video", 900, 500, 960, 540); },
                    s -> { windowed(s); s.add("bigger video", 900, 500, 960, 540);
                           s.overlays.add(new Plane(overlay.id() + 1000, PlaneType.OVERLAY, 1, overlay.formats(), overlay.maxWidth(), overlay.maxHeight(), true, 2)); })
        );
    }

    @TestFactory
    Stream<DynamicTest> eachReasonComesFromItsConditionAlone() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            Scene bad = new Scene();
            row.bad().accept(bad);
            FramePlan badPlan = bad.plan();
            int i = badPlan.indexOf("subject");
            assertTrue(badPlan.reasons(i).contains(row.reason()), row.name() + ": " + badPlan);
            assertTrue(badPlan.path(i).ordinal() > row.cheaper().ordinal(), row.name() + ": took no cheaper path: " + badPlan);
            Scene good = new Scene();
            row.good().accept(good);
            FramePlan goodPlan = good.plan();
            int j = goodPlan.indexOf("subject");
            assertEquals(row.cheaper(), goodPlan.path(j), row.name() + " (twin): " + goodPlan);
            assertFalse(goodPlan.reasons(j).contains(row.reason()), row.name() + " (twin): " + goodPlan);
        }));
    }

    /** Feedback's half of the overlay rows: which composed windows an overlay would show with a buffer allocated for it. */
    @Test
    void aWindowMissingTheOverlayOnlyForItsAllocationNamesThatOverlay() {
        Scene tiled = new Scene();
        windowed(tiled).modifier = Modifiers.FAKE_TILED_16X16_COLUMN;
        FramePlan plan = tiled.plan();
        assertEquals(PathKind.GPU_COMPOSITION, plan.path(0), plan.toString());
        assertEquals(overlay, plan.reallocationPlane(0), "a modifier the overlay lacks: reallocating fixes it");
        Scene implicit = new Scene();
        windowed(implicit).modifier = Modifiers.INVALID;
        assertEquals(overlay, implicit.plan().reallocationPlane(0), "an implicit modifier: so does an explicit one");
        Scene refused = new Scene();
        windowed(refused);
        refused.rejections = (b, p) -> b == BUFFER && p.id() == overlay.id() ? FallbackReason.TEST_COMMIT_REJECTED : null;
        assertEquals(overlay, refused.plan().reallocationPlane(0), "a buffer a test commit refused: another may pass");
        // The twins: the same allocation miss, plus a structural one; no overlay is named.
        List<Consumer<Scene>> structural = List.of(
                s -> s.add("window above", 700, 400, 200, 200).dmabuf = false,
                s -> s.surfaces.getFirst().updateHz = FramePlanner.ENTER_HZ - 1,
                s -> s.surfaces.getFirst().transform = 1,
                s -> s.surfaces.getFirst().treeSize = 2,
                s -> s.add("bigger video", 900, 500, 960, 540),
                s -> s.overlays = List.of(new Plane(overlay.id(), PlaneType.OVERLAY, 1, overlay.formats(), 512, 512, true, 1)));
        for (int k = 0; k < structural.size(); k++) {
            Scene s = new Scene();
            windowed(s).modifier = Modifiers.FAKE_TILED_16X16_COLUMN;
            structural.get(k).accept(s);
            FramePlan p = s.plan();
            assertEquals(null, p.reallocationPlane(p.indexOf("subject")), "structural twin " + k + ": " + p);
        }
        Scene onIt = new Scene();
        windowed(onIt);
        FramePlan on = onIt.plan();
        assertEquals(PathKind.OVERLAY_PLANE, on.path(0));
        assertEquals(null, on.reallocationPlane(0), "already on the overlay");
        on.dropOverlay(0, FallbackReason.TEST_COMMIT_REJECTED);
        assertEquals(overlay, on.reallocationPlane(0), "dropped after a refused test commit");
    }

    @Test
    void theCursorTakesTheCursorPlaneAndLeavesTheVideoUnderItScannedOut() {
        Plane cursorPlane = kernel.devices().getFirst().planes().stream().filter(p -> p.type() == PlaneType.CURSOR).findFirst().orElseThrow();
        for (int size : new int[] {64, 300}) {
            Scene s = new Scene();
            fullscreen(s);
            PlanSurface c = s.add("cursor", 500, 400, size, size);
            c.cursor = true;
            c.fourcc = Fourcc.ARGB8888;
            c.alpha = true;
            FramePlan plan = new FramePlan();
            new FramePlanner().plan(s.surfaces.toArray(PlanSurface[]::new), 2, W, H, primary, s.overlays, cursorPlane,
                    PlaneRejections.NONE, null, plan);
            if (size == 64) {
                assertEquals(1, plan.cursorSurface(), plan.toString());
                assertEquals(PathKind.OVERLAY_PLANE, plan.path(1), plan.toString());
                assertEquals(PathKind.DIRECT_SCANOUT, plan.path(0), "the video under the cursor plane: " + plan);
            } else {
                // The twin: only the size differs, and the plane stops at 256x256.
                assertEquals(FramePlan.NONE, plan.cursorSurface(), plan.toString());
                assertTrue(plan.reasons(1).contains(FallbackReason.TOO_BIG), plan.toString());
                assertEquals(PathKind.GPU_COMPOSITION, plan.path(1), plan.toString());
                assertEquals(PathKind.GPU_COMPOSITION, plan.path(0), "composed under a composed cursor: " + plan);
            }
        }
        Scene none = new Scene();
        fullscreen(none);
        PlanSurface c = none.add("cursor", 500, 400, 64, 64);
        c.cursor = true;
        FramePlan plan = none.plan();
        assertTrue(plan.reasons(1).contains(FallbackReason.NO_FREE_PLANE), "no cursor plane: " + plan);
    }

    @Test
    void aFullscreenVideoUnderASmallWindowIsShownNotOccluded() {
        // What laptop-igpu showed: a 640x360 window over a fullscreen video; both are on screen.
        Scene s = new Scene();
        s.add("video", 0, 0, W, H).updateHz = 60;
        PlanSurface window = s.add("window", 200, 200, 640, 360);
        window.dmabuf = false;
        FramePlan plan = s.plan();
        assertEquals(PathKind.GPU_COMPOSITION, plan.path(0), plan.toString());
        assertTrue(plan.reasons(0).contains(FallbackReason.OCCLUDED), "partly covered: not scanned out, not on the overlay: " + plan);
        assertEquals(PathKind.GPU_COMPOSITION, plan.path(1), plan.toString());
        assertEquals(FramePlan.NONE, plan.scanoutSurface());
        assertEquals(0, plan.overlayCount(), "the video is under a composed window: no overlay for it");
    }

    @Test
    void aSurfaceIsOccludedOnlyWhereOpaqueSurfacesAboveCoverAllOfIt() {
        Scene s = new Scene();
        s.add("under", 100, 100, 400, 200).dmabuf = false;
        s.add("left", 0, 0, 300, 1080).dmabuf = false;
        PlanSurface right = s.add("right", 300, 0, 300, 1080);
        right.dmabuf = false;
        FramePlan covered = s.plan();
        assertEquals(PathKind.NOT_SHOWN, covered.path(0), "two opaque windows cover it together: " + covered);
        assertTrue(covered.reasons(0).contains(FallbackReason.OCCLUDED));
        // The same, with the right one translucent: the lower window shows through it.
        right.alpha = true;
        right.fourcc = Fourcc.ARGB8888;
        FramePlan through = s.plan();
        assertEquals(PathKind.GPU_COMPOSITION, through.path(0), through.toString());
        // Or with its opaque region leaving one pixel of the lower window uncovered.
        right.opaque = RectSet.of(0, 0, 300, 1080).subtract(150, 150, 1, 1);
        assertEquals(PathKind.GPU_COMPOSITION, s.plan().path(0));
        right.opaque = RectSet.of(0, 0, 300, 1080);
        assertEquals(PathKind.NOT_SHOWN, s.plan().path(0));
    }

    /** The planner's own rectangle cutting against RectSet's region arithmetic, on random stacks of opaque windows. */
    @Test
    void occlusionAgreesWithRegionArithmeticOnRandomStacks() {
        java.util.Random rnd = new java.util.Random(11);
        FramePlanner planner = new FramePlanner();
        FramePlan out = new FramePlan();
        int hidden = 0;
        for (int trial = 0; trial < 400; trial++) {
            int n = 2 + rnd.nextInt(10);
            PlanSurface[] in = new PlanSurface[n];
            for (int i = 0; i < n; i++) {
                int w = 20 + rnd.nextInt(300), h = 20 + rnd.nextInt(300);
                in[i] = new PlanSurface().set("s" + i, null, rnd.nextInt(400) - 50, rnd.nextInt(300) - 50, w, h);
            }
            planner.plan(in, n, 400, 300, primary, List.of(), PlaneRejections.NONE, null, out);
            for (int i = 0; i < n; i++) {
                PlanSurface s = in[i];
                int x0 = Math.max(0, s.x), y0 = Math.max(0, s.y), x1 = Math.min(400, s.x + s.width), y1 = Math.min(300, s.y + s.height);
                RectSet left = x1 > x0 && y1 > y0 ? RectSet.of(x0, y0, x1 - x0, y1 - y0) : RectSet.EMPTY;
                for (int j = i + 1; j < n; j++) left = left.subtract(in[j].x, in[j].y, in[j].width, in[j].height);
                boolean expectHidden = left.isEmpty();
                if (expectHidden) hidden++;
                assertEquals(expectHidden, out.path(i) == PathKind.NOT_SHOWN, "trial " + trial + " surface " + i + ": " + out);
            }
        }
        assertTrue(hidden > 100, "the stacks hide surfaces often enough to test: " + hidden);
    }

    @Test
    void theUpperOfTwoOverlappingVideosTakesTheOverlayAndTheLowerIsComposedWithItsReason() {
        Scene s = new Scene();
        s.add("lower", 100, 100, 800, 450);
        s.add("upper", 500, 300, 800, 450);
        FramePlan plan = s.plan();
        assertEquals(PathKind.GPU_COMPOSITION, plan.path(0), plan.toString());
        assertTrue(plan.reasons(0).contains(FallbackReason.OCCLUDED), plan.toString());
        assertEquals(PathKind.OVERLAY_PLANE, plan.path(1), plan.toString());
        assertEquals(1, plan.overlaySurface(0));
    }

    @Test
    void overlayRateHasHysteresis() {
        Scene s = new Scene();
        PlanSurface v = windowed(s);
        v.updateHz = (FramePlanner.ENTER_HZ + FramePlanner.LEAVE_HZ) / 2;
        assertEquals(PathKind.GPU_COMPOSITION, s.plan().path(0), "below the rate to enter");
        v.updateHz = FramePlanner.ENTER_HZ;
        FramePlan on = s.plan();
        assertEquals(PathKind.OVERLAY_PLANE, on.path(0));
        s.previous = on;
        v.updateHz = (FramePlanner.ENTER_HZ + FramePlanner.LEAVE_HZ) / 2;
        assertEquals(PathKind.OVERLAY_PLANE, s.plan().path(0), "already on it: kept above the rate to leave");
        v.updateHz = FramePlanner.LEAVE_HZ - 1;
        FramePlan off = s.plan();
        assertEquals(PathKind.GPU_COMPOSITION, off.path(0));
        assertTrue(off.reasons(0).contains(FallbackReason.NOT_UPDATING), off.toString());
    }

    @Test
    void anOverlayStaysWithItsSurfaceUnlessANewcomerIsWorthMuchMore() {
        Scene s = new Scene();
        PlanSurface a = s.add("a", 0, 0, 640, 360);
        PlanSurface b = s.add("b", 1000, 500, 640, 360);
        b.updateHz = 50;
        FramePlan first = s.plan();
        assertEquals(0, first.overlaySurface(0), "a: the same area at a higher rate");
        s.previous = first;
        b.updateHz = 60;
        a.updateHz = 50;
        assertEquals(0, s.plan().overlaySurface(0), "b now slightly better: a keeps the plane");
        b.x = 600;
        b.y = 360;
        b.width = b.bufferWidth = b.srcWidth = 1280;
        b.height = b.bufferHeight = b.srcHeight = 720;
        assertEquals(1, s.plan().overlaySurface(0), "b is worth more than twice as much: it takes the plane");
    }

    @Test
    void droppingTheLeastBenefitComposesItWithTheReason() {
        Scene s = new Scene();
        s.add("small", 0, 0, 320, 180);
        s.add("big", 1000, 500, 900, 500);
        s.overlays.add(new Plane(overlay.id() + 1000, PlaneType.OVERLAY, 1, overlay.formats(), overlay.maxWidth(), overlay.maxHeight(), true, 2));
        FramePlan plan = s.plan();
        assertEquals(2, plan.overlayCount(), plan.toString());
        assertEquals(1, plan.overlaySurface(0), "the bigger benefit is placed first");
        int least = plan.leastBenefit();
        assertEquals(0, plan.overlaySurface(least));
        plan.dropOverlay(least, FallbackReason.TEST_COMMIT_REJECTED);
        assertEquals(1, plan.overlayCount());
        assertEquals(PathKind.GPU_COMPOSITION, plan.path(0));
        assertTrue(plan.reasons(0).contains(FallbackReason.TEST_COMMIT_REJECTED));
    }

    /** What the JMH benchmark shows (0 B/op), checked on every build: overlapping cascades of 8 and 32 windows plan without allocating. */
    @Test
    void steadyStatePlanningOfOverlappingCascadesAllocatesNothing() {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int n : new int[] {1, 8, 32}) {
            Scene s = new Scene();
            for (int i = 0; i < n; i++) s.add("w" + i, 40 + 30 * i % 1200, 40 + 20 * i % 600, 640, 360);
            PlanSurface[] in = s.surfaces.toArray(PlanSurface[]::new);
            FramePlanner planner = new FramePlanner();
            FramePlan a = new FramePlan(), b = new FramePlan();
            for (int i = 0; i < 200; i++) {
                planner.plan(in, n, W, H, primary, s.overlays, PlaneRejections.NONE, a, b);
                FramePlan t = a;
                a = b;
                b = t;
            }
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 1000; i++) {
                planner.plan(in, n, W, H, primary, s.overlays, PlaneRejections.NONE, a, b);
                FramePlan t = a;
                a = b;
                b = t;
            }
            long bytes = mx.getCurrentThreadAllocatedBytes() - before;
            // The counter itself may take a few bytes; a frame that allocated would show hundreds.
            assertTrue(bytes < 1000, n + " surfaces: " + bytes + " bytes over 1000 frames");
        }
    }

    @Test
    void steadyStatePlanningReusesItsPlan() {
        Scene s = new Scene();
        for (int i = 0; i < 8; i++) s.add("w" + i, 60 * i, 40 * i, 300, 200);
        PlanSurface[] in = s.surfaces.toArray(PlanSurface[]::new);
        FramePlanner planner = new FramePlanner();
        FramePlan a = new FramePlan(), b = new FramePlan();
        planner.plan(in, in.length, W, H, primary, s.overlays, PlaneRejections.NONE, null, a);
        planner.plan(in, in.length, W, H, primary, s.overlays, PlaneRejections.NONE, a, b);
        String first = b.toString();
        planner.plan(in, in.length, W, H, primary, s.overlays, PlaneRejections.NONE, b, a);
        assertEquals(first, a.toString(), "the same inputs, the same plan");
    }
}
