package dev.ferry.compositor.kms;

import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.FerryServer;
import dev.ferry.compositor.frame.ReferenceComposition;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.fail;

/** The invariant of every kms test here: what the fake CRTC scans out equals a from-scratch composition of the scene. */
final class SceneReadback {
    private SceneReadback() {}

    /**
     * Waits (bounded) until the output's CRTC read-back equals {@link ReferenceComposition} of the
     * scene, pixel for pixel: the last frame may still be in flight; a stale region never
     * converges and fails with where it is.
     */
    static void assertShowsScene(Compositor c, String output, String step) throws InterruptedException {
        String[] why = {""};
        boolean same = FerryServer.eventually(Duration.ofSeconds(5), () -> {
            Compositor.Screenshot shot = c.screenshot(output);
            int[] expected = c.onLoop(() -> ReferenceComposition.compose(c.scene(), c.scene().outputNamed(output)));
            int differ = 0, first = -1;
            for (int i = 0; i < expected.length; i++) {
                if (expected[i] != shot.pixels()[i]) {
                    if (first < 0) first = i;
                    differ++;
                }
            }
            if (differ == 0) return true;
            why[0] = differ + " pixels differ; first at (" + first % shot.width() + ", " + first / shot.width() + "): shown "
                    + Integer.toHexString(shot.pixels()[first]) + ", expected " + Integer.toHexString(expected[first]);
            return false;
        });
        if (!same) fail(step + ": the CRTC does not show the scene: " + why[0]);
    }
}
