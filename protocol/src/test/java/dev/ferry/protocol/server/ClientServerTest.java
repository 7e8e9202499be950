package dev.ferry.protocol.server;

import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.UnixSockets;
import dev.ferry.protocol.Trace;
import dev.ferry.protocol.client.ClientDisplay;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlCallback;
import dev.ferry.protocol.interfaces.WlDisplay;
import dev.ferry.protocol.interfaces.WlRegistry;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.interfaces.WlShmPool;
import dev.ferry.protocol.loop.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Generated client proxies against generated server handlers through a real Display: registry,
 * an untyped new_id bind, an fd argument, events back, destruction, and the protocol trace.
 * Both sides run on the test thread, one duty cycle at a time.
 */
class ClientServerTest {
    private int liveAtStart;
    private EventLoop loop;
    private Display display;
    private ClientDisplay client;
    private Client serverSide;
    private final List<String> poolsSeen = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        liveAtStart = OwnedFd.liveCount();
        loop = new EventLoop();
        display = new Display(loop);
        WlShm.Requests shm = new WlShm.Requests() {
            @Override
            public void createPool(Resource self, int id, OwnedFd fd, int size) {
                try (fd) {
                    poolsSeen.add(size + "@" + Memfd.size(fd));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                self.client().createResource(id, WlShmPool.INTERFACE, self.version(), null);
            }

            @Override
            public void release(Resource self) {
                self.destroy();
            }
        };
        display.addGlobal(WlShm.INTERFACE, 2, (c, version, id) -> {
            Resource r = c.createResource(id, WlShm.INTERFACE, version, shm);
            WlShm.sendFormat(r, WlShm.FORMAT_ARGB8888);
            WlShm.sendFormat(r, WlShm.FORMAT_XRGB8888);
        });
        OwnedFd[] pair = UnixSockets.pair();
        serverSide = display.addClient(pair[0]);
        client = ClientDisplay.over(pair[1]);
    }

    @AfterEach
    void tearDown() {
        Trace.enable(false);
        Trace.sink(System.err);
        client.close();
        display.close();
        loop.close();
        assertEquals(liveAtStart, OwnedFd.liveCount(), () -> "fds left open: " + OwnedFd.liveFds());
    }

    /** Flushes the client, runs the server, dispatches what came back, until done. */
    private void pump(BooleanSupplier done) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            client.flush();
            loop.dispatch(5);
            client.dispatch(5);
        }
    }

    private boolean[] sync() {
        boolean[] done = new boolean[1];
        WlDisplay.sync(client.display()).listen(new WlCallback.Listener() {
            @Override
            public void done(Proxy self, int data) {
                done[0] = true;
            }
        });
        return done;
    }

    @Test
    void registryBindWithAnUntypedNewIdAndAnFdArgument() throws Exception {
        List<String> globals = new ArrayList<>();
        Proxy registry = WlDisplay.getRegistry(client.display());
        registry.listen(new WlRegistry.Listener() {
            @Override
            public void global(Proxy self, int name, String iface, int version) {
                globals.add(name + ":" + iface + ":" + version);
            }
        });
        boolean[] first = sync();
        pump(() -> first[0]);
        assertEquals(List.of("1:wl_shm:2"), globals);

        List<Integer> formats = new ArrayList<>();
        Proxy shm = WlRegistry.bind(registry, 1, WlShm.INTERFACE, 2);
        shm.listen(new WlShm.Listener() {
            @Override
            public void format(Proxy self, int format) {
                formats.add(format);
            }
        });
        Proxy pool;
        try (OwnedFd fd = Memfd.create("pool", 8192)) {
            pool = WlShm.createPool(shm, fd, 8192);
        }
        boolean[] second = sync();
        pump(() -> second[0]);
        assertEquals(List.of(WlShm.FORMAT_ARGB8888, WlShm.FORMAT_XRGB8888), formats);
        assertEquals(List.of("8192@8192"), poolsSeen);
        Resource shmResource = serverSide.resource(shm.id());
        assertNotNull(shmResource);
        assertEquals(WlShm.INTERFACE, shmResource.iface());
        assertEquals(2, shmResource.version());
        assertNotNull(serverSide.resource(pool.id()));

        WlShm.release(shm);
        boolean[] third = sync();
        pump(() -> third[0]);
        assertTrue(shmResource.destroyed());
        assertEquals(null, serverSide.resource(shm.id()));
        assertFalse(client.failed());
    }

    @Test
    void roundtripAnswersAndCallbackIdsAreRecycled() throws Exception {
        for (int i = 0; i < 50; i++) {
            boolean[] done = sync();
            pump(() -> done[0]);
        }
        assertEquals(1, serverSide.objectCount(), "only wl_display is left");
    }

    @Test
    void protocolErrorReachesTheClientWithItsCodeAndObject() throws Exception {
        Proxy registry = WlDisplay.getRegistry(client.display());
        WlRegistry.bind(registry, 99, WlShm.INTERFACE, 1);
        pump(client::failed);
        assertEquals(WlDisplay.ERROR_INVALID_OBJECT, client.errorCode());
        assertEquals(1, client.errorObjectId());
        assertTrue(client.error().contains("invalid global wl_shm (99)"), client.error());
        assertTrue(serverSide.disconnected());
    }

    @Test
    void traceWritesOneLinePerMessageInBothDirections() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.sink(new PrintStream(out, true, StandardCharsets.UTF_8));
        Trace.enable(true);
        boolean[] done = sync();
        pump(() -> done[0]);
        Proxy registry = WlDisplay.getRegistry(client.display());
        WlRegistry.bind(registry, 1, WlShm.INTERFACE, 1);
        boolean[] again = sync();
        pump(() -> again[0]);
        Trace.enable(false);
        String trace = out.toString(StandardCharsets.UTF_8);
        List<String> lines = trace.lines().toList();
        // Client and server share this JVM: each message shows once sent and once received.
        assertEquals(1, count(lines, "-> wl_display@1.sync(new id wl_callback@2)"), trace);
        assertEquals(1, count(lines, "<- wl_display@1.sync(new id wl_callback@2)"), trace);
        assertEquals(2, count(lines, "wl_callback@2.done("), trace);
        assertEquals(2, count(lines, "wl_display@1.delete_id(2)"), trace);
        // The callback's id was freed by delete_id, so the registry reuses 2, as libwayland does.
        assertEquals(2, count(lines, "wl_registry@2.bind(1, \"wl_shm\" v1 new id @3)"), trace);
        assertEquals(2, count(lines, "wl_registry@2.global(1, \"wl_shm\", 2)"), trace);
        assertEquals(2, count(lines, "wl_shm@3.format(0)"), trace);
        for (String line : lines) assertTrue(line.matches("\\[\\d+\\.\\d{3}] \\w+ (<-|->) \\w+@\\d+\\.\\w+\\(.*\\)"), line);
        int before = out.size();
        boolean[] quiet = sync();
        pump(() -> quiet[0]);
        assertEquals(before, out.size(), "nothing traced once switched off");
    }

    private static long count(List<String> lines, String part) {
        return lines.stream().filter(l -> l.contains(part)).count();
    }
}
