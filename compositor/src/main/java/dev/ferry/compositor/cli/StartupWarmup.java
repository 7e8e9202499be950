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
        loadProtocolClasses();
    }

    /**
     * Loads every generated protocol class (each interface, its dispatchers and listeners) and
     * every class of the compositor's own. A real client's first requests bind interfaces Ferry's
     * own demo clients never touch (data device, primary selection, text input, xdg-output,
     * keyboard, pointer, region) and reach their handlers: loaded on the loop as the requests
     * came, they were part of an 85 ms loop cycle while four clients started together, and one of
     * them (waylandsink) then gave up waiting for its configure (BENCHMARKS.md, issue 15). Loaded
     * here they are off the loop, and loaded during the AOT cache's training run they are in the
     * cache. Not initialised: loading is all that moves; class initialisation stays where it was.
     */
    static void loadProtocolClasses() {
        ClassLoader loader = StartupWarmup.class.getClassLoader();
        load(loader, dev.ferry.protocol.interfaces.WlDisplay.class, "dev/ferry/protocol/interfaces/");
        load(loader, StartupWarmup.class, "dev/ferry/compositor/");
    }

    /** Loads the classes under prefix (a package path, subpackages too) of the jar or directory that holds anchor. */
    private static void load(ClassLoader loader, Class<?> anchor, String prefix) {
        try {
            java.nio.file.Path from = java.nio.file.Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            java.util.List<String> names = new java.util.ArrayList<>();
            if (java.nio.file.Files.isDirectory(from)) {
                try (var files = java.nio.file.Files.walk(from.resolve(prefix))) {
                    files.map(f -> from.relativize(f).toString().replace(java.io.File.separatorChar, '/')).filter(n -> n.endsWith(".class")).forEach(names::add);
                }
            } else {
                try (java.util.jar.JarFile f = new java.util.jar.JarFile(from.toFile())) {
                    f.stream().map(java.util.jar.JarEntry::getName).filter(n -> n.startsWith(prefix) && n.endsWith(".class")).forEach(names::add);
                }
            }
            for (String n : names) {
                if (n.endsWith("module-info.class") || n.endsWith("package-info.class")) continue;
                try {
                    Class.forName(n.substring(0, n.length() - ".class".length()).replace('/', '.'), false, loader);
                } catch (ClassNotFoundException | LinkageError skipped) {
                    // A class that cannot load here fails the same way where it is used.
                }
            }
        } catch (Exception | LinkageError e) {
            // Only a warm-up: each class still loads when a request first needs it.
        }
    }
}
