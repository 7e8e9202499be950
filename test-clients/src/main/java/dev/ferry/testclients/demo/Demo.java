package dev.ferry.testclients.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.client.DmabufWindow;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.compositor.devices.FakeDevices;
import dev.ferry.drm.KernelClock;
import dev.ferry.drm.topology.Topologies;
import dev.ferry.drm.topology.Topology;
import dev.ferry.compositor.dmabuf.FeedbackController;
import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.compositor.scene.Window;
import dev.ferry.compositor.stats.PathCounters;
import dev.ferry.drm.DrmDevice;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.kms.PathKind;
import dev.ferry.testclients.report.ReportCommand;
import dev.ferry.testclients.video.VideoClient;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * `ferry demo`: Ferry in-process on a fake topology (kms backend, private runtime dir), sample
 * video clients ({@link VideoClient}, on threads) on every output, a progress line a second, then
 * the fallback report as text, HTML with a timeline chart, PNG, and the stats JSON beside them.
 *
 * <p>The demo plays window manager for the clients it puts on a second output: once a client's
 * window is mapped it moves it to that output's origin (through the Scene, on the event loop).
 */
public final class Demo {
    /** What to run. */
    public record Options(String topology, String renderer, double seconds, int fps, Path out, Scenario scenario, String showOn) {
        /** The default tour. */
        public Options(String topology, String renderer, double seconds, int fps, Path out) {
            this(topology, renderer, seconds, fps, out, Scenario.TOUR);
        }

        /** Not shown on a host. */
        public Options(String topology, String renderer, double seconds, int fps, Path out, Scenario scenario) {
            this(topology, renderer, seconds, fps, out, scenario, null);
        }

        /**
         * Each fake connector shown in a window of the host compositor at host (its socket
         * name or path; "" for $WAYLAND_DISPLAY): the nested backend with the topology.
         */
        public Options showingOn(String host) {
            return new Options(topology, renderer, seconds, fps, out, scenario, host);
        }
    }

    /** What came out. */
    public record Result(List<String> outputs, ReportCommand.Written written, Map<String, VideoClient.Summary> clients) {}

    /** The last feedback state seen for a client's surface (surfaces go when clients leave). */
    private record FeedbackSeen(int changes, long changeToScanoutNs, boolean scanoutTranche) {}

    private final Options options;
    private final PrintStream out;
    private final Map<String, FeedbackSeen> feedback = new ConcurrentHashMap<>();

