package dev.ferry.compositor.semantics;

import dev.ferry.compositor.scene.Window;
import dev.ferry.compositor.semantics.TestClient.Toplevel;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlSubcompositor;
import dev.ferry.protocol.interfaces.WlSubsurface;
import dev.ferry.protocol.interfaces.WlSurface;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.ferry.compositor.semantics.TestClient.BLUE;
import static dev.ferry.compositor.semantics.TestClient.GREEN;
import static dev.ferry.compositor.semantics.TestClient.RED;
import static dev.ferry.compositor.semantics.TestClient.YELLOW;
import static dev.ferry.compositor.semantics.TestClient.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Subsurfaces on a real Ferry: synchronized commits wait for the parent's, desynchronized ones
 * do not, position and stacking are parent state, and the role rules are enforced.
 */
@Timeout(60)
class SubsurfaceTest extends OnOneFerry {
    @Test
    void synchronizedCommitIsCachedUntilTheParentCommitsAndDesyncAppliesAtOnce() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel parent = c.mappedToplevel("sync-parent", 100, 100, RED);
            Window w = ferry.window("sync-parent");
            int px = w.x() + 15, py = w.y() + 15;
            Proxy child = c.surface();
            Proxy sub = WlSubcompositor.getSubsurface(c.subcompositor, child, parent.surface);
            WlSubsurface.setPosition(sub, 10, 10);
            c.commitBuffer(child, c.solid(20, 20, BLUE));
            assertEquals(hex(RED), hex(c.settledScreenshot().at(px, py)), "a synchronized child's commit showed before the parent's");
            WlSurface.commit(parent.surface);
            assertEquals(hex(BLUE), hex(c.awaitPixel(px, py, BLUE)), "the parent's commit did not apply the cached child state");

            // A second cached commit, then set_desync: the cache is applied without any commit.
            c.commitBuffer(child, c.solid(20, 20, YELLOW));
            assertEquals(hex(BLUE), hex(c.settledScreenshot().at(px, py)), "the second synchronized commit showed early");
            WlSubsurface.setDesync(sub);
            assertEquals(hex(YELLOW), hex(c.awaitPixel(px, py, YELLOW)), "set_desync did not apply the cached state");

