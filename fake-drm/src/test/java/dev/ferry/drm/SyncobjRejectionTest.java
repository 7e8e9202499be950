package dev.ferry.drm;

import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every syncobj refusal, produced by its condition and by no other: each row's bad case has a
 * twin that differs only in that condition and must succeed.
 */
@ExtendWith(NoFdLeaks.class)
class SyncobjRejectionTest {
    /** One side of a row, on the hybrid laptop (card0 renders) or the USB display (card1 does not), on a virtual clock. */
    @FunctionalInterface
    interface Attempt {
        void run(FakeKernel laptop, FakeKernel usb, VirtualClock clock) throws Exception;
    }

    record Row(SyncobjRejection expected, Attempt bad, Attempt good) {}

    private static Syncobjs igpu(FakeKernel k) { return k.device("card0").syncobjs(); }

    static List<Row> rows() {
        return List.of(
            new Row(SyncobjRejection.NOT_SUPPORTED,
                (k, usb, c) -> usb.device("card1").syncobjs().createTimeline(),
                (k, usb, c) -> usb.device("card0").syncobjs().createTimeline()),
            new Row(SyncobjRejection.UNKNOWN_HANDLE,
                (k, usb, c) -> { Syncobjs s = igpu(k); int h = s.createTimeline(); s.destroy(h); s.query(h); },
                (k, usb, c) -> { Syncobjs s = igpu(k); int h = s.createTimeline(); s.query(h); s.destroy(h); }),
            new Row(SyncobjRejection.NOT_A_SYNCOBJ,
                (k, usb, c) -> { try (OwnedFd fd = Memfd.create("just-a-memfd", SyncobjState.PAGE)) { igpu(k).importFd(fd); } },
                (k, usb, c) -> { Syncobjs s = igpu(k); try (OwnedFd fd = s.exportFd(s.createTimeline())) { s.importFd(fd); } }),
            new Row(SyncobjRejection.BINARY_POINT,
                (k, usb, c) -> { Syncobjs s = igpu(k); s.signal(s.createBinary(0), 1); },
                (k, usb, c) -> { Syncobjs s = igpu(k); s.signal(s.createBinary(0), 0); }),
            new Row(SyncobjRejection.POINT_REGRESSION,
                (k, usb, c) -> { Syncobjs s = igpu(k); int h = s.createTimeline(); s.signal(h, 5); s.signal(h, 5); },
                (k, usb, c) -> { Syncobjs s = igpu(k); int h = s.createTimeline(); s.signal(h, 5); s.signal(h, 6); }),
            new Row(SyncobjRejection.NO_FENCE,
                (k, usb, c) -> { Syncobjs s = igpu(k); int h = s.createTimeline(); s.signal(h, 1); s.exportSyncFile(h, 2).close(); },
                (k, usb, c) -> { Syncobjs s = igpu(k); int h = s.createTimeline(); s.signal(h, 2); s.exportSyncFile(h, 2).close(); }),
            new Row(SyncobjRejection.TIMELINE_FULL,
                (k, usb, c) -> { Syncobjs s = igpu(k); int h = s.createTimeline();
                                 for (int i = 1; i <= SyncobjState.CAPACITY + 1; i++) s.submitJob(h, i, 1_000_000, 1_000_000); },
                (k, usb, c) -> { Syncobjs s = igpu(k); int h = s.createTimeline();
                                 for (int i = 1; i <= SyncobjState.CAPACITY + 1; i++) { s.submitJob(h, i, 1_000_000, 1_000_000); c.advanceNs(1_000_000); } }),
            new Row(SyncobjRejection.TIMED_OUT,
                (k, usb, c) -> { Syncobjs s = igpu(k); int h = s.createTimeline(); s.submitJob(h, 1, 5_000_000, 5_000_000);
                                 s.wait(new int[] {h}, new long[] {1}, c.nowNs(), 0); },
                (k, usb, c) -> { Syncobjs s = igpu(k); int h = s.createTimeline(); s.submitJob(h, 1, 5_000_000, 5_000_000);
                                 c.advanceNs(5_000_000); s.wait(new int[] {h}, new long[] {1}, c.nowNs(), 0); })
        );
    }

    private static SyncobjRejection attempt(Attempt a) throws Exception {
        VirtualClock clock = new VirtualClock();
        try (FakeKernel laptop = FakeKernel.open(dev.ferry.drm.topology.Topologies.load("hybrid-laptop"), clock, FaultPlan.none());
             FakeKernel usb = FakeKernel.open(dev.ferry.drm.topology.Topologies.load("usb-display"), clock, FaultPlan.none())) {
            a.run(laptop, usb, clock);
            return null;
        } catch (SyncobjException e) {
            return e.rejection();
        }
    }

    @TestFactory
    Stream<DynamicTest> eachRefusalByItsConditionAlone() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.expected().name(), () -> {
            assertEquals(row.expected(), attempt(row.bad()), "the failing case");
            assertNull(attempt(row.good()), "the twin that differs only in that condition");
        }));
    }

    @Test
    void everyRefusalHasARow() {
        Set<SyncobjRejection> covered = EnumSet.noneOf(SyncobjRejection.class);
        for (Row r : rows()) covered.add(r.expected());
        assertEquals(EnumSet.allOf(SyncobjRejection.class), covered);
        for (SyncobjRejection r : SyncobjRejection.values()) assertTrue(r.reason().length() > 10);
    }
}
