package dev.ferry.drm;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Which faults to inject: random ones at a rate per kind from a seed (the same seed and the
 * same sequence of calls give the same faults), and scripted ones by a device's frame number
 * (its count of real commits so far, starting at 0) or by clock time. Immutable once built;
 * a {@link FaultInjector} runs it.
 */
public final class FaultPlan {
    /** A scripted window: every opportunity of this kind in it fails. Ends are exclusive. */
    public record Window(FaultKind kind, String device, long fromFrame, long toFrame, long fromNs, long toNs) {
        boolean covers(FaultKind k, String dev, long frame, long nowNs) {
            return k == kind && (device == null || device.equals(dev))
                    && frame >= fromFrame && frame < toFrame && nowNs >= fromNs && nowNs < toNs;
        }
    }

    private final long seed;
    private final Map<FaultKind, Double> rates;
    private final List<Window> windows;

    private FaultPlan(long seed, Map<FaultKind, Double> rates, List<Window> windows) {
        this.seed = seed;
        this.rates = Map.copyOf(rates);
        this.windows = List.copyOf(windows);
    }

    public static FaultPlan none() {
        return new FaultPlan(0, Map.of(), List.of());
    }

    public static Builder seeded(long seed) {
        return new Builder(seed);
    }

    public long seed() { return seed; }

    public double rate(FaultKind kind) { return rates.getOrDefault(kind, 0.0); }

    public List<Window> windows() { return windows; }

    public static final class Builder {
        private final long seed;
        private final Map<FaultKind, Double> rates = new EnumMap<>(FaultKind.class);
        private final List<Window> windows = new ArrayList<>();

        private Builder(long seed) {
            this.seed = seed;
        }

        /** Each opportunity of this kind fails with this probability. */
        public Builder rate(FaultKind kind, double probability) {
            if (probability < 0 || probability > 1) throw new IllegalArgumentException("probability " + probability);
            rates.put(kind, probability);
            return this;
        }

        /** Fails at exactly this frame of the device (null: any device). */
        public Builder atFrame(FaultKind kind, String device, long frame) {
            return frames(kind, device, frame, frame + 1);
        }

        /** Fails on frames [from, to) of the device (null: any device). */
        public Builder frames(FaultKind kind, String device, long fromFrame, long toFrame) {
            windows.add(new Window(kind, device, fromFrame, toFrame, Long.MIN_VALUE, Long.MAX_VALUE));
            return this;
        }

        /** Fails during [fromNs, toNs) on the kernel clock. */
        public Builder during(FaultKind kind, String device, long fromNs, long toNs) {
            windows.add(new Window(kind, device, Long.MIN_VALUE, Long.MAX_VALUE, fromNs, toNs));
            return this;
        }

        public FaultPlan build() {
            return new FaultPlan(seed, rates, windows);
        }
    }
}
