package dev.ferry.compositor.syncobj;

import dev.ferry.client.ShmPool;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.drm.DmaBuf;
import dev.ferry.drm.Syncobjs;
import dev.ferry.drm.Usage;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.interfaces.WpLinuxDrmSyncobjManagerV1;
import dev.ferry.protocol.interfaces.WpLinuxDrmSyncobjSurfaceV1;
import dev.ferry.protocol.interfaces.ZwpLinuxBufferParamsV1;
import dev.ferry.protocol.interfaces.ZwpLinuxDmabufV1;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every wp_linux_drm_syncobj_v1 protocol error, each from its own client connection sending the
 * requests a real client would, beside a twin sequence that differs only in the one condition and
 * must be accepted. The error names its object and code; the compositor keeps serving.
 */
class SyncobjProtocolErrorsTest {
    private static SyncFerry ferry;

    @BeforeAll
    static void start() throws Exception {
        ferry = new SyncFerry(100 * SyncFerry.MS);
    }

    @AfterAll
    static void stop() throws Exception {
        ferry.close();
    }

    /** One connection's objects and what it made, closed with it. */
    static final class Conn implements AutoCloseable {
        final WaylandClient client;
        final Proxy compositor;
        final Proxy manager;
        final Proxy dmabuf;
        final Proxy shm;
        final List<AutoCloseable> owned = new ArrayList<>();
        final Syncobjs syncobjs = ferry.clientKernel.device("card0").syncobjs();
        /** Which proxy the error is expected on. */
        Proxy errorOn;

        Conn() throws Exception {
            client = ferry.connect();
            compositor = client.bind(WlCompositor.INTERFACE, 5);
            manager = client.bind(WpLinuxDrmSyncobjManagerV1.INTERFACE, 1);
            dmabuf = client.bind(ZwpLinuxDmabufV1.INTERFACE, 4);
            shm = client.bind(WlShm.INTERFACE, 1);
        }

        Proxy surface() {
            return WlCompositor.createSurface(compositor);
        }

        Proxy syncSurface(Proxy surface) {
            Proxy s = WpLinuxDrmSyncobjManagerV1.getSurface(manager, surface);
            errorOn = s;
            return s;
        }

        /** A timeline made here and imported there. */
        Proxy timeline() throws Exception {
            int h = syncobjs.createTimeline();
            owned.add(() -> syncobjs.destroy(h));
            try (OwnedFd fd = syncobjs.exportFd(h)) {
                return WpLinuxDrmSyncobjManagerV1.importTimeline(manager, fd);
            }
        }

        Proxy dmabufBuffer() throws Exception {
            DmaBuf b = ferry.clientKernel.device("card0").allocate(64, 64, Fourcc.XRGB8888, new long[] {Modifiers.LINEAR}, Usage.RENDERING);
            owned.add(b);
            Proxy params = ZwpLinuxDmabufV1.createParams(dmabuf);
            ZwpLinuxBufferParamsV1.add(params, b.fd(0), 0, b.offset(0), b.stride(0), 0, 0);
            Proxy buffer = ZwpLinuxBufferParamsV1.createImmed(params, 64, 64, Fourcc.XRGB8888, 0);
            ZwpLinuxBufferParamsV1.destroy(params);
            return buffer;
        }

        Proxy shmBuffer() throws Exception {
            ShmPool pool = new ShmPool(shm, 64 * 64 * 4, true);
            owned.add(pool);
            return pool.buffer(0, 64, 64, 256, WlShm.FORMAT_XRGB8888);
        }

        /** After a roundtrip: the error code the compositor sent, or -1 if it accepted everything. */
        int outcome() throws Exception {
            try {
                client.roundtrip();
            } catch (java.io.IOException e) {
                // The compositor hung up after its error event.
            }
            if (!client.display().failed()) return -1;
            if (errorOn != null) assertEquals(errorOn.id(), client.display().errorObjectId(), client.display().error());
            return client.display().errorCode();
        }

