package dev.ferry.compositor.core;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.protocol.server.Resource;

import java.util.ArrayList;
import java.util.List;

/**
 * One copy of a surface's double-buffered state: pending (what requests set), cached (a
 * synchronized subsurface's commit waiting for its parent) or current. {@code committed} says
 * which fields the source set, so a merge moves only those.
 */
public final class SurfaceState {
    public static final int BUFFER = 1;
    public static final int SURFACE_DAMAGE = 1 << 1;
    public static final int BUFFER_DAMAGE = 1 << 2;
    public static final int OPAQUE = 1 << 3;
    public static final int INPUT = 1 << 4;
    public static final int SCALE = 1 << 5;
    public static final int TRANSFORM = 1 << 6;
    public static final int OFFSET = 1 << 7;
    public static final int FRAME = 1 << 8;
    public static final int VIEWPORT = 1 << 9;
    public static final int FEEDBACK = 1 << 10;
    /** Explicit-sync points (acquire, release) of the commit's buffer. */
    public static final int SYNC_POINTS = 1 << 11;
    /** wp_fifo_v1: set_barrier and/or wait_barrier. */
    public static final int FIFO = 1 << 12;
    /** wp_commit_timing_v1: a target presentation time. */
    public static final int TARGET_TIME = 1 << 13;

    int committed;
    ClientBuffer buffer;
    int dx;
    int dy;
    RectSet surfaceDamage = RectSet.EMPTY;
    RectSet bufferDamage = RectSet.EMPTY;
    RectSet opaque = RectSet.EMPTY;
    RectSet input = null; // null: infinite
    int scale = 1;
    int transform;
    /** wp_viewport source, or srcW < 0 when unset. */
    double srcX, srcY, srcW = -1, srcH = -1;
    /** wp_viewport destination, or -1 when unset. */
    int dstW = -1, dstH = -1;
    /** What the buffer waits for before it may be read (explicit sync), or null. */
    Surface.ReadinessGate acquire;
    /**
     * Signalled once the compositor is done with the buffer (explicit sync), or null. Only a
     * pending, cached or held state keeps it: applying hands it to the buffer.
     */
    dev.ferry.compositor.buffer.ReleasePoint release;
    /** wp_fifo_v1: this commit sets a barrier / waits for the last one to be presented. */
    boolean fifoBarrier, fifoWait;
    /** wp_commit_timing_v1: not to be presented before this (kernel clock), 0 for none; and who knows when frames present. */
    long targetNs;
    PresentationTiming timing;
    // Capacity 0: no array until the first add (see Surface's lists).
    final List<Resource> frameCallbacks = new ArrayList<>(0);
    final List<Object> feedbacks = new ArrayList<>(0);

    public ClientBuffer buffer() { return buffer; }
    public int scale() { return scale; }
    public int transform() { return transform; }
    public RectSet opaque() { return opaque; }
    public RectSet input() { return input; }
    public RectSet surfaceDamage() { return surfaceDamage; }
    public RectSet bufferDamage() { return bufferDamage; }
    public boolean hasSource() { return srcW >= 0; }
    public double srcX() { return srcX; }
    public double srcY() { return srcY; }
    public double srcW() { return srcW; }
    public double srcH() { return srcH; }
    public int dstW() { return dstW; }
    public int dstH() { return dstH; }

    /**
     * Moves what this state set into target (cached or current, which hold a lock on their
     * buffer) and clears it. A pending state holds no lock, so its buffer is locked on the way;
     * a cached state hands its lock over.
     */
    void mergeInto(SurfaceState target, boolean sourceHoldsLock) {
        if ((committed & BUFFER) != 0) {
            ClientBuffer incoming = buffer;
            if (incoming != null && !sourceHoldsLock) incoming.lock();
            if (incoming != null && incoming.isDestroyed()) {
                // A buffer destroyed before its commit took effect shows as no buffer.
                incoming.unlock();
                incoming = null;
            }
            if (target.buffer != null) target.buffer.unlock();
            target.buffer = incoming;
            buffer = null;
            // A cached buffer replaced before it was ever applied: nothing will read it.
            if (target.release != null) target.release.signal();
            target.release = null;
            target.acquire = null;
        }
        if ((committed & SYNC_POINTS) != 0) {
            target.acquire = acquire;
            target.release = release;
            acquire = null;
            release = null;
        }
        if ((committed & OFFSET) != 0) {
            target.dx += dx;
            target.dy += dy;
            dx = dy = 0;
        }
        if ((committed & SURFACE_DAMAGE) != 0) {
            target.surfaceDamage = target.surfaceDamage.add(surfaceDamage).simplified();
            surfaceDamage = RectSet.EMPTY;
        }
        if ((committed & BUFFER_DAMAGE) != 0) {
            target.bufferDamage = target.bufferDamage.add(bufferDamage).simplified();
            bufferDamage = RectSet.EMPTY;
        }
        if ((committed & OPAQUE) != 0) target.opaque = opaque;
        if ((committed & INPUT) != 0) target.input = input;
        if ((committed & SCALE) != 0) target.scale = scale;
        if ((committed & TRANSFORM) != 0) target.transform = transform;
        if ((committed & VIEWPORT) != 0) {
            target.srcX = srcX;
            target.srcY = srcY;
            target.srcW = srcW;
            target.srcH = srcH;
            target.dstW = dstW;
            target.dstH = dstH;
        }
        if ((committed & FIFO) != 0) {
            target.fifoBarrier |= fifoBarrier;
            target.fifoWait |= fifoWait;
            fifoBarrier = fifoWait = false;
        }
        if ((committed & TARGET_TIME) != 0) {
            target.targetNs = targetNs;
            target.timing = timing;
            targetNs = 0;
            timing = null;
        }
        if ((committed & FRAME) != 0) {
            Lists.moveAll(frameCallbacks, target.frameCallbacks);
        }
        if ((committed & FEEDBACK) != 0) {
            Lists.moveAll(feedbacks, target.feedbacks);
        }
        target.committed |= committed;
        committed = 0;
    }
}
