package dev.ferry.compositor.robustness;

import dev.ferry.compositor.FerryServer;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlDisplay;
import dev.ferry.protocol.interfaces.WlRegion;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.testsupport.HealthyWindows;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static dev.ferry.compositor.robustness.RawWaylandSocket.concat;
import static dev.ferry.compositor.robustness.RawWaylandSocket.message;
import static dev.ferry.compositor.robustness.RawWaylandSocket.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each hostile client of the robustness issue, from a raw socket, beside ten healthy shm
 * clients drawing at 60 Hz: the hostile one is answered with its error and disconnected (or
 * contained), and the healthy ones' frame callbacks and round trips keep coming. The bound
 * asserted is generous for a loaded two-core machine; the figures measured are printed
 * ("hostile: ...") and recorded in BENCHMARKS.md, against the goal of two refresh periods.
 */
class HostileClientsTest {
    /** Asserted on a machine shared by eight builds; the goal (BENCHMARKS.md) is 33 ms. */
    private static final double BOUND_MS = 250;
    /**
     * What the compositor's own work can have cost a healthy window: its largest frame-callback
     * gap less the CPU wait within it ({@link HealthyWindows.Measured#maxGapLessCpuWaitMs}), with
     * the machine's share taken out. Three refreshes; measured 17-32 ms on the launcher's options
     * (the goal for the whole gap is two, 33 ms). A stall of Ferry's own, which the 250 ms bound
     * would let through, fails here.
     */
    private static final double OWN_WORK_BOUND_MS = 50;
    private static final int HEALTHY = 10;
    private static FerryServer ferry;
    private static HealthyWindows healthy;
    private static Path socket;

    @BeforeAll
    static void start() throws Exception {
        ferry = new FerryServer("cpu");
        socket = ferry.runtimeDir().resolve(ferry.socketName());
        healthy = new HealthyWindows(socket.toString(), HEALTHY);
        // A second of frames before the first case: otherwise the first case measured (whichever
        // JUnit runs first) also measures the compositor's and the clients' first frames, cold code
        // being compiled (a 230 ms first paint was seen), not what its hostile client costs.
        healthy.startMeasuring();
        FerryServer.eventually(Duration.ofSeconds(10), () -> healthy.framesSoFar() >= HEALTHY * 60L);
        healthy.stopMeasuring();
        // The hostile clients' own code (building tens of thousands of messages, in this JVM, on
        // the same two cores) compiled before any case: a real one is a compiled program, and its
        // JIT work is not the compositor's cost.
        for (int round = 0; round < 3; round++) {
            repeat(0, 30_000, k -> message(4, WlRegion.REQUEST_SUBTRACT, -1, k, k, 2, 2));
            repeat(0, 30_000, id -> message(1, WlDisplay.REQUEST_SYNC, -1, id));
        }
        awaitQuietJit();
    }

    /**
     * Healthy frames until the JIT has compiled the steady state (the compositor's frame loop,
     * the windows' drawing and dispatch): its compiler threads under 5 % of a CPU over about
     * half a second, for at most 20 s. After a second of frames the first cases still ran
     * 150-250 ms of compiling of that code in their window, even a client that only connects and
     * leaves, so "first meeting" measured the warm-up's tail as well as the act. (The 600-800 ms
     * of the region holes' first meeting was another thing: a deoptimization storm, see
     * dev.ferry.posix.SegmentKinds.) "First meeting" now means a compositor in steady state
     * meeting that act.
     */
    private static void awaitQuietJit() throws InterruptedException {
        long start = System.nanoTime(), deadline = start + 20_000_000_000L;
        HealthyWindows.Measured m;
        do {
            healthy.startMeasuring();
            FerryServer.eventually(Duration.ofSeconds(5), () -> healthy.framesSoFar() >= HEALTHY * 30L);
            m = healthy.stopMeasuring();
        } while (m.compilerCpuMs() > 0.05 * m.windowMs() && System.nanoTime() < deadline);
        System.out.printf("hostile: warm-up until the JIT was quiet: %.1f s (its compiler threads %.0f ms of the last %.0f ms)%n",
                (System.nanoTime() - start) / 1e9, m.compilerCpuMs(), m.windowMs());
    }

    @AfterAll
    static void stop() throws Exception {
        if (healthy != null) healthy.close();
        ferry.close();
    }

    private static int clients() {
        return ferry.compositor().onLoop(() -> ferry.compositor().display().clients().size());
    }

    /** get_registry(2), bind wl_compositor (global 1) at id 3. */
    private static byte[] bindCompositor() {
        return RawWaylandSocket.join(message(1, WlDisplay.REQUEST_GET_REGISTRY, -1, 2),
                message(2, 0, -1, concat(new int[] {1}, string("wl_compositor", true), new int[] {4, 3})));
    }

    /** Messages n times over, built by index. */
    private static byte[] repeat(int from, int n, java.util.function.IntFunction<byte[]> one) {
        byte[][] parts = new byte[n][];
        for (int i = 0; i < n; i++) parts[i] = one.apply(from + i);
        return RawWaylandSocket.join(parts);
    }

