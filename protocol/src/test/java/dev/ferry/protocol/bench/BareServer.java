package dev.ferry.protocol.bench;

import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.UnixSockets;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.interfaces.WlShmPool;
import dev.ferry.protocol.loop.EventLoop;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The smallest Ferry server there is: a {@link Display} on one {@link EventLoop} thread, on a
 * socket path, with a single wl_shm global (pools are accepted and their fds closed). Enough for
 * wl_display_roundtrip and registry latency until the compositor's own main exists.
 *
 * <pre>java ... dev.ferry.protocol.bench.BareServer SOCKET   (a name under $XDG_RUNTIME_DIR, or a path)</pre>
 */
public final class BareServer {
    private BareServer() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: BareServer SOCKET");
            System.exit(2);
        }
        Path path = Path.of(args[0]);
        if (!path.isAbsolute()) {
            String runtime = System.getenv("XDG_RUNTIME_DIR");
            if (runtime == null) throw new IllegalStateException("XDG_RUNTIME_DIR is not set");
            path = Path.of(runtime).resolve(path);
        }
        Files.deleteIfExists(path);
        EventLoop loop = new EventLoop();
        Display display = new Display(loop);
        WlShm.Requests shm = new WlShm.Requests() {
            @Override
            public void createPool(Resource self, int id, OwnedFd fd, int size) {
                fd.close();
                self.client().createResource(id, WlShmPool.INTERFACE, self.version(), null);
            }

            @Override
            public void release(Resource self) {
                self.destroy();
            }
        };
        display.addGlobal(WlShm.INTERFACE, 2, (client, version, id) -> {
            Resource r = client.createResource(id, WlShm.INTERFACE, version, shm);
            WlShm.sendFormat(r, WlShm.FORMAT_ARGB8888);
            WlShm.sendFormat(r, WlShm.FORMAT_XRGB8888);
        });
        OwnedFd listener = UnixSockets.listen(path.toString(), 128);
        display.listen(listener);
        Path socket = path;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(socket);
            } catch (Exception ignored) {
                // leaving the socket file behind is harmless
            }
        }));
        System.err.println("BareServer: serving " + path);
        loop.run();
    }
}