    public Demo(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public Result run() throws Exception {
        Path runtime = Files.createTempDirectory("ferry-demo-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Topology topology = Topologies.load(options.topology());
        String unfit = options.scenario().unfitFor(topology);
        if (unfit != null) throw new IllegalArgumentException("scenario " + options.scenario().label() + ": " + unfit);
        String faults = options.scenario().faults(topology, options.seconds());
        KmsBackend.Config config = KmsBackend.Config.of(faults == null ? FakeDevices.source(options.topology())
                : FakeDevices.source(options.topology(), KernelClock.monotonic(), FakeDevices.faultPlan(faults, options.topology())));
        Compositor.Options run = options.showOn() == null ? Compositor.Options.kms(runtime, "wayland-demo", config)
                : new Compositor.Options(runtime, "nested", "wayland-demo", 0, 0, 0, 0, "auto", config,
                        options.showOn().isEmpty() ? null : options.showOn());
        dev.ferry.compositor.cli.StartupWarmup.awaitLog();
        try (Compositor c = Compositor.create(run.withRenderer(options.renderer()))) {
            c.startThread();
            List<String> outputs = c.onLoop(() -> c.scene().outputs().stream().map(Output::name).toList());
            List<String> renderDevices = new ArrayList<>();
            for (DrmDevice d : c.backend().devices().orElseThrow().devices()) if (d.info().canRender()) renderDevices.add(d.info().name());
            List<DemoPlan> plans = options.scenario() == Scenario.OFFLOAD ? DemoPlan.offload(outputs, renderDevices)
                    : DemoPlan.forOutputs(outputs, renderDevices);
            out.printf(Locale.ROOT, "ferry demo: scenario %s (%s)%n", options.scenario().label(), options.scenario().description());
            out.printf(Locale.ROOT, "ferry demo: %s topology, outputs %s, renderer %s; %d clients for %.0f s%s%n",
                    options.topology(), String.join(", ", outputs), options.renderer(), plans.size(), options.seconds(),
                    faults == null ? "" : "; faults " + faults);
            for (DemoPlan p : plans) {
                out.printf(Locale.ROOT, "  %-36s %-6s %-10s %s%s%s%n", p.title(), p.buffers(), p.placement(),
                        p.output() == null ? "on " + outputs.getFirst() : "on " + p.output(),
                        p.device() == null ? "" : ", allocated on " + p.device() + " (offload)",
                        p.startFraction() == 0 ? "" : String.format(Locale.ROOT, ", from %.1f s", p.startFraction() * options.seconds()));
            }
            Map<String, VideoClient.Summary> summaries = new ConcurrentHashMap<>();
            List<Thread> threads = new ArrayList<>();
            Set<String> placed = new HashSet<>();
            String socket = runtime.resolve(c.socketName()).toString();
            long runStartNs = System.nanoTime();
            for (DemoPlan p : plans) {
                long startDelayMs = Math.round(p.startFraction() * options.seconds() * 1000);
                int frames = (int) Math.max(1, Math.round(options.seconds() * options.fps()));
                VideoClient.Options vo = VideoClient.Options.of(socket).title(p.title()).topology(options.topology())
                        .buffers(p.dmabuf() ? DmabufWindow.Buffers.DMABUF : DmabufWindow.Buffers.SHM)
                        .size(p.width() == 0 ? 640 : p.width(), p.height() == 0 ? 360 : p.height())
                        .fullscreen(p.fullscreen()).fps(options.fps()).frames(frames).device(p.device())
                        .modifier(p.modifier() == null ? null : Modifiers.parse(p.modifier()));
                threads.add(Thread.ofPlatform().name("demo-" + p.title()).daemon().start(() -> {
                    try {
                        VideoClient.Options o = vo;
                        if (startDelayMs > 0) {
                            long startedNs = waitForScanoutOrLate(c, outputs.getFirst(), runStartNs, startDelayMs);
                            double left = options.seconds() - (startedNs - runStartNs) / 1e9;
                            o = vo.frames((int) Math.max(1, Math.round(left * options.fps())));
                        }
                        summaries.put(p.title(), new VideoClient(o).run());
                    } catch (Exception e) {
                        out.println("  " + p.title() + ": " + e);
                    }
                }));
                // One at a time, so windows stack in plan order.
                long waitUntil = System.nanoTime() + 1_500_000_000L;
                while (startDelayMs == 0 && p.output() != null && !placed.contains(p.title()) && System.nanoTime() < waitUntil) {
                    place(c, plans, placed);
                    Thread.sleep(20);
                }
            }
            progress(c, plans, outputs, threads, placed);
            for (Thread t : threads) t.join(3000);
            snapshotFeedback(c);
            ObjectNode root = (ObjectNode) new ObjectMapper().readTree(c.statsJson());
            ObjectNode demo = root.putObject("demo").put("topology", options.topology()).put("scenario", options.scenario().label())
                    .put("seconds", options.seconds()).put("fps", options.fps());
            ObjectNode perSecond = demo.putObject("frames_per_second");
            for (Map.Entry<String, List<Long>> e : FramesPerSecond.fromTimeline(root.path("timeline")).entrySet()) {
                ArrayNode a = perSecond.putArray(e.getKey());
                e.getValue().forEach(a::add);
            }
            ArrayNode clients = demo.putArray("clients");
            for (DemoPlan p : plans) {
                VideoClient.Summary s = summaries.get(p.title());
                FeedbackSeen f = feedback.get(p.title());
                ObjectNode n = clients.addObject().put("title", p.title()).put("buffers", p.buffers())
                        .put("placement", p.placement()).put("output", p.output() == null ? outputs.getFirst() : p.output())
                        .put("device", p.device() == null ? "" : p.device())
                        .put("presented", s == null ? 0 : s.presented())
                        .put("zero_copy_presented", s == null ? 0 : s.zeroCopyPresented())
                        .put("feedback_changes", f == null ? 0 : f.changes())
                        .put("change_to_scanout_ms", f == null || f.changeToScanoutNs() < 0 ? -1 : f.changeToScanoutNs() / 1e6)
                        .put("scanout_tranche", f != null && f.scanoutTranche());
                if (s != null && s.failure() != null) n.put("failure", s.failure());
                if (s != null && s.protocolError() != null) n.put("protocol_error", s.protocolError());
            }
            out.println();
            out.println("frames presented per second, by presentation time:");
            for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) perSecond::fields) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-10s", e.getKey()));
                for (JsonNode n : e.getValue()) line.append(' ').append(n.asLong());
                out.println(line);
            }
            out.println();
            ReportCommand.Written w = ReportCommand.write(root, options.out(), out, false, true);
            out.println();
            out.println("report: " + w.html().toAbsolutePath());
            out.println("chart:  " + w.png().toAbsolutePath());
            out.println("stats:  " + w.stats().toAbsolutePath() + "   (ferry report --from " + w.stats().toAbsolutePath() + ")");
            return new Result(outputs, w, summaries);
        } finally {
            try (Stream<Path> s = Files.walk(runtime)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * Holds a late client back until the primary output has shown a directly scanned-out frame
     * (so the run shows that path before windows cover the fullscreen video) and its start time
     * has come, or until 80 % of the run has passed. Returns when it let go.
     */
    private long waitForScanoutOrLate(Compositor c, String primary, long runStartNs, long delayMs) throws InterruptedException {
        long earliest = runStartNs + delayMs * 1_000_000L, latest = runStartNs + (long) (0.8 * options.seconds() * 1e9);
        while (true) {
            long now = System.nanoTime();
            if (now >= latest) return now;
            if (now >= earliest && c.onLoop(() -> {
                PathCounters pc = c.pathStatistics().output(primary);
                return pc != null && pc.frames(PathKind.DIRECT_SCANOUT) > 0;
            })) return now;
            Thread.sleep(50);
        }
    }

    /** A line a second: frames per output by path in that second; meanwhile, places windows and watches feedback. */
    private void progress(Compositor c, List<DemoPlan> plans, List<String> outputs, List<Thread> threads, Set<String> placed)
            throws InterruptedException {
        long startNs = System.nanoTime();
        long endNs = startNs + (long) (options.seconds() * 1e9);
        Map<String, long[]> last = new LinkedHashMap<>();
        int second = 0;
        while (true) {
            long now = System.nanoTime();
            boolean running = threads.stream().anyMatch(Thread::isAlive);
            if (now >= endNs + 3_000_000_000L || (now >= endNs && !running)) break;
            for (int tick = 0; tick < 10; tick++) {
                place(c, plans, placed);
                Thread.sleep(100);
            }
            snapshotFeedback(c);
            second++;
            Map<String, long[]> counts = c.onLoop(() -> {
                Map<String, long[]> m = new LinkedHashMap<>();
                for (String o : outputs) {
                    PathCounters pc = c.pathStatistics().output(o);
                    long[] v = new long[PathKind.values().length];
                    if (pc != null) for (PathKind k : PathKind.values()) v[k.ordinal()] = pc.frames(k);
                    m.put(o, v);
                }
                return m;
            });
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %2d s", second));
            for (Map.Entry<String, long[]> e : counts.entrySet()) {
                long[] prev = last.getOrDefault(e.getKey(), new long[e.getValue().length]);
                line.append("  ").append(e.getKey()).append(':');
                long total = 0;
                for (PathKind k : PathKind.values()) {
                    long d = e.getValue()[k.ordinal()] - prev[k.ordinal()];
                    total += d;
                    if (d > 0) line.append(' ').append(short_(k)).append(' ').append(d);
                }
                if (total == 0) line.append(" idle");
                last.put(e.getKey(), e.getValue());
            }
            out.println(line);
            // What broke and how Ferry recovered, as it happens (a device unplugged, back again).
            List<dev.ferry.compositor.stats.FaultLog.Entry> met = c.onLoop(() -> c.faults().entries());
            for (int i = faultsShown; i < met.size(); i++) {
                var e = met.get(i);
                out.printf(Locale.ROOT, "       %s %s: %s%s%n", e.kind().label(), e.where(), e.recovery(),
                        e.framesLost() == 0 ? "" : " (" + e.framesLost() + " frame" + (e.framesLost() == 1 ? "" : "s") + " lost)");
            }
            faultsShown = Math.max(faultsShown, met.size());
        }
    }

    /** Fault log entries already printed by {@link #progress}. */
    private int faultsShown;

    private static String short_(PathKind k) {
        return switch (k) {
            case DIRECT_SCANOUT -> "scanout";
            case OVERLAY_PLANE -> "overlay";
            case HOST_PASSTHROUGH -> "host";
            case GPU_COMPOSITION -> "gpu";
            case CPU_COPY -> "ram-copy";
            case NOT_SHOWN -> "not-shown";
        };
    }

    /** Moves a mapped window planned for another output to that output's top-left corner. */
    private static void place(Compositor c, List<DemoPlan> plans, Set<String> placed) {
        for (DemoPlan p : plans) {
            if (p.output() == null || placed.contains(p.title())) continue;
            boolean done = c.onLoop(() -> {
                Scene scene = c.scene();
                Output o = scene.outputNamed(p.output());
                if (o == null) return true;
                for (Window w : scene.windows()) {
                    if (!w.title().equals(p.title())) continue;
                    // place() moves a fullscreen window to its output; unset, it stays there windowed.
                    w.setFullscreen(o);
                    scene.place(w);
                    w.setFullscreen(null);
                    scene.place(w);
                    return true;
                }
                return false;
            });
            if (done) placed.add(p.title());
        }
    }

    private void snapshotFeedback(Compositor c) {
        if (c.linuxDmabuf() == null) return;
        c.onLoop(() -> {
            for (Map.Entry<Surface, FeedbackController.SurfaceFeedback> e : c.linuxDmabuf().feedback().all().entrySet()) {
                Window w = c.scene().windowOf(e.getKey());
                if (w == null || w.title().isEmpty()) continue;
                FeedbackController.SurfaceFeedback f = e.getValue();
                feedback.put(w.title(), new FeedbackSeen(f.changes(), f.changeToScanoutNs(), f.hasScanoutTranche()));
            }
            return null;
        });
    }
}