            // Desynchronized: a commit applies at once.
            c.commitBuffer(child, c.solid(20, 20, GREEN));
            assertEquals(hex(GREEN), hex(c.awaitPixel(px, py, GREEN)), "a desynchronized commit did not apply");
        }
    }

    @Test
    void setPositionTakesEffectOnTheParentsCommit() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel parent = c.mappedToplevel("position-parent", 100, 100, RED);
            Window w = ferry.window("position-parent");
            Proxy child = c.surface();
            Proxy sub = WlSubcompositor.getSubsurface(c.subcompositor, child, parent.surface);
            WlSubsurface.setDesync(sub);
            c.commitBuffer(child, c.solid(20, 20, BLUE));
            WlSurface.commit(parent.surface);
            assertEquals(hex(BLUE), hex(c.awaitPixel(w.x() + 5, w.y() + 5, BLUE)), "child at (0,0)");
            WlSubsurface.setPosition(sub, 50, 50);
            WlSurface.commit(child); // a desynchronized child's own commit does not move it
            assertEquals(hex(BLUE), hex(c.settledScreenshot().at(w.x() + 5, w.y() + 5)), "set_position applied before the parent's commit");
            WlSurface.commit(parent.surface);
            assertEquals(hex(BLUE), hex(c.awaitPixel(w.x() + 55, w.y() + 55, BLUE)), "child not at (50,50) after the parent's commit");
            assertEquals(hex(RED), hex(c.awaitPixel(w.x() + 5, w.y() + 5, RED)), "the child's old place must show the parent again");
        }
    }

    @Test
    void placeAboveAndBelowRestackOnTheParentsCommit() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel parent = c.mappedToplevel("stack-parent", 100, 100, RED);
            Window w = ferry.window("stack-parent");
            int px = w.x() + 30, py = w.y() + 30;
            Proxy a = c.surface(), b = c.surface();
            Proxy subA = WlSubcompositor.getSubsurface(c.subcompositor, a, parent.surface);
            Proxy subB = WlSubcompositor.getSubsurface(c.subcompositor, b, parent.surface);
            WlSubsurface.setPosition(subA, 20, 20);
            WlSubsurface.setPosition(subB, 20, 20);
            c.commitBuffer(a, c.solid(40, 40, BLUE));
            c.commitBuffer(b, c.solid(40, 40, GREEN));
            WlSurface.commit(parent.surface);
            assertEquals(hex(GREEN), hex(c.awaitPixel(px, py, GREEN)), "the newer subsurface starts on top");

            WlSubsurface.placeBelow(subB, a);
            assertEquals(hex(GREEN), hex(c.settledScreenshot().at(px, py)), "place_below applied before the parent's commit");
            WlSurface.commit(parent.surface);
            assertEquals(hex(BLUE), hex(c.awaitPixel(px, py, BLUE)), "place_below(b, a) did not put b under a");

            WlSubsurface.placeAbove(subB, a);
            WlSurface.commit(parent.surface);
            assertEquals(hex(GREEN), hex(c.awaitPixel(px, py, GREEN)), "place_above(b, a) did not put b over a");

            // Below the parent itself: hidden where the parent is opaque.
            WlSubsurface.placeBelow(subB, parent.surface);
            WlSubsurface.placeBelow(subA, parent.surface);
            WlSurface.commit(parent.surface);
            assertEquals(hex(RED), hex(c.awaitPixel(px, py, RED)), "subsurfaces placed below the parent still show over it");
        }
    }

    @Test
    void aChildUnmappedByANullBufferOrDestroyedRoleLeavesNoPixelsBehind() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel parent = c.mappedToplevel("unmap-parent", 100, 100, RED);
            Window w = ferry.window("unmap-parent");
            Proxy a = c.surface(), b = c.surface();
            Proxy subA = WlSubcompositor.getSubsurface(c.subcompositor, a, parent.surface);
            Proxy subB = WlSubcompositor.getSubsurface(c.subcompositor, b, parent.surface);
            WlSubsurface.setDesync(subA);
            WlSubsurface.setDesync(subB);
            WlSubsurface.setPosition(subB, 50, 50);
            c.commitBuffer(a, c.solid(20, 20, BLUE));
            c.commitBuffer(b, c.solid(20, 20, GREEN));
            WlSurface.commit(parent.surface);
            assertEquals(hex(BLUE), hex(c.awaitPixel(w.x() + 5, w.y() + 5, BLUE)));
            assertEquals(hex(GREEN), hex(c.awaitPixel(w.x() + 55, w.y() + 55, GREEN)));
            WlSurface.attach(a, null, 0, 0);
            WlSurface.commit(a);
            assertEquals(hex(RED), hex(c.awaitPixel(w.x() + 5, w.y() + 5, RED)), "a child unmapped by a null buffer still shows");
            WlSubsurface.destroy(subB);
            assertEquals(hex(RED), hex(c.awaitPixel(w.x() + 55, w.y() + 55, RED)), "a child whose wl_subsurface is destroyed still shows");
        }
    }

    @Test
    void aSurfaceCannotBeItsOwnParent() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Proxy s = c.surface();
            WlSubcompositor.getSubsurface(c.subcompositor, s, s);
            c.expectError(c.subcompositor, WlSubcompositor.ERROR_BAD_PARENT);
        }
    }

    @Test
    void aDescendantCannotBeTheParent() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Proxy top = c.surface(), mid = c.surface(), leaf = c.surface();
            WlSubcompositor.getSubsurface(c.subcompositor, mid, top);
            WlSubcompositor.getSubsurface(c.subcompositor, leaf, mid);
            c.roundtrip();
            WlSubcompositor.getSubsurface(c.subcompositor, top, leaf);
            c.expectError(c.subcompositor, WlSubcompositor.ERROR_BAD_PARENT);
        }
    }

    @Test
    void aSurfaceWithAnotherRoleCannotBecomeASubsurface() throws Exception {
        try (TestClient c = new TestClient(ferry)) {
            Toplevel t = c.toplevel("has-a-role");
            WlSubcompositor.getSubsurface(c.subcompositor, t.surface, c.surface());
            c.expectError(c.subcompositor, WlSubcompositor.ERROR_BAD_SURFACE);
        }
    }
}