    /**
     * Runs the hostile client twice, each time checking it got the error expected (code, words of
     * the message) and was disconnected, and that the healthy clients never waited long. The
     * first run is the first time this compositor meets that act: its figures include the JIT
     * compiling the code the act reaches, on the same two cores as everything else (49-70 ms
     * gaps were measured there for the region holes, most of it CPU waits, against 22 ms once
     * warm). The second is what the act costs a compositor that has met it before; both are
     * printed, "hostile (first meeting)" and "hostile".
     */
    private static void expect(String what, int code, String messagePart, HostileAct act) throws Exception {
        runHostile(what, code, messagePart, act, "hostile (first meeting): ");
        runHostile(what, code, messagePart, act, "hostile: ");
    }

    private static void runHostile(String what, int code, String messagePart, HostileAct act, String label) throws Exception {
        int before = clients();
        healthy.startMeasuring();
        long t0 = System.nanoTime();
        byte[] answer;
        try (RawWaylandSocket bad = new RawWaylandSocket(socket)) {
            act.run(bad);
            answer = code < 0 ? null : bad.readUntilClosed();
        }
        assertTrue(FerryServer.eventually(Duration.ofSeconds(10), () -> clients() == before), what + ": its state was not released");
        long hostileMs = (System.nanoTime() - t0) / 1_000_000;
        // Measure at least a second of the healthy clients' frames around it.
        long healthyFrom = System.nanoTime();
        FerryServer.eventually(Duration.ofSeconds(1), () -> System.nanoTime() - healthyFrom > 1_000_000_000L - hostileMs * 1_000_000L);
        HealthyWindows.Measured m = healthy.stopMeasuring();
        System.out.println(label + what + " (" + hostileMs + " ms): " + m);
        if (code >= 0) {
            RawWaylandSocket.DisplayError error = RawWaylandSocket.findError(answer);
            assertNotNull(error, what + ": no wl_display.error before the disconnect");
            assertEquals(code, error.code(), what + ": " + error.message());
            assertTrue(error.message().contains(messagePart), what + ": " + error.message());
        }
        assertTrue(m.frames() > HEALTHY * 10, what + ": the healthy clients drew only " + m.frames() + " frames");
        assertTrue(m.maxFrameGapMs() < BOUND_MS, what + ": a healthy client's frame callbacks stopped for " + m.maxFrameGapMs() + " ms");
        assertTrue(m.maxGapLessCpuWaitMs() <= OWN_WORK_BOUND_MS, what + ": a healthy client's frame callbacks stopped, CPU waits aside, for "
                + m.maxGapLessCpuWaitMs() + " ms: " + m);
        assertTrue(m.roundTripP99Ms() < BOUND_MS, what + ": healthy round trips p99 " + m.roundTripP99Ms() + " ms");
        // Half of the gaps one refresh: the windows drew at the display's rate.
        assertTrue(m.gapMedianMs() < HealthyWindows.MISSED_REFRESH_MS, what + ": the healthy windows did not draw every refresh: " + m);
    }

    @FunctionalInterface
    interface HostileAct {
        void run(RawWaylandSocket bad) throws Exception;
    }

    /**
     * The baseline the hostile cases are read against: a client that connects and leaves. Its
     * figures are the machine's (other builds, GC, the healthy clients' own threads), not any
     * hostile act's.
     */
    @Test
    void noHostileClientAtAll() throws Exception {
        expect("none (a client that connects and leaves)", -1, null, bad -> { });
    }

    @Test
    void objectIdWithTheTopBitSet() throws Exception {
        // 8 bytes: object 0x80000000, opcode 0, size 8. Then it goes on sending.
        expect("object id 0x80000000", WlDisplay.ERROR_INVALID_OBJECT, "invalid object 2147483648", bad -> {
            bad.send(message(0x80000000, 0, -1));
            bad.sendAll(repeat(2, 1000, id -> message(1, WlDisplay.REQUEST_SYNC, -1, id)));
        });
    }

    @Test
    void objectArgumentWithTheTopBitSet() throws Exception {
        expect("wl_surface.attach of buffer 0xfeffffff", WlDisplay.ERROR_INVALID_METHOD, "unknown object 4278190079", bad -> bad.send(
                RawWaylandSocket.join(bindCompositor(), message(3, WlCompositor.REQUEST_CREATE_SURFACE, -1, 4),
                        message(4, WlSurface.REQUEST_ATTACH, -1, 0xfeffffff, 0, 0))));
    }

    @Test
    void fortyThousandDisjointRegionRectangles() throws Exception {
        expect("40 000 disjoint wl_region.add", WlDisplay.ERROR_NO_MEMORY, "region rectangles", bad -> {
            bad.send(RawWaylandSocket.join(bindCompositor(), message(3, WlCompositor.REQUEST_CREATE_REGION, -1, 4)));
            for (int chunk = 0; chunk < 40; chunk++) {
                int base = chunk * 1000;
                if (!bad.sendAll(repeat(base, 1000, k -> message(4, WlRegion.REQUEST_ADD, -1, 2 * (k % 200), 2 * (k / 200), 1, 1)))) break;
            }
        });
    }

