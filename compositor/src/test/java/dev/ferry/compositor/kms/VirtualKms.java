package dev.ferry.compositor.kms;

import dev.ferry.client.DmabufAllocator;
import dev.ferry.client.DmabufWindow;
import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.devices.FakeDevices;
import dev.ferry.compositor.dmabuf.LinuxDmabufGlobal;
import dev.ferry.compositor.frame.ReferenceComposition;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.path.PathObserver;
import dev.ferry.compositor.scene.Window;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.FaultPlan;
import dev.ferry.drm.VirtualClock;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;
import dev.ferry.testsupport.ClockDriver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A kms Ferry on fake-drm's virtual clock, end to end: the devices' vblanks, the compositor's
 * loop timers (flip watchdog, retries, rate hysteresis) and every timestamp a client sees move
 * only when the test calls {@link #refresh}. The test thread drives the clients too, so a frame
 * is one refresh whatever the machine's load, and hundreds of 60 Hz frames take milliseconds.
 *
 * <p>The only real-time waits are for work, never for time: the loop handling what a clock move
 * made ready, a composition on the renderer's threads finishing, a client's roundtrip.
 */
public final class VirtualKms implements AutoCloseable {
    /** One frame of one surface as the backend reported it, and the virtual time it was presented. */
    record Rec(PathKind path, Set<FallbackReason> reasons, long presentNs) {}

    static final long MS = 1_000_000L;

    public final VirtualClock clock = new VirtualClock();
    final Path dir;
    public final Compositor c;
    final String output;
    /** Per surface, every frame it was presented in, in order. */
    final Map<Surface, List<Rec>> log = new IdentityHashMap<>();
    /** Per output frame, oldest first: its path and the device that did it. */
    final List<String> outputFrames = new ArrayList<>();
    private final List<WaylandClient> clients = new ArrayList<>();
    private final KmsBackend kms;
    private final long periodNs;
    /** Moves the clock and settles the loop and the clients: the one driver of the kms tests on virtual time. */
    public final ClockDriver driver;

    public VirtualKms(String topology, String output, FaultPlan faults, String renderer) throws Exception {
        this(topology, output, faults, renderer, LinuxDmabufGlobal.Config.defaults().feedbackHysteresisNs());
    }

    /** With this dma-buf feedback hysteresis (on the virtual clock, as every loop timer). */
    public VirtualKms(String topology, String output, FaultPlan faults, String renderer, long feedbackHysteresisNs) throws Exception {
        this.output = output;
        dir = Files.createTempDirectory("ferry-vkms-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        c = Compositor.create(Compositor.Options.kms(dir, "wayland-v", KmsBackend.Config.of(FakeDevices.source(topology, clock, faults)))
                .withRenderer(renderer)
                .withDmabuf(new LinuxDmabufGlobal.Config(feedbackHysteresisNs, LinuxDmabufGlobal.Config.defaults().fenceDeadlineNs())));
        c.startThread();
        kms = (KmsBackend) c.backend();
        periodNs = c.onLoop(() -> c.scene().outputNamed(output).refreshNs());
        driver = new ClockDriver(clock, periodNs, () -> c.onLoop(() -> null), () -> c.onLoop(kms::composing),
                () -> c.onLoop(() -> c.loop().nextTimerNs()));
        c.onLoop(() -> {
            c.pathObservers().add(new PathObserver() {
                @Override
                public void surfacePresented(Output o, Surface surface, PathKind path, Set<FallbackReason> reasons, long presentNs) {
                    log.computeIfAbsent(surface, k -> new ArrayList<>())
                            .add(new Rec(path, reasons.isEmpty() ? EnumSet.noneOf(FallbackReason.class) : EnumSet.copyOf(reasons), presentNs));
                }

                @Override
                public void outputPresented(Output o, PathKind framePath, String device, long presentNs) {
                    if (o.name().equals(output)) outputFrames.add(framePath.label() + "@" + device);
                }
            });
            return null;
        });
    }

    public long periodNs() { return periodNs; }

    public WaylandClient connect() throws IOException {
        WaylandClient client = WaylandClient.connect(dir.resolve("wayland-v").toString());
        clients.add(client);
        driver.addClient(client);
        client.roundtrip();
        return client;
    }

    /** The client dies (its connection closed, as a killed client's would be), and the compositor has seen it go. */
    public void kill(WaylandClient client) throws IOException {
        clients.remove(client);
        driver.removeClient(client);
        client.close();
        settle();
    }

    FakeKernel kernel() {
        return (FakeKernel) c.backend().devices().orElseThrow();
    }

    DmabufWindow video(WaylandClient client, String title, int w, int h, boolean fullscreen) throws IOException {
        DmabufWindow.Options o = DmabufWindow.Options.of(title, w, h);
        if (fullscreen) o = o.fullscreen(true).output(output);
        DmabufWindow win = new DmabufWindow(client, new DmabufAllocator(kernel()), o);
        settle();
        return win;
    }

    /** A dma-buf window with these options (a format, a first modifier). */
    DmabufWindow video(WaylandClient client, DmabufWindow.Options o) throws IOException {
        DmabufWindow win = new DmabufWindow(client, new DmabufAllocator(kernel()), o);
        settle();
        return win;
    }

    ShmWindow shm(WaylandClient client, String title, int w, int h) throws Exception {
        ShmWindow win = new ShmWindow(client, title, w, h, true);
        settle();
        return win;
    }

    Window window(String title) {
        return c.onLoop(() -> {
            for (Window w : c.scene().windows()) if (title.equals(w.title())) return w;
            return null;
        });
    }

    Surface surface(String title) {
        return window(title).surface();
    }

    void move(String title, int x, int y) throws IOException {
        c.onLoop(() -> {
            c.scene().move(window(title), x, y);
            return null;
        });
        settle();
    }

    /** Every frame the window's surface was presented in so far. */
    List<Rec> all(String title) {
        return c.onLoop(() -> List.copyOf(log.getOrDefault(window(title).surface(), List.of())));
    }

    /** The last n records of the window's surface. */
    List<Rec> last(String title, int n) {
        List<Rec> all = all(title);
        return List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
    }

    /** Lets the compositor and the clients finish what is ready now, with the clock still ({@link ClockDriver#settle}). */
    public void settle() throws IOException {
        driver.settle();
    }

    /** One refresh period of virtual time ({@link ClockDriver#refresh}). */
    public void refresh() throws IOException {
        driver.refresh();
    }

    /** Refreshes until the condition holds; fails after maxRefreshes. */
    public void refreshUntil(BooleanSupplier condition, int maxRefreshes, String what) throws IOException {
        driver.refreshUntil(condition, maxRefreshes, what);
    }

    /** Commits frame n of the window (a free buffer must be there: one comes back by the frame after next). */
    void commit(DmabufWindow w, long n) throws IOException {
        int rgb = (int) (0x00300000 + n * 0x010203) & 0xffffff;
        settle();
        refreshUntil(() -> {
            try {
                return w.drawFrame(n, canvas -> canvas.fill(rgb), 0);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, 4, "a free buffer for frame " + n);
        settle();
    }

    /** Commits frame n and refreshes until its frame callback came: the frame showing it is on screen. */
    void frame(DmabufWindow w, long n) throws IOException {
        commit(w, n);
        refreshUntil(() -> !w.framePending(), 4, "the frame callback of frame " + n);
    }

    /** Draws the shm window in one colour and refreshes until its frame callback came. */
    void frame(ShmWindow w, int xrgb) throws IOException {
        settle();
        refreshUntil(() -> w.draw(ShmWindow.fill(xrgb)), 4, "a free shm buffer");
        long done = w.framesDone();
        settle();
        refreshUntil(() -> w.framesDone() > done, 4, "the shm window's frame callback");
    }

    /**
     * What the fake CRTC scans out equals a from-scratch composition of the scene, pixel for
     * pixel. The frame showing the last change may still be queued: a refresh or two latch it; a
     * stale region never converges and fails with where it is.
     */
    void assertShowsScene(String step) throws IOException {
        assertShowsScene(output, step);
    }

    /** The same for another output of the topology. */
    void assertShowsScene(String on, String step) throws IOException {
        String[] why = {""};
        for (int i = 0; i < 3; i++) {
            if (showsScene(on, why)) return;
            refresh();
        }
        if (!showsScene(on, why)) fail(step + ": the CRTC of " + on + " does not show the scene: " + why[0]);
    }

    private boolean showsScene(String on, String[] why) {
        why[0] = sceneMismatch(c, on);
        return why[0] == null;
    }

    /**
     * Null when the output's CRTC read-back equals a from-scratch composition of the scene,
     * pixel for pixel; else how many pixels differ and the first. The one read-back check of the
     * kms tests (PlaneFeaturesTest, on the real clock, polls it).
     */
    static String sceneMismatch(Compositor c, String output) {
        Compositor.Screenshot shot = c.screenshot(output);
        int[] expected = c.onLoop(() -> ReferenceComposition.compose(c.scene(), c.scene().outputNamed(output)));
        int differ = 0, first = -1;
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != shot.pixels()[i]) {
                if (first < 0) first = i;
                differ++;
            }
        }
        if (differ == 0) return null;
        return differ + " pixels differ; first at (" + first % shot.width() + ", " + first / shot.width() + "): shown "
                + Integer.toHexString(shot.pixels()[first]) + ", expected " + Integer.toHexString(expected[first]);
    }

    /**
     * Waits until no window is mapped (clients that left). A hang-up is a socket event, not a clock
     * one: the loop reads it whenever it gets the CPU, so this waits in real time with the clock
     * still (counting refreshes failed under load, when four went by before the loop ran).
     */
    void awaitNoWindows() {
        ClockDriver.awaitWork(() -> c.onLoop(() -> c.scene().windows().isEmpty()), "the windows went away");
    }

    @Override
    public void close() throws IOException {
        for (WaylandClient client : clients) client.close();
        c.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
