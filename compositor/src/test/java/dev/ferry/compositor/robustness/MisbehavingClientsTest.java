package dev.ferry.compositor.robustness;

import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.FerryServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static dev.ferry.compositor.robustness.RawWaylandSocket.concat;
import static dev.ferry.compositor.robustness.RawWaylandSocket.join;
import static dev.ferry.compositor.robustness.RawWaylandSocket.message;
import static dev.ferry.compositor.robustness.RawWaylandSocket.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client sending malformed messages gets wl_display.error with libwayland's code and is
 * disconnected, while a well-behaved client drawing at the same time keeps getting frame
 * callbacks.
 */
class MisbehavingClientsTest {
    private static final int INVALID_OBJECT = 0;
    private static final int INVALID_METHOD = 1;
    private static FerryServer ferry;
    private static WaylandClient good;
    private static ShmWindow window;

    @BeforeAll
    static void start() throws Exception {
        ferry = new FerryServer("cpu");
        good = WaylandClient.connect(ferry.runtimeDir().resolve(ferry.socketName()).toString());
        window = new ShmWindow(good, "well-behaved", 64, 64, true);
        assertTrue(window.draw(ShmWindow.fill(0x00ff00)));
        assertTrue(window.awaitFrame(2000), "first frame callback");
    }

    @AfterAll
    static void stop() throws Exception {
        window.close();
        good.close();
        ferry.close();
    }

    static Stream<Arguments> malformed() {
        // wl_display@1: 0 sync(new_id), 1 get_registry(new_id). wl_registry: 0 bind(name, string, version, new_id).
        int shmName = 3; // wl_compositor, wl_subcompositor, wl_shm: the third global
        return Stream.of(
                Arguments.of("unknown object", message(77, 0, -1, 2), INVALID_OBJECT),
                Arguments.of("opcode out of range", message(1, 9, -1, 2), INVALID_METHOD),
                Arguments.of("size below 8", message(1, 0, 4, 2), INVALID_METHOD),
                Arguments.of("string running past the message", join(
                        message(1, 1, -1, 2),
                        message(2, 0, -1, concat(new int[] {shmName}, new int[] {200}, new int[] {0x6c775f73}, new int[] {1, 3}))),
                        INVALID_METHOD),
                Arguments.of("string without NUL", join(
                        message(1, 1, -1, 2),
                        message(2, 0, -1, concat(new int[] {shmName}, string("wl_shm", false), new int[] {1, 3}))),
                        INVALID_METHOD),
                Arguments.of("reused new_id", join(message(1, 1, -1, 2), message(1, 1, -1, 2)), INVALID_METHOD),
                Arguments.of("new_id skipping ahead", message(1, 0, -1, 1000), INVALID_METHOD),
                Arguments.of("request with a missing fd", join(
                        message(1, 1, -1, 2),
                        message(2, 0, -1, concat(new int[] {shmName}, string("wl_shm", true), new int[] {1, 3})),
                        message(3, 0, -1, 4, 4096)),
                        INVALID_METHOD),
                Arguments.of("request above the bound version", join(
                        message(1, 1, -1, 2),
                        message(2, 0, -1, concat(new int[] {shmName}, string("wl_shm", true), new int[] {1, 3})),
                        message(3, 1, -1)), // wl_shm.release is version 2
                        INVALID_METHOD));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedMessageIsAProtocolErrorForThatClientAlone(String what, byte[] bytes, int code) throws Exception {
        int clientsBefore = ferry.compositor().onLoop(() -> ferry.compositor().display().clients().size());
        try (RawWaylandSocket bad = new RawWaylandSocket(ferry.runtimeDir().resolve(ferry.socketName()))) {
            bad.send(bytes);
            byte[] answer = bad.readUntilClosed();
            RawWaylandSocket.DisplayError error = RawWaylandSocket.findError(answer);
            assertNotNull(error, what + ": no wl_display.error before the disconnect");
            assertEquals(code, error.code(), what + ": " + error.message());
        }
        assertTrue(FerryServer.eventually(java.time.Duration.ofSeconds(2),
                () -> ferry.compositor().onLoop(() -> ferry.compositor().display().clients().size()) == clientsBefore),
                what + ": the bad client's state was not released");
        // The good client draws on, and its frames keep being answered.
        for (int i = 0; i < 3; i++) {
            assertTrue(window.draw(ShmWindow.fill(0x0000ff * (i + 1))) || window.awaitFrame(1000));
            assertTrue(window.awaitFrame(2000), what + ": the well-behaved client stopped getting frame callbacks");
        }
    }
}
