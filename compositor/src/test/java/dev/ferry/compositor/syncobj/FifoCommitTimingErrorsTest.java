package dev.ferry.compositor.syncobj;

import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.core.Surface;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.interfaces.WpCommitTimerV1;
import dev.ferry.protocol.interfaces.WpCommitTimingManagerV1;
import dev.ferry.protocol.interfaces.WpFifoManagerV1;
import dev.ferry.protocol.interfaces.WpFifoV1;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * wp_fifo_v1 and wp_commit_timing_v1 protocol errors, each beside a twin that is accepted; and a
 * surface no output shows, whose FIFO commits never wait.
 */
class FifoCommitTimingErrorsTest {
    private static SyncFerry ferry;

    @BeforeAll
    static void start() throws Exception {
        ferry = new SyncFerry(100 * SyncFerry.MS);
    }

    @AfterAll
    static void stop() throws Exception {
        ferry.close();
    }

    /** One connection: wl_compositor, the fifo and commit-timing managers; the proxy an error is expected on. */
    static final class Conn implements AutoCloseable {
        final WaylandClient client;
        final Proxy compositor, fifos, timers;
        Proxy errorOn;

        Conn() throws Exception {
            client = ferry.connect();
            compositor = client.bind(WlCompositor.INTERFACE, 5);
            fifos = client.bind(WpFifoManagerV1.INTERFACE, 1);
            timers = client.bind(WpCommitTimingManagerV1.INTERFACE, 1);
        }

        int outcome() throws Exception {
            try {
                client.roundtrip();
            } catch (java.io.IOException e) {
                // Hung up after the error.
            }
            if (!client.display().failed()) return -1;
            assertEquals(errorOn.id(), client.display().errorObjectId(), client.display().error());
            return client.display().errorCode();
        }

        @Override
        public void close() {
            client.close();
        }
    }

    @FunctionalInterface
    interface Steps {
        void run(Conn c) throws Exception;
    }

    record Row(String error, int code, Steps bad, Steps good) {}

    static List<Row> rows() {
        return List.of(
            new Row("fifo already_exists", WpFifoManagerV1.ERROR_ALREADY_EXISTS,
                c -> { Proxy s = WlCompositor.createSurface(c.compositor); WpFifoManagerV1.getFifo(c.fifos, s); c.errorOn = c.fifos;
                       WpFifoManagerV1.getFifo(c.fifos, s); },
                c -> { Proxy s = WlCompositor.createSurface(c.compositor); WpFifoV1.destroy(WpFifoManagerV1.getFifo(c.fifos, s));
                       WpFifoManagerV1.getFifo(c.fifos, s); }),
            new Row("fifo surface_destroyed", WpFifoV1.ERROR_SURFACE_DESTROYED,
                c -> { Proxy s = WlCompositor.createSurface(c.compositor); Proxy f = WpFifoManagerV1.getFifo(c.fifos, s); c.errorOn = f;
                       WlSurface.destroy(s); WpFifoV1.setBarrier(f); },
                c -> { Proxy s = WlCompositor.createSurface(c.compositor); Proxy f = WpFifoManagerV1.getFifo(c.fifos, s);
                       WpFifoV1.setBarrier(f); WlSurface.destroy(s); WpFifoV1.destroy(f); }),
            new Row("commit_timer_exists", WpCommitTimingManagerV1.ERROR_COMMIT_TIMER_EXISTS,
                c -> { Proxy s = WlCompositor.createSurface(c.compositor); WpCommitTimingManagerV1.getTimer(c.timers, s); c.errorOn = c.timers;
                       WpCommitTimingManagerV1.getTimer(c.timers, s); },
                c -> { Proxy s = WlCompositor.createSurface(c.compositor); WpCommitTimerV1.destroy(WpCommitTimingManagerV1.getTimer(c.timers, s));
                       WpCommitTimingManagerV1.getTimer(c.timers, s); }),
            new Row("invalid_timestamp", WpCommitTimerV1.ERROR_INVALID_TIMESTAMP,
                c -> { Proxy t = WpCommitTimingManagerV1.getTimer(c.timers, WlCompositor.createSurface(c.compositor)); c.errorOn = t;
                       WpCommitTimerV1.setTimestamp(t, 0, 1, 1_000_000_000); },
                c -> { Proxy t = WpCommitTimingManagerV1.getTimer(c.timers, WlCompositor.createSurface(c.compositor));
                       WpCommitTimerV1.setTimestamp(t, 0, 1, 999_999_999); }),
            new Row("timestamp_exists", WpCommitTimerV1.ERROR_TIMESTAMP_EXISTS,
                c -> { Proxy s = WlCompositor.createSurface(c.compositor); Proxy t = WpCommitTimingManagerV1.getTimer(c.timers, s); c.errorOn = t;
                       WpCommitTimerV1.setTimestamp(t, 0, 1, 0); WpCommitTimerV1.setTimestamp(t, 0, 2, 0); },
                c -> { Proxy s = WlCompositor.createSurface(c.compositor); Proxy t = WpCommitTimingManagerV1.getTimer(c.timers, s);
                       WpCommitTimerV1.setTimestamp(t, 0, 1, 0); WlSurface.commit(s); WpCommitTimerV1.setTimestamp(t, 0, 2, 0); }),
            new Row("commit timer surface_destroyed", WpCommitTimerV1.ERROR_SURFACE_DESTROYED,
                c -> { Proxy s = WlCompositor.createSurface(c.compositor); Proxy t = WpCommitTimingManagerV1.getTimer(c.timers, s); c.errorOn = t;
                       WlSurface.destroy(s); WpCommitTimerV1.setTimestamp(t, 0, 1, 0); },
                c -> { Proxy s = WlCompositor.createSurface(c.compositor); Proxy t = WpCommitTimingManagerV1.getTimer(c.timers, s);
                       WpCommitTimerV1.setTimestamp(t, 0, 1, 0); WlSurface.destroy(s); })
        );
    }

    @TestFactory
    Stream<DynamicTest> eachErrorByItsConditionAlone() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.error(), () -> {
            try (Conn bad = new Conn()) {
                row.bad().run(bad);
                assertEquals(row.code(), bad.outcome(), row.error());
            }
            try (Conn good = new Conn()) {
                row.good().run(good);
                assertEquals(-1, good.outcome(), row.error() + " twin refused: " + good.client.display().error());
            }
        }));
    }

    @Test
    void aSurfaceNoOutputShowsNeverWaitsOnItsBarrier() throws Exception {
        try (Conn c = new Conn()) {
            Proxy s = WlCompositor.createSurface(c.compositor);
            Proxy f = WpFifoManagerV1.getFifo(c.fifos, s);
            for (int i = 0; i < 5; i++) {
                WpFifoV1.waitBarrier(f);
                WpFifoV1.setBarrier(f);
                WlSurface.commit(s);
            }
            c.client.roundtrip();
            // This connection is the newest client.
            long commits = ferry.onLoop(() -> ferry.compositor.display().clients().getLast().resource(s.id())
                    .implementation(Surface.class).commitCount());
            assertEquals(5, commits, "every commit applied without waiting for a presentation that cannot come");
            assertTrue(c.outcome() == -1);
        }
    }
}