        @Override
        public void close() throws Exception {
            client.close();
            for (AutoCloseable c : owned) c.close();
        }
    }

    @FunctionalInterface
    interface Steps {
        void run(Conn c) throws Exception;
    }

    record Row(String error, int code, Steps bad, Steps good) {}

    private static void point(Proxy sync, boolean acquire, Proxy timeline, long p) {
        if (acquire) WpLinuxDrmSyncobjSurfaceV1.setAcquirePoint(sync, timeline, (int) (p >>> 32), (int) p);
        else WpLinuxDrmSyncobjSurfaceV1.setReleasePoint(sync, timeline, (int) (p >>> 32), (int) p);
    }

    /** Attach, points (acquire a, release r on timeline t; a or r < 0: not set), commit. */
    private static void commit(Conn c, Proxy surface, Proxy sync, Proxy buffer, Proxy t, long a, Proxy rt, long r) {
        if (buffer != null) WlSurface.attach(surface, buffer, 0, 0);
        if (a >= 0) point(sync, true, t, a);
        if (r >= 0) point(sync, false, rt, r);
        WlSurface.commit(surface);
    }

    static List<Row> rows() {
        return List.of(
            new Row("surface_exists", WpLinuxDrmSyncobjManagerV1.ERROR_SURFACE_EXISTS,
                c -> { Proxy s = c.surface(); WpLinuxDrmSyncobjManagerV1.getSurface(c.manager, s); c.errorOn = c.manager;
                       WpLinuxDrmSyncobjManagerV1.getSurface(c.manager, s); },
                c -> { Proxy s = c.surface(); Proxy first = WpLinuxDrmSyncobjManagerV1.getSurface(c.manager, s);
                       WpLinuxDrmSyncobjSurfaceV1.destroy(first); WpLinuxDrmSyncobjManagerV1.getSurface(c.manager, s); }),
            new Row("invalid_timeline (not a syncobj)", WpLinuxDrmSyncobjManagerV1.ERROR_INVALID_TIMELINE,
                c -> { c.errorOn = c.manager; try (OwnedFd fd = Memfd.create("not-a-syncobj", 4096)) { WpLinuxDrmSyncobjManagerV1.importTimeline(c.manager, fd); } },
                c -> c.timeline()),
            new Row("invalid_timeline (a binary syncobj)", WpLinuxDrmSyncobjManagerV1.ERROR_INVALID_TIMELINE,
                c -> { c.errorOn = c.manager; int h = c.syncobjs.createBinary(0); c.owned.add(() -> c.syncobjs.destroy(h));
                       try (OwnedFd fd = c.syncobjs.exportFd(h)) { WpLinuxDrmSyncobjManagerV1.importTimeline(c.manager, fd); } },
                c -> c.timeline()),
            new Row("no_surface", WpLinuxDrmSyncobjSurfaceV1.ERROR_NO_SURFACE,
                c -> { Proxy s = c.surface(); Proxy sync = c.syncSurface(s); Proxy t = c.timeline(); WlSurface.destroy(s); point(sync, true, t, 1); },
                c -> { Proxy s = c.surface(); Proxy sync = c.syncSurface(s); Proxy t = c.timeline(); point(sync, true, t, 1); WlSurface.destroy(s); }),
            new Row("unsupported_buffer", WpLinuxDrmSyncobjSurfaceV1.ERROR_UNSUPPORTED_BUFFER,
                c -> { Proxy s = c.surface(); Proxy sync = c.syncSurface(s); Proxy t = c.timeline(); commit(c, s, sync, c.shmBuffer(), t, 1, t, 2); },
                c -> { Proxy s = c.surface(); Proxy sync = c.syncSurface(s); Proxy t = c.timeline(); commit(c, s, sync, c.dmabufBuffer(), t, 1, t, 2); }),
            new Row("no_buffer", WpLinuxDrmSyncobjSurfaceV1.ERROR_NO_BUFFER,
                c -> { Proxy s = c.surface(); Proxy sync = c.syncSurface(s); Proxy t = c.timeline(); commit(c, s, sync, null, t, 1, t, 2); },
                c -> { Proxy s = c.surface(); Proxy sync = c.syncSurface(s); Proxy t = c.timeline(); commit(c, s, sync, c.dmabufBuffer(), t, 1, t, 2); }),
            new Row("no_acquire_point", WpLinuxDrmSyncobjSurfaceV1.ERROR_NO_ACQUIRE_POINT,
                c -> { Proxy s = c.surface(); Proxy sync = c.syncSurface(s); Proxy t = c.timeline(); commit(c, s, sync, c.dmabufBuffer(), t, -1, t, 2); },
                c -> { Proxy s = c.surface(); Proxy sync = c.syncSurface(s); Proxy t = c.timeline(); commit(c, s, sync, c.dmabufBuffer(), t, 1, t, 2); }),
            new Row("no_release_point", WpLinuxDrmSyncobjSurfaceV1.ERROR_NO_RELEASE_POINT,
                c -> { Proxy s = c.surface(); Proxy sync = c.syncSurface(s); Proxy t = c.timeline(); commit(c, s, sync, c.dmabufBuffer(), t, 1, t, -1); },
                c -> { Proxy s = c.surface(); Proxy sync = c.syncSurface(s); Proxy t = c.timeline(); commit(c, s, sync, c.dmabufBuffer(), t, 1, t, 2); }),
            new Row("conflicting_points", WpLinuxDrmSyncobjSurfaceV1.ERROR_CONFLICTING_POINTS,
                c -> { Proxy s = c.surface(); Proxy sync = c.syncSurface(s); Proxy t = c.timeline(); commit(c, s, sync, c.dmabufBuffer(), t, 2, t, 2); },
                c -> { Proxy s = c.surface(); Proxy sync = c.syncSurface(s); Proxy t = c.timeline(); Proxy u = c.timeline();
                       commit(c, s, sync, c.dmabufBuffer(), t, 2, u, 2); })
        );
    }

