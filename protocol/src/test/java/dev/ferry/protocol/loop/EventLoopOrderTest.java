package dev.ferry.protocol.loop;

import dev.ferry.posix.Epoll;
import dev.ferry.posix.EventFd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The order of one duty cycle: the prompt sources (timers, devices) and the tasks they post run
 * before the yielding ones (clients), whatever order epoll reports them in, so a repaint deadline
 * does not wait behind every ready client's turn.
 */
class EventLoopOrderTest {
    private EventLoop loop;
    private final List<EventFd> fds = new ArrayList<>();
    private final List<String> ran = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        loop = new EventLoop();
    }

    @AfterEach
    void tearDown() {
        loop.close();
        fds.forEach(EventFd::close);
    }

    private EventFd ready() throws Exception {
        EventFd fd = new EventFd();
        fds.add(fd);
        fd.signal();
        return fd;
    }

    @Test
    void promptSourcesAndTheirTasksRunBeforeYieldingOnes() throws Exception {
        // Yielding ones registered first, so that epoll is likely to report them first.
        for (int i = 0; i < 3; i++) {
            EventFd fd = ready();
            String name = "client " + i;
            loop.addYielding(fd.fd().fd(), Epoll.EPOLLIN, events -> {
                fd.drain();
                ran.add(name);
            });
        }
        EventFd device = ready();
        loop.add(device.fd().fd(), Epoll.EPOLLIN, events -> {
            device.drain();
            ran.add("device");
            loop.execute(() -> ran.add("commit"));
        });
        loop.dispatch(100);
        assertEquals(List.of("device", "commit"), ran.subList(0, 2), "order: " + ran);
        assertEquals(5, ran.size(), "order: " + ran);
    }

    @Test
    void workDeferredByAClientWaitsBehindThePromptSources() throws Exception {
        EventFd device = ready();
        loop.add(device.fd().fd(), Epoll.EPOLLIN, events -> {
            device.drain();
            ran.add("device");
        });
        device.drain();
        loop.later(() -> ran.add("client's next turn"));
        device.signal();
        loop.dispatch(100);
        assertEquals(List.of("device", "client's next turn"), ran);
    }

    @Test
    void aSourceRemovedInACycleIsNotCalledInIt() throws Exception {
        EventFd a = ready();
        EventFd b = ready();
        EventLoop.Source[] client = new EventLoop.Source[1];
        client[0] = loop.addYielding(a.fd().fd(), Epoll.EPOLLIN, events -> {
            a.drain();
            ran.add("removed client");
        });
        loop.add(b.fd().fd(), Epoll.EPOLLIN, events -> {
            b.drain();
            // The client is cut off, and a new source added at once must not inherit its slot's
            // readiness in this cycle.
            client[0].remove();
            EventFd c = new EventFd();
            fds.add(c);
            loop.addYielding(c.fd().fd(), Epoll.EPOLLIN, ev -> ran.add("new source, never signalled"));
            ran.add("device");
        });
        loop.dispatch(100);
        assertEquals(List.of("device"), ran);
    }
}
