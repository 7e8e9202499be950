package dev.ferry.drm;

import java.util.Arrays;

/**
 * The page-flip events a device has latched and not yet delivered, as the kernel queues them on
 * the DRM fd. Two batches take turns: events wait in one while the other is being delivered, so
 * neither adding nor dispatching allocates once the arrays have grown to the frame's size.
 * The device's lock covers adding and taking; a taken batch is delivered outside it.
 */
final class PageFlipEvents {
    private Batch queued = new Batch();
    private Batch delivering = new Batch();

    void add(int crtcId, long sequence, long timeNs, long userData) {
        queued.add(crtcId, sequence, timeNs, userData);
    }

    /** Events waiting to be taken. */
    int waiting() { return queued.count; }

    /** Drops what waits (an unplugged device delivers nothing more). */
    void clear() { queued.count = 0; }

    /** What waits, to deliver; later events go into the other batch meanwhile. */
    Batch take() {
        Batch batch = queued;
        queued = delivering;
        queued.count = 0;
        delivering = batch;
        return batch;
    }

    static final class Batch {
        private int[] crtc = new int[16];
        private long[] sequence = new long[16];
        private long[] timeNs = new long[16];
        private long[] userData = new long[16];
        private int count;

        private void add(int crtcId, long seq, long time, long user) {
            if (count == crtc.length) {
                int n = count * 2;
                crtc = Arrays.copyOf(crtc, n);
                sequence = Arrays.copyOf(sequence, n);
                timeNs = Arrays.copyOf(timeNs, n);
                userData = Arrays.copyOf(userData, n);
            }
            crtc[count] = crtcId;
            sequence[count] = seq;
            timeNs[count] = time;
            userData[count] = user;
            count++;
        }

        /** Hands each event to the handler in the order they latched; returns how many. */
        int deliver(PageFlipHandler handler) {
            int n = count;
            for (int i = 0; i < n; i++) handler.pageFlipped(crtc[i], sequence[i], timeNs[i], userData[i]);
            count = 0;
            return n;
        }
    }
}
