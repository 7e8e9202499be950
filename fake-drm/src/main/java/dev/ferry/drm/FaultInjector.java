package dev.ferry.drm;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs a {@link FaultPlan} for one fake kernel and records every fault it injected. Each kind
 * draws from its own random stream, so faults of one kind do not shift when calls of another
 * kind come and go.
 */
public final class FaultInjector {
    /** One injected fault. */
    public record Injected(FaultKind kind, String device, long frame, long timeNs) {
        @Override
        public String toString() {
            return kind + " on " + device + " at frame " + frame;
        }
    }

    private final FaultPlan plan;
    private final KernelClock clock;
    private final SplittableRandom[] streams = new SplittableRandom[FaultKind.values().length];
    private final List<Injected> log = new ArrayList<>();
    /** Per kind, whether the plan can ever inject it: asked on every commit and dispatch. */
    private final boolean[] planned = new boolean[FaultKind.values().length];
    /** Faults asked for while running ({@link #failNext}): per kind and device, how many opportunities still fail. */
    private final java.util.Map<Target, Integer> pending = new java.util.HashMap<>();

    /** A kind of fault on one device (null: on any). */
    private record Target(FaultKind kind, String device) {}

    FaultInjector(FaultPlan plan, KernelClock clock) {
        this.plan = plan;
        this.clock = clock;
        SplittableRandom root = new SplittableRandom(plan.seed());
        for (int i = 0; i < streams.length; i++) streams[i] = root.split();
        for (FaultKind k : FaultKind.values()) {
            planned[k.ordinal()] = plan.rate(k) > 0 || plan.windows().stream().anyMatch(w -> w.kind() == k);
        }
    }

    public FaultPlan plan() { return plan; }

    /** True if this opportunity should fail; records it if so. */
    synchronized boolean inject(FaultKind kind, String device, long frame) {
        if (!planned[kind.ordinal()]) return false;
        long now = clock.nowNs();
        boolean hit = takePending(kind, device);
        for (FaultPlan.Window w : plan.windows()) {
            if (w.covers(kind, device, frame, now)) {
                hit = true;
                break;
            }
        }
        double rate = plan.rate(kind);
        // Draw even on a scripted hit, so adding a script does not reshuffle the random faults.
        if (rate > 0 && streams[kind.ordinal()].nextDouble() < rate) hit = true;
        if (hit) log.add(new Injected(kind, device, frame, now));
        return hit;
    }

    /**
     * Makes the next count opportunities of this kind on this device fail, on top of the plan
     * (`ferry ctl fault`: a fault on purpose in a running compositor). Device null: any device.
     */
    public synchronized void failNext(FaultKind kind, String device, int count) {
        if (count < 1) throw new IllegalArgumentException("count " + count);
        pending.merge(new Target(kind, device), count, Integer::sum);
        planned[kind.ordinal()] = true;
    }

    private boolean takePending(FaultKind kind, String device) {
        if (pending.isEmpty()) return false;
        for (Target key : new Target[] {new Target(kind, device), new Target(kind, null)}) {
            Integer left = pending.get(key);
            if (left == null) continue;
            if (left <= 1) pending.remove(key);
            else pending.put(key, left - 1);
            return true;
        }
        return false;
    }

    /** Every fault injected so far, in order. */
    public synchronized List<Injected> log() {
        return List.copyOf(log);
    }
}
