package dev.ferry.drm;

import dev.ferry.drm.topology.Topologies;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.posix.EventFd;
import dev.ferry.posix.Fds;
import dev.ferry.posix.OwnedFd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Syncobjs behave as the kernel's: chains of points, fds across kernels, eventfds, deadline boosts. */
@ExtendWith(NoFdLeaks.class)
class SyncobjTest {
    private static final long MS = 1_000_000L;

    private static FakeKernel kernel(VirtualClock clock) {
        return FakeKernel.open(Topologies.load("hybrid-laptop"), clock, FaultPlan.none());
    }

    private static boolean readable(OwnedFd fd) throws Exception {
        return (Fds.poll(fd.fd(), Fds.POLLIN, 0) & Fds.POLLIN) != 0;
    }

    @Test
    void timelinePointsSignalInChainOrder() throws Exception {
        VirtualClock clock = new VirtualClock();
        try (FakeKernel k = kernel(clock)) {
            Syncobjs s = k.device("card0").syncobjs();
            int h = s.createTimeline();
            s.submitJob(h, 2, 10 * MS, 10 * MS);
            s.submitJob(h, 4, 3 * MS, 3 * MS);   // finishes first, but the chain waits for point 2
            assertEquals(0, s.query(h));
            assertTrue(s.materialised(h, 3), "point 3 is answered by point 4's fence");
            assertFalse(s.materialised(h, 5));
            clock.advanceNs(3 * MS);
            assertFalse(s.signalled(h, 4), "point 4 waits for point 2 (dma_fence_chain)");
            clock.advanceNs(7 * MS);
            assertTrue(s.signalled(h, 1));
            assertTrue(s.signalled(h, 4));
            assertEquals(4, s.query(h));
            s.signal(h, 9);
            assertEquals(9, s.query(h));
            s.destroy(h);
        }
    }

    @Test
    void binarySyncobjHoldsOneFenceAndResets() throws Exception {
        VirtualClock clock = new VirtualClock();
        try (FakeKernel k = kernel(clock)) {
            Syncobjs s = k.device("card0").syncobjs();
            int signalled = s.createBinary(Syncobjs.CREATE_SIGNALED);
            assertEquals(1, s.query(signalled));
            int h = s.createBinary(0);
            assertFalse(s.materialised(h, 0));
            s.submitJob(h, 0, 2 * MS, 2 * MS);
            assertEquals(0, s.query(h));
            clock.advanceNs(2 * MS);
            assertEquals(1, s.query(h));
            s.reset(h);
            assertFalse(s.materialised(h, 0));
            // Transfer a timeline point into the binary syncobj and back out at a new point.
            int t = s.createTimeline();
            s.submitJob(t, 1, 4 * MS, 4 * MS);
            s.transfer(t, 1, h, 0);
            s.transfer(h, 0, t, 7);
            clock.advanceNs(4 * MS);
            assertEquals(1, s.query(h));
            assertEquals(7, s.query(t));
            for (int x : new int[] {signalled, h, t}) s.destroy(x);
        }
    }

    @Test
    void aTimelineFdIsRecognisedByAnotherKernel() throws Exception {
        VirtualClock clock = new VirtualClock();
        // Two kernels share nothing but the fd, as a client and the compositor do.
        try (FakeKernel client = kernel(clock); FakeKernel compositor = kernel(clock)) {
            Syncobjs mine = client.device("card0").syncobjs();
            Syncobjs theirs = compositor.device("card0").syncobjs();
            int h = mine.createTimeline();
            int imported;
            try (OwnedFd fd = mine.exportFd(h)) {
                imported = theirs.importFd(fd);
            }
            mine.submitJob(h, 1, 5 * MS, 5 * MS);
            assertTrue(theirs.materialised(imported, 1), "the compositor sees the client's point");
            assertFalse(theirs.signalled(imported, 1));
            theirs.signal(imported, 2);   // a release point, signalled by the compositor
            clock.advanceNs(5 * MS);
            assertEquals(2, mine.query(h), "the client sees the compositor's point");
            mine.destroy(h);
            theirs.destroy(imported);
        }
    }

