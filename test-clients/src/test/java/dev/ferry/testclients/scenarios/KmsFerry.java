package dev.ferry.testclients.scenarios;

import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.dmabuf.FeedbackController;
import dev.ferry.compositor.dmabuf.LinuxDmabufGlobal;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.path.PathObserver;
import dev.ferry.compositor.scene.Window;
import dev.ferry.drm.FaultPlan;
import dev.ferry.drm.KernelClock;
import dev.ferry.drm.VirtualClock;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;
import dev.ferry.testclients.video.FramePattern;
import dev.ferry.testclients.video.VideoClient;
import dev.ferry.testsupport.ClockDriver;

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
import java.util.stream.Stream;

/**
 * A Ferry on the kms backend for a scenario test: its own runtime dir, the loop on a thread, a
 * per-frame log of every surface's path and reasons, and screenshots read from the fake CRTC.
 * The compositor's own linux-dmabuf global is used, with the test's feedback hysteresis.
 */
final class KmsFerry implements AutoCloseable {
    /**
     * The renderer the scenarios run with: gles, or vulkan while {@link VideoPathScenariosVulkanTest} runs (test
     * classes run one at a time). Not auto: the scenarios name GPU composition, and the CPU
     * compositor (what auto picks on llvmpipe) makes those frames system-RAM copies.
     */
    static volatile String renderer = "gles";

    /** One frame of one surface as the backend reported it. */
    record FrameRecord(PathKind path, Set<FallbackReason> reasons, long presentNs) {}

    private final Path runtimeDir;
    private final Compositor compositor;
    private final LinuxDmabufGlobal dmabuf;
    private final Map<Surface, List<FrameRecord>> frames = new IdentityHashMap<>();
    /** On fake-drm's virtual clock: what moves it, and steps the video clients; null on the real clock. */
    private final ClockDriver driver;

    /** The video clients started on the virtual clock, closed with this Ferry if the test did not finish them. */
    private final List<VideoClient.Playback> started = new ArrayList<>();

    private KmsFerry(String topology, long hysteresisNs, VirtualClock clock) throws Exception {
        this(topology, hysteresisNs, clock, FaultPlan.none(), renderer);
    }

