package dev.ferry.posix;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** epoll with eventfd and timerfd: the pieces of the event loop. */
class LoopPrimitivesTest {
    @Test
    void epollReportsEventFdAndTimerWithTheirTokens() throws Exception {
        int live = OwnedFd.liveCount();
        try (Epoll epoll = new Epoll(8); EventFd ev = new EventFd(); TimerFd timer = new TimerFd()) {
            epoll.add(ev.fd().fd(), Epoll.EPOLLIN, 7);
            epoll.add(timer.fd().fd(), Epoll.EPOLLIN, 9);
            assertEquals(0, epoll.await(0));

            ev.signal();
            ev.signal();
            assertEquals(1, epoll.await(1000));
            assertEquals(7, epoll.token(0));
            assertEquals(2, ev.drain());
            assertEquals(0, epoll.await(0));

            long start = System.nanoTime();
            timer.armAt(MonotonicClock.nowNs() + 5_000_000L);
            assertEquals(1, epoll.await(1000));
            assertEquals(9, epoll.token(0));
            assertTrue(System.nanoTime() - start >= 4_000_000L, "timer fired early");
            assertEquals(1, timer.drain());
            epoll.remove(ev.fd().fd());
            ev.signal();
            assertEquals(0, epoll.await(0));
        }
        assertEquals(live, OwnedFd.liveCount());
    }
}
