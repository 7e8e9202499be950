package dev.ferry.client;

import dev.ferry.drm.AllocationException;
import dev.ferry.drm.DmaBuf;
import dev.ferry.drm.FakeDevice;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.Usage;
import dev.ferry.drm.uapi.Modifiers;

import java.util.Arrays;

/**
 * Chooses where and how to allocate from dma-buf feedback, GBM-style, on the client's own
 * {@link FakeKernel}: the first tranche whose target device this process has (found by dev_t)
 * and that offers the format; usage SCANOUT when the tranche carries the scanout flag. An
 * override device (the PRIME-offload case: render on the dGPU whatever the feedback says) or a
 * forced modifier replaces what the feedback would pick.
 */
public final class DmabufAllocator {
    /** What to allocate: on which device, which modifiers are acceptable, with what usage. */
    public record Plan(FakeDevice device, int fourcc, long[] modifiers, int usage, int trancheIndex) {
        public boolean scanout() { return (usage & Usage.SCANOUT) != 0; }

        public boolean sameAs(Plan o) {
            return o != null && o.device == device && o.fourcc == fourcc && o.usage == usage
                    && Arrays.equals(o.modifiers, modifiers);
        }

        @Override
        public String toString() {
            StringBuilder m = new StringBuilder();
            for (long x : modifiers) m.append(m.isEmpty() ? "" : ",").append(Modifiers.name(x));
            return device.info().name() + " [" + m + "] " + Usage.describe(usage)
                    + (trancheIndex >= 0 ? " (tranche " + trancheIndex + ")" : " (override)");
        }
    }

    private final FakeKernel kernel;

    public DmabufAllocator(FakeKernel kernel) {
        this.kernel = kernel;
    }

    public FakeKernel kernel() { return kernel; }

    /**
     * The plan the feedback asks for, or null when no tranche names a device this client has
     * and offers the format.
     *
     * @param overrideDevice a device name to allocate on instead (null: follow the feedback)
     * @param forcedModifier a modifier to use instead of the tranche's (null: the tranche's)
     */
    public Plan plan(DmabufFeedback.Snapshot feedback, int fourcc, String overrideDevice, Long forcedModifier) {
        if (overrideDevice != null) {
            FakeDevice d = kernel.device(overrideDevice);
            long[] mods = forcedModifier != null ? new long[] {forcedModifier}
                    : explicitFirst(d.sampleFormats().modifiers(fourcc));
            return new Plan(d, fourcc, mods, 0, -1);
        }
        if (feedback == null) return null;
        for (int i = 0; i < feedback.tranches().size(); i++) {
            DmabufFeedback.Tranche t = feedback.tranches().get(i);
            FakeDevice d = kernel.deviceByDevT(t.targetDevT());
            if (d == null || d.isGone()) continue;
            long[] offered = t.modifiers(fourcc);
            if (offered.length == 0) continue;
            if (t.scanout() && !d.info().canDisplay()) continue;
            long[] mods = forcedModifier != null ? new long[] {forcedModifier} : explicitFirst(offered);
            return new Plan(d, fourcc, mods, t.scanout() ? Usage.SCANOUT : 0, i);
        }
        return null;
    }

    /** Allocates one buffer to the plan. */
    public DmaBuf allocate(Plan plan, int width, int height) throws AllocationException {
        return plan.device().allocate(width, height, plan.fourcc(), plan.modifiers(), plan.usage());
    }

    /**
     * Explicit modifiers only when there are any: offering INVALID beside them would let a driver
     * hand back an implicit layout that KMS cannot scan out.
     */
    private static long[] explicitFirst(long[] offered) {
        long[] explicit = Arrays.stream(offered).filter(m -> m != Modifiers.INVALID).toArray();
        return explicit.length > 0 ? explicit : offered;
    }
}