    @Test
    void twentyFiveThousandRegionHoles() throws Exception {
        expect("25 000 wl_region.subtract holes", WlDisplay.ERROR_NO_MEMORY, "region rectangles", bad -> {
            bad.send(RawWaylandSocket.join(bindCompositor(), message(3, WlCompositor.REQUEST_CREATE_REGION, -1, 4),
                    message(4, WlRegion.REQUEST_ADD, -1, 0, 0, 640, 640)));
            for (int chunk = 0; chunk < 25; chunk++) {
                int base = chunk * 1000;
                if (!bad.sendAll(repeat(base, 1000, k -> message(4, WlRegion.REQUEST_SUBTRACT, -1, 4 * (k % 160) + 1, 4 * (k / 160) + 1, 2, 2)))) break;
            }
        });
    }

    @Test
    void frameCallbacksPastTheLimit() throws Exception {
        expect("5 000 wl_surface.frame without a commit", WlDisplay.ERROR_NO_MEMORY, "pending frame callbacks", bad -> {
            bad.send(RawWaylandSocket.join(bindCompositor(), message(3, WlCompositor.REQUEST_CREATE_SURFACE, -1, 4)));
            bad.sendAll(repeat(5, 5000, id -> message(4, WlSurface.REQUEST_FRAME, -1, id)));
        });
    }

    @Test
    void surfacesPastTheObjectLimit() throws Exception {
        expect("40 000 wl_surface", WlDisplay.ERROR_NO_MEMORY, "objects", bad -> {
            bad.send(bindCompositor());
            for (int chunk = 0; chunk < 40; chunk++) {
                if (!bad.sendAll(repeat(4 + chunk * 1000, 1000, id -> message(3, WlCompositor.REQUEST_CREATE_SURFACE, -1, id)))) break;
            }
        });
    }

    @Test
    void thirtyThousandRegistriesThenGone() throws Exception {
        expect("30 000 wl_registry, then a hang-up", -1, null, bad -> {
            // It reads the globals each registry is sent, as a real client would, and reads what
            // it asked for before asking for more: each chunk's globals (about 1 MB) fit the
            // output limit, but a reader left chunks behind is rightly cut off as one that does
            // not read. It reads on the thread that sends: a socket here is one thread's (send
            // and receive share its message header), and a reader thread beside the sender made
            // sendmsg fail now and then.
            long perRegistry = 0;
            for (int chunk = 0; chunk < 30; chunk++) {
                int at = chunk;
                assertTrue(bad.sendAll(repeat(2 + chunk * 1000, 1000, id -> message(1, WlDisplay.REQUEST_GET_REGISTRY, -1, id))),
                        () -> "cut off at chunk " + at + " with " + bad.drained() + " bytes read (" + bad.sendError() + ")");
                int made = (chunk + 1) * 1000;
                assertTrue(readWhile(bad, () -> mostObjects() <= made), "the registries were not made");
                if (chunk == 0) perRegistry = readUntilQuiet(bad) / 1000;
                long expected = perRegistry * made;
                assertTrue(readWhile(bad, () -> bad.drained() < expected), "the globals were not all read");
            }
            // Then it leaves at once.
        });
    }

    /** Reads what arrives while the condition holds, for up to 20 s; false if it still holds or the socket closed. */
    private static boolean readWhile(RawWaylandSocket bad, java.util.function.BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (condition.getAsBoolean()) {
            if (System.nanoTime() > deadline || !bad.drain()) return false;
            dev.ferry.posix.Fds.poll(bad.fd().fd(), dev.ferry.posix.Fds.POLLIN, 20);
        }
        return true;
    }

    /** Reads until nothing more arrives for 50 ms (5 s at most); returns the bytes read so far. */
    private static long readUntilQuiet(RawWaylandSocket bad) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        long last = -1;
        while (System.nanoTime() < deadline && bad.drain()) {
            long now = bad.drained();
            if (now > 0 && now == last) break;
            last = now;
            dev.ferry.posix.Fds.poll(bad.fd().fd(), dev.ferry.posix.Fds.POLLIN, 50);
        }
        return bad.drained();
    }

    private static int mostObjects() {
        return ferry.compositor().onLoop(() -> ferry.compositor().display().clients().stream()
                .mapToInt(c -> c.objectCount()).max().orElse(0));
    }

    @Test
    void aClientThatNeverReads() throws Exception {
        expect("200 000 wl_display.sync, never reading", -1, null, bad -> {
            for (int chunk = 0; chunk < 200; chunk++) {
                if (!bad.sendAll(repeat(2 + chunk * 1000, 1000, id -> message(1, WlDisplay.REQUEST_SYNC, -1, id)))) break;
            }
        });
        assertFalse(ferry.compositor().onLoop(() -> ferry.compositor().display().clients().size()) > HEALTHY);
    }
}
