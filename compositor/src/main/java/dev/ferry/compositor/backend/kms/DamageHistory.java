package dev.ferry.compositor.backend.kms;

import dev.ferry.compositor.core.RectSet;

/**
 * The damage of an output's last frames, whatever showed them: composed into a swapchain, into
 * the display GPU's local chain, into a cross-device render buffer, or a client buffer scanned
 * out directly. A buffer remembers the number of the frame it was last drawn for; what it must
 * redraw is everything that changed after that frame.
 *
 * <p>One sequence for the whole output, rather than each chain counting its own draws, because
 * a frame that did not draw into a chain still changed the scene: a chain slot drawn before a
 * direct-scanout stretch (or before the other chain took over) must catch up on it all.
 */
final class DamageHistory {
    /** Frames remembered; a buffer older than this is redrawn whole. */
    static final int DEPTH = 8;

    private final RectSet[] ring = new RectSet[DEPTH];
    private long frames;

    /** Records one frame's damage; returns that frame's number (1, 2, ...). */
    long record(RectSet damage) {
        ring[(int) (frames % DEPTH)] = damage;
        return ++frames;
    }

    /** The number of the newest frame recorded (0 before the first). */
    long newest() { return frames; }

    /**
     * What changed after frame {@code drawnFor} up to and including the newest frame: what a
     * buffer holding frame {@code drawnFor} must redraw. Everything when the buffer's contents
     * are unknown ({@code drawnFor <= 0}) or older than the history.
     */
    RectSet since(long drawnFor, int width, int height) {
        long age = frames - drawnFor;
        if (drawnFor <= 0 || age > DEPTH || age < 0) return RectSet.of(0, 0, width, height);
        RectSet d = RectSet.EMPTY;
        for (long f = drawnFor + 1; f <= frames; f++) d = d.add(ring[(int) ((f - 1) % DEPTH)]);
        return d.simplified();
    }
}
