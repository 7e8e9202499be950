package dev.ferry.compositor.robustness;

import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.FerryServer;
import dev.ferry.posix.OwnedFd;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlDisplay;
import dev.ferry.protocol.interfaces.WlRegion;
import dev.ferry.testsupport.HealthyWindows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import static dev.ferry.compositor.robustness.RawWaylandSocket.concat;
import static dev.ferry.compositor.robustness.RawWaylandSocket.message;
import static dev.ferry.compositor.robustness.RawWaylandSocket.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short soak, bounded in time and count: healthy shm clients draw throughout while churning
 * clients come and go at random: well-behaved windows that close properly, windows whose
 * client vanishes mid-stream (socket closed without a goodbye, as a SIGKILL leaves it), clients
 * that never read, clients building huge regions. After: fds back to the baseline, the live
 * heap back to it after GC, and the healthy clients' largest frame-callback gap within bound.
 */
@Timeout(180)
class SoakTest {
    private static final long SOAK_NS = Long.getLong("ferry.soak.seconds", 10) * 1_000_000_000L;
    private static final int HEALTHY = 5;
    private static final double GAP_BOUND_MS = 250;

    @Test
    void churnOfHostileAndVanishingClientsLeavesNothingBehindAndStarvesNobody() throws Exception {
        int fdsAtStart = OwnedFd.liveCount();
        java.util.List<String> procFdsAtStart = procFds();
        long heapAtStart = liveHeapAfterGc();
        int[] churned = new int[4];
        HealthyWindows.Measured m;
        try (FerryServer ferry = new FerryServer("cpu")) {
            Path socket = ferry.runtimeDir().resolve(ferry.socketName());
            int fdsWithServer = OwnedFd.liveCount();
            try (HealthyWindows healthy = new HealthyWindows(socket.toString(), HEALTHY)) {
                healthy.startMeasuring();
                Random rnd = new Random(15);
                long end = System.nanoTime() + SOAK_NS;
                while (System.nanoTime() < end) {
                    int kind = rnd.nextInt(4);
                    churned[kind]++;
                    switch (kind) {
                        case 0 -> politeWindow(socket, 1 + rnd.nextInt(5));
                        case 1 -> vanishingWindow(socket, rnd.nextInt(3));
                        case 2 -> neverReads(socket, 20_000 + rnd.nextInt(80_000));
                        default -> hugeRegion(socket, 5_000 + rnd.nextInt(20_000));
                    }
                }
                m = healthy.stopMeasuring();
                assertTrue(FerryServer.eventually(Duration.ofSeconds(10),
                        () -> ferry.compositor().onLoop(() -> ferry.compositor().display().clients().size()) == HEALTHY),
                        "churned clients were not all released");
            }
            assertTrue(FerryServer.eventually(Duration.ofSeconds(10),
                    () -> ferry.compositor().onLoop(() -> ferry.compositor().display().clients().isEmpty())));
            assertTrue(FerryServer.eventually(Duration.ofSeconds(10), () -> OwnedFd.liveCount() == fdsWithServer),
                    () -> "fds after the soak: " + OwnedFd.liveCount() + ", with the server alone " + fdsWithServer + ": " + OwnedFd.liveFds());
        }
        System.out.printf("soak: %d polite, %d vanished, %d never reading, %d huge regions; healthy: %s%n",
                churned[0], churned[1], churned[2], churned[3], m);
        assertEquals(fdsAtStart, OwnedFd.liveCount(), () -> "fds left open: " + OwnedFd.liveFds());
        // Every fd of the process, owned or not (the JVM's own aside), is reported: one connected
        // unix socket outside the OwnedFd ledger was seen after some runs and is not explained yet.
        java.util.List<String> procFdsAfter = procFds();
        if (procFdsAfter.size() > procFdsAtStart.size()) System.out.println("soak: process fds now " + procFdsAfter + ", before " + procFdsAtStart);
        long heapAfter = liveHeapAfterGc();
        System.out.printf("soak: live heap %d MiB before, %d MiB after%n", heapAtStart >> 20, heapAfter >> 20);
        assertTrue(heapAfter < heapAtStart + (48L << 20), "live heap grew from " + (heapAtStart >> 20) + " to " + (heapAfter >> 20) + " MiB");
        assertTrue(m.frames() > HEALTHY * 50, "healthy clients drew only " + m.frames() + " frames");
        assertTrue(m.maxFrameGapMs() < GAP_BOUND_MS, "healthy frame-callback gap " + m);
    }

