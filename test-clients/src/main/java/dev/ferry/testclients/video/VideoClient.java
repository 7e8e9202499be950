package dev.ferry.testclients.video;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ferry.client.DmabufAllocator;
import dev.ferry.client.DmabufWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.ImplicitFence;
import dev.ferry.drm.topology.Topologies;

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

    private final Options options;

    public VideoClient(Options options) {
        this.options = options;
    }

    /** Plays and returns the summary; protocol errors and failures are in it, not thrown. */
    public Summary run() throws IOException {
        return run(null);
    }

    /**
     * Plays; {@code beforeClose} (tests) sees the summary while the window is still up, so what
     * is on screen can be checked against it.
     */
    public Summary run(java.util.function.Consumer<Summary> beforeClose) throws IOException {
        FakeKernel kernel = options.buffers() == DmabufWindow.Buffers.DMABUF ? FakeKernel.open(options.topologyOrDefault()) : null;
        try (WaylandClient client = options.socket() == null ? WaylandClient.connectDefault() : WaylandClient.connect(options.socket())) {
            DmabufWindow.Options wo = DmabufWindow.Options.of(options.title(), options.width(), options.height())
                    .fullscreen(options.fullscreen()).buffers(options.buffers()).device(options.device())
                    .firstModifier(options.modifier()).asyncCreate(options.asyncCreate()).output(options.output());
            DmabufWindow w;
            try {
                w = new DmabufWindow(client, kernel == null ? null : new DmabufAllocator(kernel), wo);
            } catch (IOException e) {
                drainError(client);
                String err = client.display().failed() ? client.display().error() : null;
                return new Summary(options.buffers().name().toLowerCase(), null, 0, 0, 0, 0, 0, 0, 0, List.of(), 0, -1, -1, -1,
                        List.of(), err, e.getMessage(), null);
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
                return new Summary(w.usesDmabuf() ? "dmabuf" : "shm", null, 0, 0, 0, 0, 0, 0, 0, List.of(), 0, -1, -1, -1,
                        List.of(), null, e.getMessage(), null);
            }
            if (options.hangFenceAt() >= 0) {
                w.setCommitHook((frame, buf) -> {
                    if (frame == options.hangFenceAt() && buf != null) kernel.setWriteFence(buf, ImplicitFence.NEVER);
                });
            }
            return play(client, w, beforeClose);
        } finally {
            if (kernel != null) kernel.close();
        }
    }

    private Summary play(WaylandClient client, DmabufWindow w, java.util.function.Consumer<Summary> beforeClose) throws IOException {
        long periodNs = options.fps() > 0 ? 1_000_000_000L / options.fps() : 0;
        long start = System.nanoTime();
        long timeouts = 0;
        long last = -1;
        String failure = null;
        try {
            for (long n = 0; n < options.frames(); n++) {
                if (periodNs > 0) {
                    long due = start + n * periodNs;
                    while (System.nanoTime() < due && !client.display().failed()) {
                        client.dispatch((int) Math.max(1, (due - System.nanoTime()) / 1_000_000L));
                    }
                } else if (n > 0 && !w.awaitFrame(FRAME_WAIT_MS)) {
                    timeouts++;
                }
                if (client.display().failed()) break;
                long frame = n;
                if (!w.drawFrame(frame, c -> FramePattern.draw(c, frame), 2 * FRAME_WAIT_MS)) {
                    failure = client.display().failed() ? null : "no buffer came back for frame " + n;
                    break;
                }
                last = n;
                if (n == options.hangFenceAt()) break; // a hung GPU job: this client draws no more
            }
            w.awaitFrame(FRAME_WAIT_MS);
            w.awaitPresentation(FRAME_WAIT_MS);
        } catch (IOException e) {
            failure = e.getMessage();
            drainError(client);
        }
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
        Summary s = new Summary(w.usesDmabuf() ? "dmabuf" : "shm", w.usesDmabuf() ? String.valueOf(w.plan()) : "wl_shm",
                w.width(), w.height(), w.submitted(), w.presented(), w.zeroCopyPresented(), w.discarded(), timeouts,
                w.reallocatedAt(), w.feedbackEvents(), last, firstZero, zeroSince, log, w.protocolError(), failure, syncSummary(w, log));
        try {
            if (beforeClose != null) beforeClose.accept(s);
        } finally {
            w.close();
        }
        return s;
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
