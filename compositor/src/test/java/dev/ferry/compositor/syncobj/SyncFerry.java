package dev.ferry.compositor.syncobj;

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

/**
 * A Ferry on the kms backend over laptop-igpu (one 1920x1080@60 panel) on a virtual clock, with
 * the CPU renderer and feedback without hysteresis (so scanout comes at once), and a client-side fake kernel over the same topology and the same clock: a
 * client's render jobs and the compositor's vblanks run on one timeline that only the test moves.
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
                        new KmsBackend.Config("laptop-igpu", clock, FaultPlan.none()))
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

    @Override
    public void close() throws IOException {
        compositor.close();
        clientKernel.close();
        try (Stream<Path> s = Files.walk(runtimeDir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
