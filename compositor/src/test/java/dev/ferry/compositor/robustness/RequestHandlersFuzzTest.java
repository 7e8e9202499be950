package dev.ferry.compositor.robustness;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import dev.ferry.compositor.FerryServer;
import dev.ferry.protocol.fuzz.JazzerCorpus;
import dev.ferry.protocol.server.Client;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of every request handler of a running compositor: each input is a
 * new client that binds every global (ids 3 and up, each at its advertised version, in the
 * order the registry lists them), sends the input's bytes and hangs up. Whatever it sent, the
 * compositor must let it go within seconds, and never fail in its own code doing so (an
 * "implementation" error, "compositor failed ...", is a finding); the compositor's loop must
 * still answer.
 *
 * <p>A plain test run replays the committed corpus; {@code scripts/fuzz} runs the fuzzer.
 */
class RequestHandlersFuzzTest {
    private static FerryServer ferry;
    private static Path socket;
    /** get_registry(2), then a bind of every global. */
    private static byte[] prefix;
    private static final ConcurrentLinkedQueue<Client> connected = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws Exception {
        ferry = new FerryServer("cpu");
        socket = ferry.runtimeDir().resolve(ferry.socketName());
        ferry.compositor().onLoop(() -> {
            ferry.compositor().display().onClientCreated(connected::add);
            return null;
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(RawWaylandSocket.message(1, 1, -1, 2));
        int id = 3;
        for (Global g : globals()) {
            out.writeBytes(RawWaylandSocket.message(2, 0, -1, RawWaylandSocket.concat(new int[] {g.name},
                    RawWaylandSocket.string(g.iface, true), new int[] {g.version, id++})));
        }
        prefix = out.toByteArray();
    }

    @AfterAll
    static void stop() throws Exception {
        ferry.close();
    }

    private record Global(int name, String iface, int version) {}

    private static List<Global> globals() throws Exception {
        List<Global> out = new ArrayList<>();
        try (RawWaylandSocket c = new RawWaylandSocket(socket)) {
            c.send(RawWaylandSocket.message(1, 1, -1, 2));
            byte[] bytes = c.roundtrip(3);
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
            while (b.remaining() >= 8) {
                int start = b.position();
                int objectId = b.getInt();
                int word = b.getInt();
                if (objectId == 2 && (word & 0xffff) == 0) {
                    int name = b.getInt();
                    int len = b.getInt();
                    byte[] iface = new byte[len - 1];
                    b.get(iface);
                    b.position(start + 16 + ((len + 3) & ~3));
                    out.add(new Global(name, new String(iface, StandardCharsets.UTF_8), b.getInt()));
                }
                b.position(start + (word >>> 16));
            }
        }
        return out;
    }

    /**
     * Replays the committed corpus (the fuzzer's Inputs directory) in a plain test run, without
     * Jazzer's agent: loaded, it instruments every class the JVM loads after it, for all tests.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void corpusReplays(String name, byte[] input) throws Exception {
        anyRequestsToEveryGlobalLeaveTheCompositorServingOthers(input);
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> corpus() throws Exception {
        return JazzerCorpus.of(RequestHandlersFuzzTest.class, "anyRequestsToEveryGlobalLeaveTheCompositorServingOthers");
    }

    /** The fuzzer itself (scripts/fuzz sets JAZZER_FUZZ), over the same corpus. */
    @FuzzTest(maxDuration = "60s")
    @EnabledIfEnvironmentVariable(named = "JAZZER_FUZZ", matches = ".+")
    void anyRequestsToEveryGlobalLeaveTheCompositorServingOthers(byte[] input) throws Exception {
        connected.clear();
        try (RawWaylandSocket c = new RawWaylandSocket(socket)) {
            byte[] all = new byte[prefix.length + Math.min(input.length, 60_000)];
            System.arraycopy(prefix, 0, all, 0, prefix.length);
            System.arraycopy(input, 0, all, prefix.length, all.length - prefix.length);
            c.sendAll(all);
            c.drain();
        }
        Client client = connected.poll();
        assertTrue(client != null || FerryServer.eventually(Duration.ofSeconds(5), () -> !connected.isEmpty()), "never connected");
        if (client == null) client = connected.poll();
        Client seen = client;
        assertTrue(FerryServer.eventually(Duration.ofSeconds(10), () -> ferry.compositor().onLoop(seen::disconnected)),
                "the compositor never let the client go");
        String reason = ferry.compositor().onLoop(seen::disconnectReason);
        assertFalse(reason.contains("compositor failed"), "the compositor failed: " + reason);
    }
}