    @Test
    void syncFilesGoInAndOutAtPoints() throws Exception {
        VirtualClock clock = new VirtualClock();
        try (FakeKernel k = kernel(clock)) {
            Syncobjs s = k.device("card0").syncobjs();
            int h = s.createTimeline();
            try (SyncFile in = k.syncFileAt(clock.nowNs() + 3 * MS)) {
                s.importSyncFile(h, 1, in);
            }
            try (SyncFile out = s.exportSyncFile(h, 1)) {
                assertFalse(readable(out.fd()));
                clock.advanceNs(3 * MS);
                assertTrue(readable(out.fd()));
                assertTrue(out.isSignalled());
            }
            s.destroy(h);
        }
    }

    @Test
    void eventfdIsWrittenWhenThePointSignalsOrMaterialises() throws Exception {
        VirtualClock clock = new VirtualClock();
        try (FakeKernel k = kernel(clock); EventFd signalledFd = new EventFd(); EventFd availableFd = new EventFd();
             EventFd forgotten = new EventFd()) {
            Syncobjs s = k.device("card0").syncobjs();
            int h = s.createTimeline();
            s.eventfd(h, 1, 0, signalledFd.fd());
            s.eventfd(h, 1, Syncobjs.WAIT_AVAILABLE, availableFd.fd());
            assertFalse(readable(signalledFd.fd()));
            assertFalse(readable(availableFd.fd()));
            s.submitJob(h, 1, 6 * MS, 6 * MS);
            assertTrue(readable(availableFd.fd()), "WAIT_AVAILABLE: the point has a fence now");
            assertFalse(readable(signalledFd.fd()));
            clock.advanceNs(6 * MS - 1);
            assertFalse(readable(signalledFd.fd()));
            clock.advanceNs(1);
            assertTrue(readable(signalledFd.fd()), "exactly when the job finishes");
            int other = s.createTimeline();
            s.eventfd(other, 1, 0, forgotten.fd());
            s.destroy(other);   // the registration goes with the syncobj, unsignalled
            assertFalse(readable(forgotten.fd()));
            s.destroy(h);
        }
    }

    @Test
    void eventfdFiresOnTheRealClockToo() throws Exception {
        try (FakeKernel k = FakeKernel.open("hybrid-laptop"); EventFd fd = new EventFd()) {
            Syncobjs s = k.device("card0").syncobjs();
            int h = s.createTimeline();
            s.eventfd(h, 1, 0, fd.fd());
            s.submitJob(h, 1, 2 * MS, 2 * MS);
            assertTrue((Fds.poll(fd.fd().fd(), Fds.POLLIN, 5000) & Fds.POLLIN) != 0, "written within 5 s");
            assertTrue(s.signalled(h, 1));
            // And a point another party adds later (unseen by any callback here) is noticed too.
            try (EventFd later = new EventFd()) {
                s.eventfd(h, 2, Syncobjs.WAIT_AVAILABLE, later.fd());
                s.submitJob(h, 2, 1, 1);
                assertTrue((Fds.poll(later.fd().fd(), Fds.POLLIN, 5000) & Fds.POLLIN) != 0);
            }
            s.destroy(h);
        }
    }

    @Test
    void waitForSubmitWaitsForAPointToMaterialise() throws Exception {
        VirtualClock clock = new VirtualClock();
        try (FakeKernel k = kernel(clock)) {
            Syncobjs s = k.device("card0").syncobjs();
            int a = s.createTimeline(), b = s.createTimeline();
            s.submitJob(b, 1, 1, 1);
            clock.advanceNs(1);
            assertEquals(SyncobjRejection.NO_FENCE, assertThrows(SyncobjException.class,
                    () -> s.wait(new int[] {a, b}, new long[] {1, 1}, clock.nowNs(), Syncobjs.WAIT_ALL)).rejection());
            assertEquals(1, s.wait(new int[] {a, b}, new long[] {1, 1}, clock.nowNs(), Syncobjs.WAIT_FOR_SUBMIT),
                    "any: b's point is the first signalled");
            assertEquals(SyncobjRejection.TIMED_OUT, assertThrows(SyncobjException.class,
                    () -> s.wait(new int[] {a, b}, new long[] {1, 1}, clock.nowNs(), Syncobjs.WAIT_ALL | Syncobjs.WAIT_FOR_SUBMIT)).rejection());
            s.signal(a, 1);
            assertEquals(0, s.wait(new int[] {a, b}, new long[] {1, 1}, clock.nowNs(), Syncobjs.WAIT_ALL));
            s.destroy(a);
            s.destroy(b);
        }
    }

