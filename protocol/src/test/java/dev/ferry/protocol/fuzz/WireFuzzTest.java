package dev.ferry.protocol.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import dev.ferry.posix.MessageSocket;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.UnixSockets;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.interfaces.WlShmPool;
import dev.ferry.protocol.loop.EventLoop;
import dev.ferry.protocol.server.Client;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of the wire decoder and message validation: whatever bytes a client
 * sends, the server answers (or disconnects) it within a bounded number of loop cycles, never
 * fails in its own code (an "implementation" error is a finding), and leaks no fd.
 *
 * <p>A plain test run replays the committed corpus (src/test/resources/.../WireFuzzTestInputs);
 * {@code scripts/fuzz} runs Jazzer's fuzzer (JAZZER_FUZZ=1).
 */
class WireFuzzTest {
    private static EventLoop loop;
    private static Display display;
    private static Arena arena;
    private static MemorySegment buffer;

    @BeforeAll
    static void start() throws Exception {
        loop = new EventLoop();
        display = new Display(loop);
        arena = Arena.ofShared();
        buffer = arena.allocate(1 << 16);
        // A global with requests that make objects, so inputs can reach beyond wl_display.
        WlShm.Requests shm = new WlShm.Requests() {
            @Override
            public void createPool(Resource self, int id, OwnedFd fd, int size) {
                fd.close();
                self.client().createResource(id, WlShmPool.INTERFACE, 1, null);
            }

            @Override
            public void release(Resource self) {
                self.destroy();
            }
        };
        display.addGlobal(WlShm.INTERFACE, 2, (client, version, id) -> client.createResource(id, WlShm.INTERFACE, version, shm));
    }

    @AfterAll
    static void stop() {
        display.close();
        loop.close();
        arena.close();
    }

    /**
     * Replays the committed corpus (the fuzzer's Inputs directory) in a plain test run, without
     * Jazzer's agent: loaded, it instruments every class the JVM loads after it, for all tests.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void corpusReplays(String name, byte[] input) throws Exception {
        anyBytesAreAnsweredOrRefusedWithoutFailingTheServer(input);
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> corpus() throws Exception {
        return JazzerCorpus.of(WireFuzzTest.class, "anyBytesAreAnsweredOrRefusedWithoutFailingTheServer");
    }

    /** The fuzzer itself (scripts/fuzz sets JAZZER_FUZZ), over the same corpus. */
    @FuzzTest(maxDuration = "30s")
    @EnabledIfEnvironmentVariable(named = "JAZZER_FUZZ", matches = ".+")
    void anyBytesAreAnsweredOrRefusedWithoutFailingTheServer(byte[] input) throws Exception {
        int fdsBefore = OwnedFd.liveCount();
        OwnedFd[] pair = UnixSockets.pair();
        Client server = display.addClient(pair[0]);
        try (MessageSocket peer = new MessageSocket(pair[1])) {
            int length = Math.min(input.length, (int) buffer.byteSize());
            MemorySegment.copy(input, 0, buffer, JAVA_BYTE, 0, length);
            if (length > 0) peer.send(buffer, 0, length, new int[0], 0);
            // Let the server take it all in (and answer what it will), reading what it says.
            for (int cycle = 0; cycle < 64 && !server.disconnected(); cycle++) {
                loop.dispatch(0);
                while (peer.receive(buffer, 0, buffer.byteSize(), dev.ferry.posix.Fds::closeRaw) > 0) { }
            }
        }
        // Hung up: the server must finish with what it has and let go.
        for (int cycle = 0; cycle < 10_000 && !server.disconnected(); cycle++) loop.dispatch(0);
        assertTrue(server.disconnected(), "the server never let the client go");
        String reason = server.disconnectReason();
        assertFalse(reason.startsWith("compositor failed") || reason.contains("compositor failed"), "the server failed: " + reason);
        for (int cycle = 0; cycle < 100 && display.clients().contains(server); cycle++) loop.dispatch(0);
        assertEquals(fdsBefore, OwnedFd.liveCount(), () -> "fds left open: " + OwnedFd.liveFds());
    }
}
