package dev.ferry.posix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The nice value of one thread of this process. On Linux, setpriority(PRIO_PROCESS, tid) and the
 * stat file of /proc/self/task/tid apply to that one thread, not the process, and a thread a
 * thread creates starts with its creator's value. Any process may make its own threads nicer
 * (lower their priority); making them less nice again needs CAP_SYS_NICE.
 */
public final class ThreadNice {
    private static final int PRIO_PROCESS = 0;

    private ThreadNice() {}

    /** Makes thread tid at least this nice (19 the nicest); false, with nothing changed, where the kernel refused. */
    public static boolean atLeast(int tid, int nice) {
        int now = of(tid);
        if (now >= nice) return true;
        try {
            int rc = (int) Libc.SETPRIORITY.invokeExact(Libc.errnoSegment(), PRIO_PROCESS, tid, nice);
            return rc == 0;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Thread tid's nice value (-20 to 19); Integer.MIN_VALUE where the thread is gone or /proc cannot be read. */
    public static int of(int tid) {
        try {
            String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
            // After "pid (comm) ": state is field 3, nice field 19 (proc(5)); comm may hold spaces and parentheses.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(f[16]);
        } catch (IOException | RuntimeException gone) {
            return Integer.MIN_VALUE;
        }
    }
}
