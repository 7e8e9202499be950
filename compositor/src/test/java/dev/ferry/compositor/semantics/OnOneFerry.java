package dev.ferry.compositor.semantics;

import dev.ferry.compositor.FerryServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The semantics tests' shared set-up: one headless Ferry (CPU renderer, one 640x480 output) per
 * test class, started before its first test and closed after its last. Each test opens its own
 * clients, so the tests of a class do not see each other's windows once those are closed.
 *
 * <p>The field is static and shared by every subclass: JUnit runs this module's test classes one
 * after another, never concurrently, so each class has it to itself between its hooks.
 */
abstract class OnOneFerry {
    protected static FerryServer ferry;

    @BeforeAll
    static void startFerry() throws Exception {
        ferry = new FerryServer("cpu", 1, 640, 480);
    }

    @AfterAll
    static void stopFerry() throws Exception {
        ferry.close();
        ferry = null;
    }
}
