package dev.ferry.testclients.bench;

import dev.ferry.client.DmabufWindow;
import dev.ferry.testclients.video.VideoClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Start-up to first presented frame: launches a compositor command, waits for its Wayland socket,
 * connects a one-frame wl_shm video client (this JVM, already started and warmed before the
 * launch) and takes the time when the compositor's presentation feedback for that frame arrives.
 * Prints one line of {@code key=value}: launch to socket, launch to first presented frame, then
 * stops the compositor (SIGTERM, then waits).
 *
 * <p>{@code java -cp test-clients.jar:lib/* dev.ferry.testclients.bench.StartupProbe SOCKET -- COMMAND...}
 * (the command must serve SOCKET in $XDG_RUNTIME_DIR). Used by {@code bench/startup}.
 */
public final class StartupProbe {
    private StartupProbe() {
    }

    public static void main(String[] args) throws Exception {
        int sep = Arrays.asList(args).indexOf("--");
        if (sep != 1 || args.length < 3) {
            System.err.println("usage: StartupProbe SOCKET -- COMMAND...");
            System.exit(2);
        }
        String socket = args[0];
        List<String> command = Arrays.asList(args).subList(2, args.length);
        Path dir = Path.of(System.getenv("XDG_RUNTIME_DIR"));
        Path sock = dir.resolve(socket);
        if (Files.exists(sock)) throw new IllegalStateException(sock + " exists already");
        // Load the client's classes before the clock starts, so the probe measures the compositor.
        Class.forName(VideoClient.class.getName());
        Class.forName(DmabufWindow.class.getName());

        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("startup-probe-compositor.log").toFile()).start();
        try {
            long tSocket = -1;
            while (tSocket < 0) {
                if (Files.exists(sock)) tSocket = System.nanoTime();
                else if (!p.isAlive()) throw new IllegalStateException("compositor exited: " + p.exitValue());
                else if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(120)) throw new IllegalStateException("no socket after 120 s");
                else Thread.sleep(2);
            }
            long[] tPresented = {-1};
            long[] cpuMs = {-1, -1};
            String[] byThread = {"none"};
            VideoClient.Options o = VideoClient.Options.of(socket).buffers(DmabufWindow.Buffers.SHM).size(320, 240).frames(1);
            VideoClient.Summary s = new VideoClient(o).run(summary -> {
                tPresented[0] = System.nanoTime();
                cpuMs[0] = cpuMs(Path.of("/proc/" + p.pid() + "/stat"));
                cpuMs[1] = jitCpuMs(p.pid());
                byThread[0] = cpuByThread(p.pid());
            });
            System.out.printf("launch_to_socket_ms=%.1f launch_to_first_presented_ms=%.1f socket_to_first_presented_ms=%.1f compositor_cpu_ms=%d jit_cpu_ms=%d presented=%d failure=%s cpu_by_thread=%s%n",
                    (tSocket - t0) / 1e6, (tPresented[0] - t0) / 1e6, (tPresented[0] - tSocket) / 1e6, cpuMs[0], cpuMs[1], s.presented(),
                    s.failure() == null && s.protocolError() == null ? "none" : (s.failure() + "/" + s.protocolError()).replace(' ', '_'),
                    byThread[0]);
        } finally {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
        }
    }

    /**
     * CPU time (utime + stime) in ms from a /proc stat file, or -1. For /proc/PID/stat that is
     * every thread of the process: the work the compositor did to reach its first frame, which
     * depends less on what else the machine runs than the wall time does. (A launcher script that
     * execs the compositor keeps its pid; helper processes a compositor starts, such as Weston's
     * desktop shell, are not in it.)
     */
    private static long cpuMs(Path stat) {
        try {
            String line = Files.readString(stat);
            String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // clock ticks: USER_HZ is 100 on Linux
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The CPU time of a JVM's JIT compiler threads (named "C1/C2 CompilerThreadN"), or -1 if none. */
    private static long jitCpuMs(long pid) {
        Map<String, Long> threads = threadCpuMs(pid);
        long sum = threads.entrySet().stream().filter(e -> e.getKey().contains("CompilerThre")).mapToLong(Map.Entry::getValue).sum();
        return threads.keySet().stream().anyMatch(n -> n.contains("CompilerThre")) ? sum : -1;
    }

    /**
     * Where the compositor's CPU went, by thread name with its digits dropped (the JIT's, GC's
     * and worker threads summed by kind): the six largest as name:ms, comma-separated.
     */
    private static String cpuByThread(long pid) {
        Map<String, Long> byKind = new java.util.TreeMap<>();
        threadCpuMs(pid).forEach((name, ms) -> byKind.merge(name.substring(0, name.lastIndexOf('#')).replaceAll("[0-9]+", "").replace(' ', '_'), ms, Long::sum));
        return byKind.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(6)
                .map(e -> e.getKey() + ":" + e.getValue()).collect(java.util.stream.Collectors.joining(","));
    }

    /** Each live thread's CPU time in ms, by its name plus its tid (names repeat). */
    private static Map<String, Long> threadCpuMs(long pid) {
        Map<String, Long> out = new java.util.HashMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String name = Files.readString(task.resolve("comm")).trim();
                long ms = cpuMs(task.resolve("stat"));
                if (ms >= 0) out.put(name + "#" + task.getFileName(), ms);
            }
        } catch (java.io.IOException | RuntimeException e) {
            return Map.of();
        }
        return out;
    }
}
