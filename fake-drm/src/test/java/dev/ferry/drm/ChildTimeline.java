package dev.ferry.drm;

import dev.ferry.posix.EventFd;
import dev.ferry.posix.Fds;
import dev.ferry.posix.MessageSocket;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.UnixSockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Runs in a child JVM for {@link SyncobjCrossProcessTest}, as a client would: makes a timeline,
 * submits a 200 ms render job at point 1 that could go in 2 ms, sends the timeline's fd, then waits
 * (through an eventfd, at most 10 s) for the parent to signal point 2. Exit 0 if it did and the
 * parent's deadline hint hurried the job; 3 otherwise.
 */
public final class ChildTimeline {
    public static void main(String[] args) throws Exception {
        try (FakeKernel k = FakeKernel.open("hybrid-laptop");
             MessageSocket socket = new MessageSocket(UnixSockets.connect(args[0]));
             EventFd released = new EventFd();
             Arena arena = Arena.ofConfined()) {
            Syncobjs s = k.device("card0").syncobjs();
            int h = s.createTimeline();
            s.submitJob(h, 1, 200_000_000L, 2_000_000L);
            s.eventfd(h, 2, 0, released.fd());
            MemorySegment one = arena.allocate(1);
            try (OwnedFd fd = s.exportFd(h)) {
                while (socket.send(one, 0, 1, new int[] {fd.fd()}, 1) < 0) Fds.poll(socket.fd().fd(), Fds.POLLOUT, 1000);
            }
            boolean signalled = (Fds.poll(released.fd().fd(), Fds.POLLIN, 10_000) & Fds.POLLIN) != 0;
            long boosts = s.boosts(h);
            System.out.println("released " + signalled + ", boosts " + boosts + ", last point " + s.query(h));
            s.destroy(h);
            System.exit(signalled && boosts == 1 ? 0 : 3);
        }
    }
}
