package dev.ferry.compositor.syncobj;

import dev.ferry.client.DmabufAllocator;
import dev.ferry.client.DmabufWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.compositor.dmabuf.LinuxDmabufGlobal;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.FaultPlan;
import dev.ferry.drm.VirtualClock;
import dev.ferry.drm.topology.Topologies;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Ferry on the kms backend over laptop-igpu (one 1920x1080@60 panel) on a virtual clock, with
 * the CPU renderer and feedback without hysteresis (so scanout comes at once), and a client-side fake kernel over the same topology and the same clock: a
 * client's render jobs and the compositor's vblanks run on one timeline that only the test moves.
 * Clients ({@link Player}) are driven from the test thread: commit, then move the clock until the
 * compositor answered ({@link #stepUntil}).
 */
final class SyncFerry implements AutoCloseable {
    static final long MS = 1_000_000L;
    /** laptop-igpu's eDP-1 at 60 Hz. */
    static final long PERIOD_NS = 1_000_000_000_000L / 60_000;

    final VirtualClock clock = new VirtualClock();
    final Path runtimeDir;
    final Compositor compositor;
    final FakeKernel clientKernel;

    SyncFerry(long fenceDeadlineNs) throws Exception {
        runtimeDir = Files.createTempDirectory("ferry-sync-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        compositor = Compositor.create(Compositor.Options.kms(runtimeDir, "wayland-sync",
                        KmsBackend.Config.of(dev.ferry.compositor.devices.FakeDevices.source("laptop-igpu", clock, FaultPlan.none())))
                .withRenderer("cpu")
                .withDmabuf(new LinuxDmabufGlobal.Config(0, fenceDeadlineNs)));
        compositor.startThread();
        clientKernel = FakeKernel.open(Topologies.load("laptop-igpu"), clock, FaultPlan.none());
    }

    WaylandClient connect() throws IOException {
        WaylandClient c = WaylandClient.connect(runtimeDir.resolve(compositor.socketName()).toString());
        c.roundtrip();
        return c;
    }

    /** Runs work on the compositor's loop: after it, everything the loop had queued before has run. */
    <T> T onLoop(java.util.function.Supplier<T> work) {
        return compositor.onLoop(work);
    }

    /** Waits (real time, bounded) for a condition the loop thread makes true. */
    static boolean eventually(BooleanSupplier condition) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return true;
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(200_000L);
        }
        return condition.getAsBoolean();
    }

    /** A client window playing solid colours with render jobs of the given length. */
    final class Player implements AutoCloseable {
        final WaylandClient client;
        final DmabufWindow window;
        long frame;

        Player(String title, boolean fullscreen, DmabufWindow.Sync sync, int ring) throws IOException {
            client = connect();
            window = new DmabufWindow(client, new DmabufAllocator(clientKernel),
                    new DmabufWindow.Options(title, 320, 240, fullscreen, DmabufWindow.Buffers.DMABUF, ring, null, null, false, null));
            window.setRendering(sync, new DmabufWindow.GpuJob(MS, MS));
        }

        /** Commits the next frame, filled with colour, its render job taking durationNs (fastestNs if hurried). */
        long commit(int colour, long durationNs, long fastestNs) throws IOException {
            window.setRendering(window.sync(), new DmabufWindow.GpuJob(durationNs, fastestNs));
            long n = frame++;
            assertTrue(window.drawFrame(n, c -> c.fill(colour), 5000), "a buffer came back for frame " + n);
            return n;
        }

        /** When frame n was presented (kernel clock), -1 if not (yet), -2 if discarded. */
        long presentedAt(long n) {
            for (DmabufWindow.Presented p : window.presentedLog()) if (p.frame() == n) return p.flags() < 0 ? -2 : p.timeNs();
            return -1;
        }

        @Override
        public void close() {
            window.close();
            client.close();
        }
    }

    /** Lets the compositor handle what the last clock move made ready, then delivers its events to the clients. */
    void settle(Player... players) throws IOException {
        var kms = (dev.ferry.compositor.backend.kms.KmsBackend) compositor.backend();
        for (int i = 0; i < 3; i++) {
            onLoop(() -> null);
            // A frame being composed takes real time; the next vblank must not pass before it is queued.
            assertTrue(eventually(() -> !onLoop(kms::composing)), "composition finished");
        }
        for (Player p : players) p.client.roundtrip();
    }

    /** Moves the virtual clock a millisecond at a time until the condition holds; false after maxNs. */
    boolean stepUntil(BooleanSupplier condition, long maxNs, Player... players) throws IOException {
        long end = clock.nowNs() + maxNs;
        settle(players);
        while (!condition.getAsBoolean()) {
            if (clock.nowNs() >= end) {
                System.err.println("not reached by " + clock.nowNs() + ": " + new String(compositor.statsJson()));
                for (Player p : players) System.err.println(p.window.presentedLog());
                return false;
            }
            clock.advanceNs(MS);
            settle(players);
        }
        return true;
    }

    /**
     * Plays frames until one is presented: the first commit can race the compositor's first frame
     * (composed before the window mapped), whose flip answers it as discarded.
     */
    void warmUp(int colour, Player... players) throws IOException {
        for (int round = 0; round < 3; round++) {
            long[] n = new long[players.length];
            for (int i = 0; i < players.length; i++) n[i] = players[i].commit(colour, MS, MS);
            assertTrue(stepUntil(() -> {
                for (int i = 0; i < players.length; i++) if (players[i].presentedAt(n[i]) == -1) return false;
                return true;
            }, 200 * MS, players), "warm-up frames answered");
            boolean all = true;
            for (int i = 0; i < players.length; i++) all &= players[i].presentedAt(n[i]) > 0;
            if (all) return;
        }
        throw new AssertionError("no frame presented in three tries");
    }

    /** A client window on this Ferry (three buffers). */
    Player player(String title, boolean fullscreen, DmabufWindow.Sync sync) throws IOException {
        return new Player(title, fullscreen, sync, 3);
    }

    @Override
    public void close() throws IOException {
        compositor.close();
        clientKernel.close();
        try (Stream<Path> s = Files.walk(runtimeDir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
