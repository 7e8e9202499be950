package dev.ferry.testclients.video;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ferry.client.DmabufAllocator;
import dev.ferry.client.DmabufWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.FaultPlan;
import dev.ferry.drm.KernelClock;
import dev.ferry.drm.ImplicitFence;
import dev.ferry.drm.topology.Topologies;
import dev.ferry.testsupport.ClockDriver;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A video player: draws {@link FramePattern} frame after frame, paced by frame callbacks (or a
 * fixed rate), into dma-bufs allocated as the surface's feedback asks (or wl_shm), and sums up
 * what happened: frames submitted and presented, zero-copy presentations, reallocations.
 */
public final class VideoClient {
    /** What to play. socket null: $WAYLAND_DISPLAY; topology null: $FERRY_TOPOLOGY, else the default preset. */
    public record Options(String socket, DmabufWindow.Buffers buffers, int width, int height, int fps, int frames,
                          boolean fullscreen, Long modifier, String device, String topology, String title,
                          boolean asyncCreate, long hangFenceAt, String output, Pacing pacing) {
        public static Options of(String socket) {
            return new Options(socket, DmabufWindow.Buffers.DMABUF, 640, 360, 0, 120, false, null, null, null, "video",
                    false, -1, null, Pacing.NONE);
        }

        /** How frames are rendered, synchronized and paced (see {@link Pacing}). */
        public Options pacing(Pacing p) { return new Options(socket, buffers, width, height, fps, frames, fullscreen, modifier, device, topology, title, asyncCreate, hangFenceAt, output, p); }

        /** Fullscreen on this output (by wl_output name) instead of the compositor's choice. */
        public Options output(String o) { return new Options(socket, buffers, width, height, fps, frames, o != null || fullscreen, modifier, device, topology, title, asyncCreate, hangFenceAt, o, pacing); }

        public Options buffers(DmabufWindow.Buffers b) { return new Options(socket, b, width, height, fps, frames, fullscreen, modifier, device, topology, title, asyncCreate, hangFenceAt, output, pacing); }
        public Options size(int w, int h) { return new Options(socket, buffers, w, h, fps, frames, fullscreen, modifier, device, topology, title, asyncCreate, hangFenceAt, output, pacing); }
        public Options fps(int f) { return new Options(socket, buffers, width, height, f, frames, fullscreen, modifier, device, topology, title, asyncCreate, hangFenceAt, output, pacing); }
        public Options frames(int n) { return new Options(socket, buffers, width, height, fps, n, fullscreen, modifier, device, topology, title, asyncCreate, hangFenceAt, output, pacing); }
        public Options fullscreen(boolean f) { return new Options(socket, buffers, width, height, fps, frames, f, modifier, device, topology, title, asyncCreate, hangFenceAt, output, pacing); }
        public Options modifier(Long m) { return new Options(socket, buffers, width, height, fps, frames, fullscreen, m, device, topology, title, asyncCreate, hangFenceAt, output, pacing); }
        public Options device(String d) { return new Options(socket, buffers, width, height, fps, frames, fullscreen, modifier, d, topology, title, asyncCreate, hangFenceAt, output, pacing); }
        public Options topology(String t) { return new Options(socket, buffers, width, height, fps, frames, fullscreen, modifier, device, t, title, asyncCreate, hangFenceAt, output, pacing); }
        public Options title(String t) { return new Options(socket, buffers, width, height, fps, frames, fullscreen, modifier, device, topology, t, asyncCreate, hangFenceAt, output, pacing); }
        public Options asyncCreate(boolean a) { return new Options(socket, buffers, width, height, fps, frames, fullscreen, modifier, device, topology, title, a, hangFenceAt, output, pacing); }
        public Options hangFenceAt(long n) { return new Options(socket, buffers, width, height, fps, frames, fullscreen, modifier, device, topology, title, asyncCreate, n, output, pacing); }

        public String topologyOrDefault() {
            if (topology != null) return topology;
            String env = System.getenv("FERRY_TOPOLOGY");
            return env != null && !env.isBlank() ? env : Topologies.DEFAULT;
        }
    }

    /**
     * Rendering and pacing: a fake GPU job per dma-buf frame (renderNs at normal clocks, fastestNs
     * if the compositor's deadline hint hurries it; 0: none), synchronized implicitly or with
     * wp_linux_drm_syncobj_v1; wp_fifo_v1; wp_commit_timing_v1 targets at presentAtFps (0: none).
     */
    public record Pacing(DmabufWindow.Sync sync, long renderNs, long fastestNs, boolean fifo, int presentAtFps) {
        public static final Pacing NONE = new Pacing(DmabufWindow.Sync.IMPLICIT, 0, 0, false, 0);
    }