    @TestFactory
    Stream<DynamicTest> eachErrorByItsConditionAlone() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.error(), () -> {
            try (Conn bad = new Conn()) {
                row.bad().run(bad);
                assertEquals(row.code(), bad.outcome(), row.error() + ": " + bad.client.display().error());
                assertTrue(bad.client.display().error().length() > 10);
            }
            try (Conn good = new Conn()) {
                row.good().run(good);
                assertEquals(-1, good.outcome(), row.error() + " twin was refused: " + good.client.display().error());
            }
        }));
    }

    @Test
    void everyErrorHasARow() {
        java.util.Set<Integer> manager = new java.util.TreeSet<>(), surface = new java.util.TreeSet<>();
        for (Row r : rows()) (r.error().equals("surface_exists") || r.error().startsWith("invalid_timeline") ? manager : surface).add(r.code());
        assertEquals(java.util.Set.of(0, 1), manager);
        assertEquals(java.util.Set.of(1, 2, 3, 4, 5, 6), surface);
    }

    @Test
    void headlessHasNoSyncobjGlobal() throws Exception {
        var dir = Files.createTempDirectory("ferry-headless-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (Compositor headless = Compositor.create(Compositor.Options.headless(dir, "wayland-h").withRenderer("cpu"))) {
            headless.startThread();
            try (WaylandClient c = WaylandClient.connect(dir.resolve(headless.socketName()).toString())) {
                c.roundtrip();
                assertNull(c.global(WpLinuxDrmSyncobjManagerV1.NAME), "headless has no devices, so no syncobjs");
            }
            assertNull(headless.syncobj());
        } finally {
            Files.deleteIfExists(dir.resolve("wayland-h"));
        }
        try (WaylandClient c = ferry.connect()) {
            assertFalse(c.global(WpLinuxDrmSyncobjManagerV1.NAME) == null, "the kms backend on fake devices advertises it");
        }
    }
}