    private KmsFerry(String topology, long hysteresisNs, VirtualClock clock, FaultPlan faults, String renderer) throws Exception {
        runtimeDir = Files.createTempDirectory("ferry-scenario-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        compositor = Compositor.create(Compositor.Options.kms(runtimeDir, "wayland-scenario",
                KmsBackend.Config.of(dev.ferry.compositor.devices.FakeDevices.source(topology, clock == null ? KernelClock.monotonic() : clock,
                        faults)))
                .withDmabuf(new LinuxDmabufGlobal.Config(hysteresisNs, LinuxDmabufGlobal.Config.defaults().fenceDeadlineNs()))
                .withRenderer(renderer));
        compositor.startThread();
        if (clock == null) {
            driver = null;
        } else {
            KmsBackend kms = (KmsBackend) compositor.backend();
            // Every preset's outputs refresh at 60 Hz; the shortest period, should one differ, so no vblank is skipped.
            long period = compositor.onLoop(() -> compositor.scene().outputs().stream().mapToLong(Output::refreshNs).min().orElseThrow());
            driver = new ClockDriver(clock, period, () -> compositor.onLoop(() -> null), () -> compositor.onLoop(kms::composing),
                    () -> compositor.onLoop(() -> compositor.loop().nextTimerNs()));
        }
        dmabuf = compositor.linuxDmabuf(); // null only where no device renders (NoRenderDeviceTest)
        compositor.onLoop(() -> {
            compositor.pathObservers().add(new PathObserver() {
                @Override
                public void surfacePresented(Output output, Surface surface, PathKind path, Set<FallbackReason> reasons, long presentNs) {
                    Set<FallbackReason> copy = reasons.isEmpty() ? EnumSet.noneOf(FallbackReason.class) : EnumSet.copyOf(reasons);
                    frames.computeIfAbsent(surface, k -> new ArrayList<>()).add(new FrameRecord(path, copy, presentNs));
                }
            });
            return null;
        });
    }

    /** On the real clock: for clients that pace themselves (third-party ones, ferry's own processes). */
    KmsFerry(String topology, long hysteresisNs) throws Exception {
        this(topology, hysteresisNs, null);
    }

    KmsFerry(String topology) throws Exception {
        this(topology, FeedbackController.DEFAULT_HYSTERESIS_NS);
    }

    /**
     * On fake-drm's virtual clock, end to end (the devices' vblanks, the compositor's timers, the
     * clients' pacing): the test moves it with {@link #driver()}, and the {@link VideoClient}s
     * started with {@link #start} draw each frame when the clock reaches it.
     */
    static KmsFerry onVirtualClock(String topology, long hysteresisNs) throws Exception {
        return new KmsFerry(topology, hysteresisNs, new VirtualClock());
    }

    /** The same with these faults on purpose and this renderer, the default feedback hysteresis. */
    static KmsFerry onVirtualClock(String topology, FaultPlan faults, String renderer) throws Exception {
        return new KmsFerry(topology, FeedbackController.DEFAULT_HYSTERESIS_NS, new VirtualClock(), faults, renderer);
    }

    ClockDriver driver() {
        if (driver == null) throw new IllegalStateException("this Ferry is on the real clock");
        return driver;
    }

    /** A video client stepped on the virtual clock: its window is mapped and its first frame committed. */
    VideoClient.Playback start(VideoClient.Options o) throws java.io.IOException {
        VideoClient.Playback p = new VideoClient(o).start(driver().clock());
        started.add(p);
        driver.add(p);
        return p;
    }

    /** Refreshes until these clients have drawn all their frames and had every answer (bounded by virtual time). */
    void play(VideoClient.Playback... ps) throws java.io.IOException {
        driver().play(MAX_REFRESHES, ps);
    }

    /** Stops stepping it and closes it ({@code beforeClose} sees the screen first); the compositor has seen it go. */
    VideoClient.Summary finish(VideoClient.Playback p, java.util.function.Consumer<VideoClient.Summary> beforeClose) throws java.io.IOException {
        driver().remove(p);
        VideoClient.Summary s = p.finish(beforeClose);
        driver.settle();
        return s;
    }

    /** One client played from start to finish on the virtual clock. */
    VideoClient.Summary run(VideoClient.Options o, java.util.function.Consumer<VideoClient.Summary> beforeClose) throws java.io.IOException {
        VideoClient.Playback p = start(o);
        play(p);
        return finish(p, beforeClose);
    }

    /** More than any scenario needs: a client ends within its frames' refreshes plus 3 s of waits. */
    private static final int MAX_REFRESHES = 2000;

    /** What was on screen while a client's window was still up (taken from the client's beforeClose hook). */
    record Capture(Window window, int[] position, Compositor.Screenshot shot, boolean scanoutTranche) {
        FramePattern.PixelReader pixels() { return reader(shot); }
    }

    private final Map<String, Capture> captures = new java.util.concurrent.ConcurrentHashMap<>();

    /** A beforeClose hook that records the window titled so, its position, and a screenshot of the output. */
    <T> java.util.function.Consumer<T> capture(String title, String output) {
        return summary -> {
            Window w = window(title);
            captures.put(title, new Capture(w, w == null ? null : position(w, output), screenshot(output), w != null && scanoutTranche(w)));
        };
    }

    Capture captured(String title) {
        Capture c = captures.get(title);
        if (c == null || c.window() == null) throw new AssertionError("no window titled " + title + " was captured");
        return c;
    }

    Compositor compositor() { return compositor; }
    Path runtimeDir() { return runtimeDir; }
    String socketPath() { return runtimeDir.resolve(compositor.socketName()).toString(); }
    long hysteresisNs() { return dmabuf.feedback().hysteresisNs(); }

    /** The toplevel whose title contains this, or null. */
    Window window(String title) {
        return compositor.onLoop(() -> {
            for (Window w : compositor.scene().windows()) {
                if (w.kind() == Window.Kind.TOPLEVEL && w.title() != null && w.title().contains(title)) return w;
            }
            return null;
        });
    }

    /** Every frame the surface of that window was presented in, in order. */
    List<FrameRecord> frames(Window w) {
        return compositor.onLoop(() -> List.copyOf(frames.getOrDefault(w.surface(), List.of())));
    }

    /** Every frame the topmost surface of that window's tree (a video subsurface) was presented in, in order. */
    List<FrameRecord> topmostFrames(Window w) {
        return compositor.onLoop(() -> List.copyOf(frames.getOrDefault(w.surface().stack().getLast(), List.of())));
    }

    /** Whether the compositor's feedback for that surface carries a scanout tranche now. */
    boolean scanoutTranche(Window w) {
        return compositor.onLoop(() -> {
            FeedbackController.SurfaceFeedback f = dmabuf.feedback().feedbackOf(w.surface());
            return f != null && f.hasScanoutTranche();
        });
    }

    /** The window's position on that output's screen (layout coordinates minus the output's origin). */
    int[] position(Window w, String output) {
        return compositor.onLoop(() -> {
            var o = compositor.scene().outputNamed(output);
            return new int[] {w.x() - o.x(), w.y() - o.y()};
        });
    }

    Compositor.Screenshot screenshot(String output) {
        return compositor.screenshot(output);
    }

    static FramePattern.PixelReader reader(Compositor.Screenshot shot) {
        return (x, y) -> x < 0 || y < 0 || x >= shot.width() || y >= shot.height() ? 0 : shot.at(x, y) & 0xffffff;
    }

    /** Frames by path, as shares of all frames, for reports. */
    static String shares(List<FrameRecord> recs) {
        Map<PathKind, Integer> n = new java.util.EnumMap<>(PathKind.class);
        for (FrameRecord r : recs) n.merge(r.path(), 1, Integer::sum);
        StringBuilder s = new StringBuilder();
        for (var e : n.entrySet()) {
            s.append(s.isEmpty() ? "" : ", ").append(e.getKey().label()).append(' ').append(e.getValue())
                    .append(String.format(" (%.0f%%)", 100.0 * e.getValue() / recs.size()));
        }
        return s.toString();
    }

    @Override
    public void close() throws Exception {
        for (VideoClient.Playback p : started) p.close();
        compositor.close();
        try (Stream<Path> s = Files.walk(runtimeDir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
