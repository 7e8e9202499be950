package dev.ferry.compositor.cli;

/**
 * Work that `ferry run` (and `demo`) will need right after its command line is parsed, and that
 * is slow only the first time in a process, begun on a second thread while picocli builds and
 * parses the command line (a third of a second or more: its classes cannot come from the AOT
 * cache, being class file version 49). Nothing here has an effect beyond its warm state: the
 * libc downcalls linked, Jackson's deserializers for a topology built (by parsing the default
 * preset, kept nowhere), the log configured. Whichever thread needs a piece first does it or
 * waits for it (class initialisation and Jackson's caches are thread-safe), so a slow warm-up
 * delays nothing it does not share.
 */
public final class StartupWarmup {
    /** Done once the warm-up has set up the log (or failed to), or at once where no warm-up runs. */
    private static final java.util.concurrent.CompletableFuture<Void> LOG_READY = new java.util.concurrent.CompletableFuture<>();
    private static volatile boolean begun;

    private StartupWarmup() {}

    static void begin() {
        begun = true;
        Thread.ofPlatform().daemon().name("ferry-warmup").start(StartupWarmup::run);
    }

    /**
     * Returns once the warm-up's log set-up is done; call it before starting anything that logs.
     * SLF4J gives a thread that logs while another thread sets the log up a stand-in logger and
     * later replays its lines under a three-line warning on stderr (seen when the renderer's
     * start thread logged its choice during the warm-up's set-up on a loaded machine).
     */
    public static void awaitLog() {
        if (begun) LOG_READY.join();
    }

    private static void run() {
        try {
            // In the order the main thread reaches them after parsing: the largest first,
            // so that the main thread, if it gets to the topology first, parses it meanwhile.
            dev.ferry.posix.Downcalls.link();
            dev.ferry.drm.topology.Topologies.preset(dev.ferry.drm.topology.Topologies.DEFAULT);
            org.slf4j.LoggerFactory.getLogger(StartupWarmup.class);
        } catch (RuntimeException | LinkageError e) {
            // The main thread meets the same failure where it has a caller to report it to.
        } finally {
            LOG_READY.complete(null);
        }
    }
}
