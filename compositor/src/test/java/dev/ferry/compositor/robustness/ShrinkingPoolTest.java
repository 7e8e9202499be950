package dev.ferry.compositor.robustness;

import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.FerryServer;
import dev.ferry.posix.Memfd;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.interfaces.WlShm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that shrinks its pool file behind the compositor's back. The read path is warmed
 * up first, so it is JIT-compiled: a mapped read of a shrunk file would then abort the JVM
 * (see DESIGN.md). Ferry never maps unsealed pools, so the client gets wl_shm.invalid_fd and
 * everyone else carries on.
 */
@Timeout(120)
class ShrinkingPoolTest {
    private static final int WARM_UP_COMMITS = 20_000;

    @Test
    void shrunkUnsealedPoolIsAnErrorForThatClientAfterTheReadPathIsCompiled() throws Exception {
        try (FerryServer ferry = new FerryServer("cpu")) {
            String socket = ferry.runtimeDir().resolve(ferry.socketName()).toString();
            try (WaylandClient careless = WaylandClient.connect(socket);
                 WaylandClient bystander = WaylandClient.connect(socket)) {
                ShmWindow w = new ShmWindow(careless, "careless", 32, 32, false);
                ShmWindow other = new ShmWindow(bystander, "bystander", 32, 32, true);
                int committed = 0;
                while (committed < WARM_UP_COMMITS) {
                    if (w.draw(mem -> { })) committed++;
                    if (committed % 200 == 0) careless.roundtrip();
                    else careless.dispatch(0);
                }
                careless.roundtrip();
                Memfd.truncate(w.pool().fd(), 0);
                w.draw(mem -> { });
                IOException e = assertThrows(IOException.class, () -> {
                    for (int i = 0; i < 50; i++) careless.roundtrip();
                });
                assertTrue(careless.display().failed(), "expected a protocol error, got " + e);
                assertEquals(WlShm.ERROR_INVALID_FD, careless.display().errorCode(), careless.display().error());
                // The compositor is alive and the other client is still served.
                for (int i = 0; i < 3; i++) {
                    assertTrue(other.draw(ShmWindow.fill(0xff0000)) || other.awaitFrame(1000));
                    assertTrue(other.awaitFrame(2000), "bystander stopped getting frames");
                }
                other.close();
            }
        }
    }

    @Test
    void sealedPoolCannotShrink() throws Exception {
        try (FerryServer ferry = new FerryServer("cpu");
             WaylandClient client = WaylandClient.connect(ferry.runtimeDir().resolve(ferry.socketName()).toString())) {
            ShmWindow w = new ShmWindow(client, "sealed", 32, 32, true);
            PosixException e = assertThrows(PosixException.class, () -> Memfd.truncate(w.pool().fd(), 0));
            assertEquals(1, e.errno(), "EPERM: the seal forbids shrinking");
            w.close();
        }
    }
}