    private static void politeWindow(Path socket, int frames) throws Exception {
        try (WaylandClient c = WaylandClient.connect(socket.toString()); ShmWindow w = new ShmWindow(c, "polite", 48, 48, true)) {
            for (int i = 0; i < frames; i++) {
                assertTrue(w.drawWhenFree(ShmWindow.fill(0x334455 + i), 5000));
                assertTrue(w.awaitFrame(5000));
            }
        }
    }

    /** A window whose client is gone between one request and the next: no destroy, no roundtrip. */
    private static void vanishingWindow(Path socket, int frames) throws Exception {
        WaylandClient c = WaylandClient.connect(socket.toString());
        ShmWindow w = new ShmWindow(c, "vanishing", 48, 48, false);
        for (int i = 0; i < frames; i++) w.draw(ShmWindow.fill(0x550000 + i));
        c.flush();
        c.close();
        // The client's own side of its pool (the compositor's side is what the test watches).
        dev.ferry.posix.Memfd.unmap(w.pool().memory());
        w.pool().fd().close();
    }

    private static void neverReads(Path socket, int syncs) throws Exception {
        try (RawWaylandSocket bad = new RawWaylandSocket(socket)) {
            for (int sent = 0; sent < syncs; sent += 1000) {
                byte[][] part = new byte[1000][];
                for (int i = 0; i < 1000; i++) part[i] = message(1, WlDisplay.REQUEST_SYNC, -1, 2 + sent + i);
                if (!bad.sendAll(RawWaylandSocket.join(part))) break;
            }
        }
    }

    private static void hugeRegion(Path socket, int rects) throws Exception {
        try (RawWaylandSocket bad = new RawWaylandSocket(socket)) {
            bad.send(RawWaylandSocket.join(message(1, WlDisplay.REQUEST_GET_REGISTRY, -1, 2),
                    message(2, 0, -1, concat(new int[] {1}, string("wl_compositor", true), new int[] {4, 3})),
                    message(3, WlCompositor.REQUEST_CREATE_REGION, -1, 4)));
            for (int sent = 0; sent < rects; sent += 1000) {
                byte[][] part = new byte[1000][];
                for (int i = 0; i < 1000; i++) {
                    int k = sent + i;
                    part[i] = message(4, WlRegion.REQUEST_ADD, -1, 2 * (k % 300), 2 * (k / 300), 1, 1);
                }
                if (!bad.sendAll(RawWaylandSocket.join(part))) break;
                if (!bad.drain()) break;
            }
        }
    }

    private static java.util.List<String> procFds() {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    // The JVM's own: jars and modules for class loading, entropy for SecureRandom.
                    if (target.endsWith(".jar") || target.contains("/lib/modules") || target.startsWith("/dev/") && target.endsWith("random")) continue;
                    if (target.startsWith("socket:[")) target += " " + socketKind(target.substring(8, target.length() - 1));
                    out.add(target);
                } catch (Exception gone) {
                    // the listing's own fd
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        java.util.Collections.sort(out);
        return out;
    }

    /** What kind of socket an inode is (unix with its path, or tcp), for the failure message. */
    private static String socketKind(String inode) {
        for (String table : new String[] {"unix", "tcp", "tcp6", "udp"}) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/net/" + table))) {
                    if ((" " + line + " ").contains(" " + inode + " ")) return table + ": " + line.trim();
                }
            } catch (Exception ignored) {
                // not readable here
            }
        }
        return "?";
    }

    private static long liveHeapAfterGc() {
        var mem = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) System.gc();
        return mem.getHeapMemoryUsage().getUsed();
    }
}
