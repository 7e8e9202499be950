package dev.ferry.posix;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run delay as the kernel's schedstat files say it, read without allocating. */
class ThreadSchedStatTest {
    private static long fromFile(String path) throws Exception {
        return Long.parseLong(Files.readString(Path.of(path)).trim().split(" ")[1]);
    }

    private static long onCpuFromFile(String path) throws Exception {
        return Long.parseLong(Files.readString(Path.of(path)).trim().split(" ")[0]);
    }

    @Test
    void ownAndAnotherThreadsRunDelayLieBetweenTwoReadsOfTheirFiles() throws Exception {
        long before = fromFile("/proc/thread-self/schedstat");
        long read = ThreadSchedStat.runDelayNs();
        long after = fromFile("/proc/thread-self/schedstat");
        assertTrue(before <= read && read <= after, before + " <= " + read + " <= " + after);
        long cpuBefore = Long.parseLong(Files.readString(Path.of("/proc/thread-self/schedstat")).trim().split(" ")[0]);
        long cpu = ThreadSchedStat.onCpuNs();
        assertTrue(cpuBefore > 0 && cpuBefore <= cpu, cpuBefore + " <= " + cpu);

        CountDownLatch named = new CountDownLatch(1), done = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            named.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "schedstat-peer");
        other.start();
        named.await();
        try {
            int tid = ThreadSchedStat.threadNamed("schedstat-peer");
            assertTrue(tid > 0, "the peer's thread id");
            String file = "/proc/self/task/" + tid + "/schedstat";
            long b = fromFile(file), r = ThreadSchedStat.runDelayNs(tid), a = fromFile(file);
            assertTrue(b <= r && r <= a, b + " <= " + r + " <= " + a);
            // The peer may still be on its way to blocking: its on-CPU time lies between two reads too.
            long cb = onCpuFromFile(file), c = ThreadSchedStat.onCpuNs(tid), ca = onCpuFromFile(file);
            assertTrue(0 < cb && cb <= c && c <= ca, cb + " <= " + c + " <= " + ca);
            assertEquals(java.util.List.of(tid), java.util.Arrays.stream(ThreadSchedStat.threadsNamed(n -> n.startsWith("schedstat-pe"))).boxed().toList());
        } finally {
            done.countDown();
            other.join();
        }
        assertEquals(-1, ThreadSchedStat.runDelayNs(0), "no thread 0");
        assertEquals(-1, ThreadSchedStat.runDelayNs(Integer.MAX_VALUE), "no such thread");
        assertEquals(-1, ThreadSchedStat.onCpuNs(Integer.MAX_VALUE), "no such thread");
    }

    @Test
    void aReadAllocatesAFewSmallObjectsAtMost() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (int i = 0; i < 20_000; i++) sum += ThreadSchedStat.runDelayNs();
        long start = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10_000; i++) sum += ThreadSchedStat.runDelayNs();
        long allocated = threads.getCurrentThreadAllocatedBytes() - start;
        assertTrue(sum > 0);
        // Files.readString took about 16 KiB a read; 120 bytes measured (the downcalls' own).
        assertTrue(allocated < 10_000 * 512L, allocated + " bytes for 10 000 reads");
    }
}
