package dev.ferry.testclients.cli;

import dev.ferry.client.DmabufWindow;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.testclients.video.VideoClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `ferry top` as a user runs it, against a kms Ferry with a windowed video playing: full screen in
 * a tmux pane (keys sent with send-keys, the screen read with capture-pane), and plain lines when
 * stdout is a pipe. tmux runs on a server of this test's own (-L), so no other session is touched.
 */
@Timeout(180)
class TopTest {
    @TempDir
    Path dir;
    private Path runtime;
    private Compositor compositor;
    private Thread client;
    private String tmuxServer;

    @BeforeEach
    void startFerryWithAWindowedVideo() throws Exception {
        runtime = Files.createDirectory(dir.resolve("run"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        compositor = Compositor.create(Compositor.Options.kms(runtime, "wayland-top", KmsBackend.Config.of("hybrid-laptop")).withRenderer("cpu"));
        compositor.startThread();
        VideoClient.Options video = VideoClient.Options.of(runtime.resolve("wayland-top").toString()).title("video-top")
                .buffers(DmabufWindow.Buffers.DMABUF).size(320, 180).fps(30).frames(30 * 120).topology("hybrid-laptop");
        client = Thread.ofPlatform().daemon().name("top-test-client").start(() -> {
            try {
                new VideoClient(video).run();
            } catch (Exception ignored) {
                // Ends when the compositor closes under it.
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        if (tmuxServer != null) tmux("kill-server");
        compositor.close();
        client.join(10_000);
    }

    @Test
    void fullScreenShowsPathsReasonsAndFeedbackAndAnswersKeys() throws Exception {
        boolean haveTmux = Files.isExecutable(Path.of("/usr/bin/tmux"));
        if (!haveTmux && "true".equals(System.getenv("CI"))) throw new AssertionError("tmux is missing (CI installs it: .ci/run)");
        Assumptions.assumeTrue(haveTmux, "tmux not installed");
        tmuxServer = "ferry-top-test-" + ProcessHandle.current().pid();
        StringBuilder shell = new StringBuilder("env XDG_RUNTIME_DIR='" + runtime + "' TERM=xterm-256color");
        for (String word : FerryJvm.command("top", "--socket", "wayland-top", "--interval", "250")) shell.append(" '").append(word).append('\'');
        shell.append("; echo TOP-EXIT=$?; sleep 60");
        tmux("new-session", "-d", "-x", "160", "-y", "50", shell.toString());

        // The windowed video takes an overlay once it has kept updating for the planner's threshold.
        String onOverlay = "(?s).*video-top \\(wl_surface@\\d+\\) +\\d+ overlay-plane .*";
        String screen = await(s -> s.contains("video-top") && s.contains("what to do:") && s.contains("HDMI-A-1") && s.matches(onOverlay),
                "the live view");
        assertTrue(screen.contains("ferry top - kms backend"), screen);
        assertTrue(screen.matches("(?s).*eDP-1 +1920x1080@60\\.0 +card0 .*"), "output row with mode and device:\n" + screen);
        assertTrue(screen.matches("(?s).*HDMI-A-1 +2560x1440@60\\.0 +card1 +secondary-gpu-copy.*"), "copy mode:\n" + screen);
        assertTrue(screen.matches(onOverlay), "the surface's path:\n" + screen);
        assertTrue(screen.contains("why not-fullscreen (structural"), screen);
        assertTrue(screen.contains("what to do: make the window fullscreen"), screen);
        assertTrue(screen.contains("dma-buf feedback: render card0"), screen);
        assertTrue(screen.contains("FAULTS: none seen"), screen);

        tmux("send-keys", "-t", "0", "p");
        await(s -> s.contains("PAUSED"), "pause");
        tmux("send-keys", "-t", "0", "p");
        await(s -> !s.contains("PAUSED"), "resume");
        tmux("send-keys", "-t", "0", "o");
        screen = await(s -> s.contains("output: eDP-1"), "select the first output");
        assertFalse(screen.contains("HDMI-A-1 "), "only the selected output's row:\n" + screen);
        tmux("send-keys", "-t", "0", "s");
        await(s -> s.contains("sort: frames"), "sort by frames");
        tmux("send-keys", "-t", "0", "q");
        await(s -> s.contains("TOP-EXIT=0"), "quit with status 0");
    }

    @Test
    void plainLinesWhenStdoutIsNotATerminal() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(FerryJvm.command("top", "--socket", "wayland-top", "--interval", "200", "--samples", "3"))
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("XDG_RUNTIME_DIR", runtime.toString());
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) lines.add(l);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "top --samples 3 exits");
        assertEquals(0, p.exitValue(), String.join("\n", lines));
        assertEquals(3, lines.stream().filter(l -> l.contains(" output eDP-1 1920x1080@60.0 card0")).count(), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.contains(" output HDMI-A-1 2560x1440@60.0 card1 copy secondary-gpu-copy")), String.join("\n", lines));
        assertTrue(lines.stream().noneMatch(l -> l.contains("\u001b")), "no escape codes in plain lines");
    }

    /** Polls the pane until the condition holds (at most 60 s); returns the screen that met it. */
    private String await(Predicate<String> condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String screen = "";
        while (System.nanoTime() < deadline) {
            screen = tmux("capture-pane", "-p", "-t", "0");
            if (condition.test(screen)) return screen;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        throw new AssertionError("no " + what + " on the screen within 60 s:\n" + screen);
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", tmuxServer));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("tmux " + String.join(" ", args) + " hung");
        }
        return out;
    }
}
