package dev.ferry.compositor.stats;

import dev.ferry.compositor.core.Surface;
import dev.ferry.drm.uapi.Fourcc;

/**
 * The buffer allocation a surface's dma-buf feedback suggests. Kept apart from {@link StatsReport}
 * because it runs on the loop as each surface is destroyed: StatsReport's class initialisation
 * builds a Jackson mapper (150-280 ms of class loading, measured with JFR), which the first
 * departing client used to pay on the loop, in the middle of everyone's frames.
 */
public final class SuggestedAllocation {
    private SuggestedAllocation() {}

    /**
     * The allocation a surface's current feedback suggests, or null (no linux-dmabuf, no
     * feedback object): what {@link PathStatistics#keepAllocation} keeps when the surface goes.
     */
    public static ReasonAdvice.Allocation now(Surface s, dev.ferry.compositor.dmabuf.LinuxDmabufGlobal dmabuf,
                                              dev.ferry.drm.DeviceSet kernel) {
        if (dmabuf == null || kernel == null) return null;
        var f = dmabuf.feedback().feedbackOf(s);
        return f == null ? null : of(s, f.current(), dmabuf.table(), kernel);
    }

    /** The allocation a surface's feedback suggests: its first tranche, in the surface's own format if it has it. */
    public static ReasonAdvice.Allocation of(Surface s, dev.ferry.compositor.dmabuf.DmabufFeedback feedback,
                                             dev.ferry.compositor.dmabuf.FormatTableFile table, dev.ferry.drm.DeviceSet kernel) {
        if (feedback == null || feedback.tranches().isEmpty()) return null;
        var t = feedback.tranches().getFirst();
        if (t.indices().length == 0) return null;
        int pick = t.indices()[0];
        int fourcc = s.buffer() == null ? 0 : s.buffer().fourcc();
        for (int i : t.indices()) {
            if (table.format(i) == fourcc) {
                pick = i;
                break;
            }
        }
        var device = kernel.deviceByDevT(t.targetDevT());
        String name = device == null ? (t.targetDevT() >> 8) + ":" + (t.targetDevT() & 0xff) : device.info().name();
        return new ReasonAdvice.Allocation(Fourcc.name(table.format(pick)), dev.ferry.drm.uapi.Modifiers.name(table.modifier(pick)),
                name, t.scanout());
    }
}