    @Test
    void aDeadlineHintMakesALateJobFinishInTime() throws Exception {
        VirtualClock clock = new VirtualClock();
        try (FakeKernel client = kernel(clock); FakeKernel compositor = kernel(clock)) {
            Syncobjs mine = client.device("card0").syncobjs();
            Syncobjs theirs = compositor.device("card0").syncobjs();
            int h = mine.createTimeline();
            int seen;
            try (OwnedFd fd = mine.exportFd(h)) {
                seen = theirs.importFd(fd);
            }
            long vblank = clock.nowNs() + 16 * MS;
            // 24 ms at normal clocks (8 ms past the vblank), 10 ms when boosted.
            mine.submitJob(h, 1, 24 * MS, 10 * MS);
            try (SyncFile acquire = theirs.exportSyncFile(seen, 1)) {
                assertEquals(vblank + 8 * MS, acquire.signalAtNs());
                assertTrue(acquire.setDeadline(vblank), "boosted");
                assertEquals(vblank, acquire.signalAtNs());
                assertFalse(acquire.setDeadline(vblank), "a second hint changes nothing");
                clock.advanceNs(16 * MS);
                assertTrue(readable(acquire.fd()), "signalled by the vblank it was needed for");
            }
            assertEquals(1, mine.boosts(h), "the client learns its job was boosted");
            assertEquals(1, compositor.deadlineBoosts());
            assertEquals(0, client.deadlineBoosts());
            // A job that cannot make it is still hurried as far as it can go.
            mine.submitJob(h, 2, 30 * MS, 20 * MS);
            assertTrue(theirs.setDeadline(seen, 2, clock.nowNs() + 16 * MS));
            clock.advanceNs(20 * MS - 1);
            assertFalse(mine.signalled(h, 2));
            clock.advanceNs(1);
            assertTrue(mine.signalled(h, 2));
            assertEquals(2, compositor.deadlineBoosts());
            mine.destroy(h);
            theirs.destroy(seen);
        }
    }

    @Test
    void aDeadlineHintReachesAnImplicitFenceThroughItsSyncFile() throws Exception {
        VirtualClock clock = new VirtualClock();
        try (FakeKernel k = kernel(clock);
             DmaBuf buf = k.device("card0").allocate(64, 64, Fourcc.XRGB8888, new long[] {Modifiers.LINEAR}, Usage.RENDERING)) {
            long vblank = clock.nowNs() + 16 * MS;
            k.device("card0").submitRenderJob(buf, 24 * MS, 12 * MS);
            try (SyncFile sync = k.exportSyncFile(buf)) {
                assertTrue(sync.setDeadline(vblank));
                assertEquals(vblank, k.writeFenceSignalAtNs(buf), "the buffer's own fence moved");
                assertEquals(1, buf.fenceBoosts());
            }
            // A job that already finished, or never will, is not boosted.
            clock.advanceNs(16 * MS);
            try (SyncFile done = k.exportSyncFile(buf)) {
                assertFalse(done.setDeadline(clock.nowNs()));
            }
            k.setWriteFence(buf, ImplicitFence.NEVER);
            try (SyncFile hung = k.exportSyncFile(buf)) {
                assertFalse(hung.setDeadline(clock.nowNs() + MS));
            }
            assertEquals(1, k.deadlineBoosts());
        }
    }
}