    /** Explicit sync, deadline hints and pacing as the client saw them. */
    public record SyncSummary(String sync, long acquirePoints, long deadlineBoosts, long releases, double meanReleaseMs,
                              long releasesBeforeReplaced, boolean fifo, int presentAtFps, long presentedBeforeTarget,
                              double meanLatenessMs) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sync", sync);
            m.put("acquire_points", acquirePoints);
            m.put("deadline_boosts", deadlineBoosts);
            m.put("release_points_signalled", releases);
            m.put("mean_commit_to_release_ms", meanReleaseMs);
            m.put("releases_before_replacing_flip", releasesBeforeReplaced);
            m.put("fifo", fifo);
            m.put("present_at_fps", presentAtFps);
            m.put("presented_before_target", presentedBeforeTarget);
            m.put("mean_lateness_after_target_ms", meanLatenessMs);
            return m;
        }
    }

    /** What a run did. */
    public record Summary(String buffers, String allocation, int width, int height, long submitted, long presented,
                          long zeroCopyPresented, long discarded, long frameCallbackTimeouts, List<Long> reallocatedAt,
                          int feedbackEvents, long lastFrame, long firstZeroCopyFrame, long zeroCopySinceFrame,
                          List<DmabufWindow.Presented> presentedLog, String protocolError, String failure, SyncSummary sync) {
        public int reallocations() { return reallocatedAt.size(); }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("buffers", buffers);
            m.put("allocation", allocation);
            m.put("size", width + "x" + height);
            m.put("frames_submitted", submitted);
            m.put("presented", presented);
            m.put("zero_copy_presented", zeroCopyPresented);
            m.put("discarded", discarded);
            m.put("frame_callback_timeouts", frameCallbackTimeouts);
            m.put("reallocations", reallocations());
            m.put("reallocated_at_frames", reallocatedAt);
            m.put("feedback_events", feedbackEvents);
            m.put("last_frame", lastFrame);
            m.put("first_zero_copy_frame", firstZeroCopyFrame);
            m.put("zero_copy_since_frame", zeroCopySinceFrame);
            if (sync != null) m.putAll(sync.toMap());
            m.put("protocol_error", protocolError);
            m.put("failure", failure);
            return m;
        }

        public String toJson() {
            try {
                return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toMap());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static final int FRAME_WAIT_MS = 1000;
    private static final long FRAME_WAIT_NS = FRAME_WAIT_MS * 1_000_000L;

    private final Options options;

    public VideoClient(Options options) {
        this.options = options;
    }

    /** Plays and returns the summary; protocol errors and failures are in it, not thrown. */
    public Summary run() throws IOException {
        return run(null);
    }

    /**
     * Plays on the real clock; {@code beforeClose} (tests) sees the summary while the window is
     * still up, so what is on screen can be checked against it.
     */
    public Summary run(java.util.function.Consumer<Summary> beforeClose) throws IOException {
        try (Playback p = start(KernelClock.monotonic())) {
            p.playInRealTime();
            return p.finish(beforeClose);
        }
    }

    /**
     * Connects and maps the window, with the client's own fake kernel (its buffers' fences and
     * GPU jobs) on this clock, and draws nothing yet: the caller plays it, in real time or stepped
     * by a {@link ClockDriver} on a virtual clock.
     */
    public Playback start(KernelClock clock) throws IOException {
        FakeKernel kernel = options.buffers() == DmabufWindow.Buffers.DMABUF
                ? FakeKernel.open(Topologies.load(options.topologyOrDefault()), clock, FaultPlan.none()) : null;
        WaylandClient client = null;
        try {
            client = options.socket() == null ? WaylandClient.connectDefault() : WaylandClient.connect(options.socket());
            DmabufWindow.Options wo = DmabufWindow.Options.of(options.title(), options.width(), options.height())
                    .fullscreen(options.fullscreen()).buffers(options.buffers()).device(options.device())
                    .firstModifier(options.modifier()).asyncCreate(options.asyncCreate()).output(options.output());
            DmabufWindow w;
            try {
                w = new DmabufWindow(client, kernel == null ? null : new DmabufAllocator(kernel), wo);
            } catch (IOException e) {
                drainError(client);
                String err = client.display().failed() ? client.display().error() : null;
                return new Playback(kernel, client, null, new Summary(options.buffers().name().toLowerCase(), null, 0, 0, 0, 0, 0, 0, 0,
                        List.of(), 0, -1, -1, -1, List.of(), err, e.getMessage(), null));
            }
            Pacing pacing = options.pacing();
            try {
                if (pacing.sync() == DmabufWindow.Sync.EXPLICIT || pacing.renderNs() > 0) {
                    w.setRendering(pacing.sync(), pacing.renderNs() > 0 ? new DmabufWindow.GpuJob(pacing.renderNs(), pacing.fastestNs()) : null);
                }
                if (pacing.fifo() || pacing.presentAtFps() > 0) {
                    w.setPacing(new dev.ferry.client.FramePacing(client, w.surface(), pacing.fifo(),
                            pacing.presentAtFps() > 0 ? 1_000_000_000L / pacing.presentAtFps() : 0));
                }
            } catch (IOException e) {
                w.close();
                return new Playback(kernel, client, null, new Summary(w.usesDmabuf() ? "dmabuf" : "shm", null, 0, 0, 0, 0, 0, 0, 0,
                        List.of(), 0, -1, -1, -1, List.of(), null, e.getMessage(), null));
            }
            if (options.hangFenceAt() >= 0) {
                w.setCommitHook((frame, buf) -> {
                    if (frame == options.hangFenceAt() && buf != null) kernel.setWriteFence(buf, ImplicitFence.NEVER);
                });
            }
            return new Playback(kernel, client, w, null);
        } catch (IOException | RuntimeException e) {
            if (client != null) client.close();
            if (kernel != null) kernel.close();
            throw e;
        }
    }

    /**
     * One playback: frame after frame, paced by frame callbacks (or the fixed rate), then the wait
     * for the last frame's callback and every presentation answer. Played either in real time
     * (blocking waits, {@link #run}) or stepped: {@link #step} draws what is due at the time it is
     * given and never blocks, so a test's clock driver can play it on virtual time, the same waits
     * (a frame callback, a free buffer, the last answers) bounded by the same spans of that time.
     */
    public final class Playback implements ClockDriver.Stepper, AutoCloseable {
        private final FakeKernel kernel;
        private final WaylandClient client;
        private final DmabufWindow w;
        /** Set when the window could not be set up: the whole story. */
        private final Summary early;
        private final long periodNs = options.fps() > 0 ? 1_000_000_000L / options.fps() : 0;
        private long next;
        private long timeouts;
        private long last = -1;
        private String failure;
        // Stepped playback: when it started, whether it is still drawing, since when it waits for what it waits for.
        private long startNs = -1;
        private boolean drawing = true;
        private boolean callbackWaitOver;
        private long waitSinceNs;
        private boolean done;
        private boolean closed;

        private Playback(FakeKernel kernel, WaylandClient client, DmabufWindow w, Summary early) {
            this.kernel = kernel;
            this.client = client;
            this.w = w;
            this.early = early;
        }

        /** The window's surface (null when it could not be set up). */
        public DmabufWindow window() { return w; }

        void playInRealTime() {
            if (early != null) return;
            long start = System.nanoTime();
            try {
                for (; next < options.frames(); ) {
                    if (periodNs > 0) {
                        long due = start + next * periodNs;
                        while (System.nanoTime() < due && !client.display().failed()) {
                            client.dispatch((int) Math.max(1, (due - System.nanoTime()) / 1_000_000L));
                        }
                    } else if (next > 0 && !w.awaitFrame(FRAME_WAIT_MS)) {
                        timeouts++;
                    }
                    if (client.display().failed()) break;
                    if (!drawNext(2 * FRAME_WAIT_MS)) {
                        failure = client.display().failed() ? null : "no buffer came back for frame " + next;
                        break;
                    }
                    if (last == options.hangFenceAt()) break; // a hung GPU job: this client draws no more
                }
                w.awaitFrame(FRAME_WAIT_MS);
                w.awaitPresentation(FRAME_WAIT_MS);
            } catch (IOException e) {
                failure = e.getMessage();
                drainError(client);
            }
        }

        private boolean drawNext(int waitMs) throws IOException {
            long frame = next;
            if (!w.drawFrame(frame, c -> FramePattern.draw(c, frame), waitMs)) return false;
            last = next++;
            return true;
        }

        @Override
        public void sync() throws IOException {
            if (early != null || closed || client.display().failed()) return;
            try {
                client.roundtrip();
            } catch (IOException e) {
                if (!client.display().failed()) throw e; // killed by a protocol error: step ends it
            }
        }

        @Override
        public boolean step(long nowNs) {
            if (early != null || done) return true;
            if (startNs < 0) {
                startNs = nowNs;
                waitSinceNs = nowNs;
            }
            try {
                if (client.display().failed()) return done = true;
                if (drawing) {
                    drawing = stepDrawing(nowNs);
                    if (!drawing) waitSinceNs = nowNs;
                    return false;
                }
                long waited = nowNs - waitSinceNs;
                boolean callbackDue = w.framePending() && waited < FRAME_WAIT_NS;
                boolean answersDue = w.presented() + w.discarded() < w.submitted() && waited < 2 * FRAME_WAIT_NS;
                return done = !callbackDue && !answersDue;
            } catch (IOException e) {
                failure = e.getMessage();
                drainError(client);
                return done = true;
            }
        }

        /** Draws the next frame if it is due; false once this playback draws no more. */
        private boolean stepDrawing(long nowNs) throws IOException {
            if (next >= options.frames()) return false;
            if (periodNs > 0) {
                if (nowNs < startNs + next * periodNs) return true;
            } else if (next > 0 && !callbackWaitOver) {
                if (w.framePending() && nowNs - waitSinceNs < FRAME_WAIT_NS) return true;
                if (w.framePending()) timeouts++;
                callbackWaitOver = true;
                waitSinceNs = nowNs; // from here, the wait for a free buffer
            }
            if (!drawNext(0)) {
                if (nowNs - waitSinceNs < 2 * FRAME_WAIT_NS) return true;
                failure = client.display().failed() ? null : "no buffer came back for frame " + next;
                return false;
            }
            callbackWaitOver = false;
            waitSinceNs = nowNs;
            return last != options.hangFenceAt(); // a hung GPU job: this client draws no more
        }

        /** What it did; {@code beforeClose} sees it while the window is still up; then the window closes. */
        public Summary finish(java.util.function.Consumer<Summary> beforeClose) {
            if (early != null) return early;
            Summary s = summary();
            try {
                if (beforeClose != null) beforeClose.accept(s);
            } finally {
                close();
            }
            return s;
        }

        private Summary summary() {
            List<DmabufWindow.Presented> log = w.presentedLog();
            long firstZero = -1, zeroSince = -1;
            for (DmabufWindow.Presented p : log) {
                if (p.zeroCopy() && firstZero < 0) firstZero = p.frame();
                if (p.zeroCopy()) {
                    if (zeroSince < 0) zeroSince = p.frame();
                } else {
                    zeroSince = -1;
                }
            }
            return new Summary(w.usesDmabuf() ? "dmabuf" : "shm", w.usesDmabuf() ? String.valueOf(w.plan()) : "wl_shm",
                    w.width(), w.height(), w.submitted(), w.presented(), w.zeroCopyPresented(), w.discarded(), timeouts,
                    w.reallocatedAt(), w.feedbackEvents(), last, firstZero, zeroSince, log, w.protocolError(), failure, syncSummary(w, log));
        }

        /** Closes the window, the connection and the client's kernel. */
        @Override
        public void close() {
            if (closed) return;
            closed = true;
            try {
                if (w != null) w.close();
            } finally {
                try {
                    client.close();
                } finally {
                    if (kernel != null) kernel.close();
                }
            }
        }
    }

    private SyncSummary syncSummary(DmabufWindow w, List<DmabufWindow.Presented> log) {
        Pacing p = options.pacing();
        long early = 0, lateSum = 0, timed = 0;
        if (w.pacing() != null && p.presentAtFps() > 0) {
            for (DmabufWindow.Presented pr : log) {
                long target = w.pacing().targetNs(pr.frame());
                if (pr.flags() < 0 || target == 0) continue;
                if (pr.timeNs() < target) early++;
                else lateSum += pr.timeNs() - target;
                timed++;
            }
        }
        return new SyncSummary(w.sync().name().toLowerCase(), w.sync() == DmabufWindow.Sync.EXPLICIT ? w.submitted() : 0,
                w.deadlineBoosts(), w.releases(), w.meanReleaseWaitNs() / 1e6, w.releasesBeforeReplaced(), p.fifo(),
                p.presentAtFps(), early, timed == 0 ? 0 : lateSum / 1e6 / timed);
    }

    /** After a failed send, reads what the compositor said before it hung up (its error event). */
    private static void drainError(WaylandClient client) {
        try {
            if (!client.display().failed()) client.dispatch(100);
        } catch (IOException ignored) {
            // Nothing more to read.
        }
    }
}
