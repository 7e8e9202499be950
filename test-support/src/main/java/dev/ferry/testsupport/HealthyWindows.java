package dev.ferry.testsupport;

import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Well-behaved wl_shm windows drawing frame after frame, each on its own thread, while the soak's
 * worker processes do their worst: what they measure is what the others cost them. Each records
 * the largest gap between two of its frame callbacks and, every fourth frame, a wl_display.sync
 * round trip. Used by the soak driver (test-clients) and by the compositor's robustness tests
 * (hostile clients in process), hence its own module: test classes cannot be reached across modules.
 */
public final class HealthyWindows implements AutoCloseable {
    /** What the windows saw over the measured window of time. */
    public record Measured(long frames, double maxFrameGapMs, double roundTripP99Ms, double roundTripMaxMs, long maxGapEndNs) {
        @Override
        public String toString() {
            return String.format("%d frames, largest frame-callback gap %.1f ms, round trip p99 %.1f ms (max %.1f)",
                    frames, maxFrameGapMs, roundTripP99Ms, roundTripMaxMs);
        }
    }

    private final List<Thread> threads = new ArrayList<>();
    private final CountDownLatch started;
    private volatile boolean running = true;
    private volatile boolean measuring;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final long[] maxGapNs;
    /** When (System.nanoTime) each window's largest gap ended. */
    private final long[] maxGapEndNs;
    private final long[] frames;
    private final long[][] roundTrips;
    private final int[] roundTripCount;

    public HealthyWindows(String socket, int count) throws InterruptedException {
        started = new CountDownLatch(count);
        maxGapNs = new long[count];
        maxGapEndNs = new long[count];
        frames = new long[count];
        roundTrips = new long[count][8192];
        roundTripCount = new int[count];
        for (int i = 0; i < count; i++) {
            int index = i;
            Thread t = new Thread(() -> drawLoop(socket, index), "healthy-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        if (!started.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("healthy windows did not start: " + failure.get());
    }

    private void drawLoop(String socket, int index) {
        try (WaylandClient c = WaylandClient.connect(socket); ShmWindow w = new ShmWindow(c, "healthy-" + index, 64, 64, true)) {
            long last = 0;
            int colour = 0x102030 * (index + 1);
            boolean first = true;
            while (running) {
                if (!w.drawWhenFree(ShmWindow.fill(colour++ & 0xffffff), 5000)) throw new IllegalStateException("no free buffer for 5 s");
                if (!w.awaitFrame(5000)) throw new IllegalStateException("no frame callback for 5 s");
                long now = System.nanoTime();
                if (first) {
                    started.countDown();
                    first = false;
                }
                if (!measuring) {
                    last = 0;
                    continue;
                }
                synchronized (this) {
                    if (last != 0 && now - last > maxGapNs[index]) {
                        maxGapNs[index] = now - last;
                        maxGapEndNs[index] = now;
                    }
                    frames[index]++;
                }
                if (frames[index] % 4 == 0) {
                    long t0 = System.nanoTime();
                    c.roundtrip();
                    long rt = System.nanoTime() - t0;
                    synchronized (this) {
                        if (roundTripCount[index] < roundTrips[index].length) roundTrips[index][roundTripCount[index]++] = rt;
                    }
                }
                // The gap counts from here: the round trip is the client's own time, not a late callback.
                last = System.nanoTime();
            }
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
            started.countDown();
        }
    }

    /** Starts a measurement window, clearing what was measured before. */
    public synchronized void startMeasuring() {
        Arrays.fill(maxGapNs, 0);
        Arrays.fill(maxGapEndNs, 0);
        Arrays.fill(frames, 0);
        Arrays.fill(roundTripCount, 0);
        measuring = true;
    }

    /** Ends the window: what the windows saw in it; throws if any of them failed. */
    public Measured stopMeasuring() {
        measuring = false;
        Throwable f = failure.get();
        if (f != null) throw new IllegalStateException("a healthy window failed: " + f, f);
        synchronized (this) {
            long total = 0, gap = 0, gapEnd = 0;
            int n = 0;
            for (int i = 0; i < frames.length; i++) {
                total += frames[i];
                if (maxGapNs[i] > gap) {
                    gap = maxGapNs[i];
                    gapEnd = maxGapEndNs[i];
                }
                n += roundTripCount[i];
            }
            long[] all = new long[n];
            int k = 0;
            for (int i = 0; i < frames.length; i++) {
                System.arraycopy(roundTrips[i], 0, all, k, roundTripCount[i]);
                k += roundTripCount[i];
            }
            Arrays.sort(all);
            double p99 = n == 0 ? 0 : all[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)] / 1e6;
            double max = n == 0 ? 0 : all[n - 1] / 1e6;
            return new Measured(total, gap / 1e6, p99, max, gapEnd);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) t.join(10_000);
    }
}
