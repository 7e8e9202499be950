package dev.ferry.posix;

/**
 * Links every libc downcall now. Each distinct call shape is a class that the FFM linker
 * generates the first time (about 24 for Ferry's calls); JDK 25's AOT cache cannot hold them,
 * so a new process spends a few hundred milliseconds of CPU here, most of it in the JDK's
 * bytecode generator still running interpreted. `ferry run` calls this on a second thread while
 * its command line is parsed, so the socket is not waiting for it.
 */
public final class Downcalls {
    private Downcalls() {}

    /** Initialises {@link Libc}, whose static handles are linked in its initialiser. */
    public static void link() {
        Libc.errnoSegment();
    }
}
