package dev.ferry.compositor.dmabuf;

import dev.ferry.protocol.interfaces.ZwpLinuxDmabufFeedbackV1;
import dev.ferry.protocol.server.Resource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * One batch of zwp_linux_dmabuf_feedback_v1 parameters: the main device and the tranches in
 * preference order. Value-equal batches are the same feedback (and are never sent twice).
 */
public record DmabufFeedback(long mainDevT, List<Tranche> tranches) {
    /** One tranche: the device to allocate on, its flags, and indices into the format table. */
    public record Tranche(long targetDevT, int flags, int[] indices) {
        public boolean scanout() {
            return (flags & ZwpLinuxDmabufFeedbackV1.TRANCHE_FLAGS_SCANOUT) != 0;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Tranche t && t.targetDevT == targetDevT && t.flags == flags
                    && Arrays.equals(t.indices, indices);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(targetDevT) * 31 + flags * 17 + Arrays.hashCode(indices);
        }

        @Override
        public String toString() {
            return (scanout() ? "scanout" : "render") + " tranche on " + devName(targetDevT) + " " + indices.length + " formats";
        }
    }

    public DmabufFeedback {
        tranches = List.copyOf(tranches);
    }

    /** The default: one render tranche on the main device with every table entry. */
    public static DmabufFeedback render(long mainDevT, FormatTableFile table) {
        return new DmabufFeedback(mainDevT, List.of(new Tranche(mainDevT, 0, table.allIndices())));
    }

    /**
     * The preferred tranches first (each cut to the pairs in the table, in its order; an empty
     * one left out), then the render tranche on the main device with every entry.
     */
    public static DmabufFeedback preferredThenRender(long mainDevT, List<PreferredTranche> preferred, FormatTableFile table) {
        List<Tranche> ts = new java.util.ArrayList<>();
        for (PreferredTranche p : preferred) {
            int[] idx = new int[p.formats().length];
            int n = 0;
            for (int i = 0; i < idx.length; i++) {
                int k = table.indexOf(p.formats()[i], p.modifiers()[i]);
                if (k >= 0) idx[n++] = k;
            }
            if (n > 0) ts.add(new Tranche(p.targetDevT(), p.flags(), Arrays.copyOf(idx, n)));
        }
        ts.add(new Tranche(mainDevT, 0, table.allIndices()));
        return new DmabufFeedback(mainDevT, ts);
    }

    /** A scanout tranche first (flag scanout, on the display device), then the render tranche. */
    public static DmabufFeedback scanoutThenRender(long mainDevT, long scanoutDevT, int[] scanoutIndices,
                                                   FormatTableFile table) {
        return new DmabufFeedback(mainDevT, List.of(
                new Tranche(scanoutDevT, ZwpLinuxDmabufFeedbackV1.TRANCHE_FLAGS_SCANOUT, scanoutIndices),
                new Tranche(mainDevT, 0, table.allIndices())));
    }

    /** A render tranche on another device first (the output's GPU), then the main device's. */
    public static DmabufFeedback renderOn(long mainDevT, long renderDevT, FormatTableFile table) {
        return new DmabufFeedback(mainDevT, List.of(
                new Tranche(renderDevT, 0, table.allIndices()),
                new Tranche(mainDevT, 0, table.allIndices())));
    }

    /** Whether the first tranche targets another device than the main one, without scanout. */
    public boolean rendersElsewhere() {
        Tranche first = tranches.getFirst();
        return !first.scanout() && first.targetDevT() != mainDevT;
    }

    public boolean hasScanoutTranche() {
        for (Tranche t : tranches) if (t.scanout()) return true;
        return false;
    }

    /**
     * Sends the batch: the format table first if asked (once per feedback object), then
     * main_device, each tranche and done.
     */
    public void sendTo(Resource feedback, FormatTableFile table, boolean withTable) {
        if (feedback.destroyed()) return;
        if (withTable) ZwpLinuxDmabufFeedbackV1.sendFormatTable(feedback, table.fd(), table.sizeBytes());
        try (Arena arena = Arena.ofConfined()) {
            ZwpLinuxDmabufFeedbackV1.sendMainDevice(feedback, devT(arena, mainDevT));
            for (Tranche t : tranches) {
                ZwpLinuxDmabufFeedbackV1.sendTrancheTargetDevice(feedback, devT(arena, t.targetDevT));
                MemorySegment idx = arena.allocate(2L * t.indices.length, 2);
                for (int i = 0; i < t.indices.length; i++) {
                    idx.setAtIndex(ValueLayout.JAVA_SHORT.withOrder(ByteOrder.nativeOrder()), i, (short) t.indices[i]);
                }
                ZwpLinuxDmabufFeedbackV1.sendTrancheFormats(feedback, idx);
                ZwpLinuxDmabufFeedbackV1.sendTrancheFlags(feedback, t.flags);
                ZwpLinuxDmabufFeedbackV1.sendTrancheDone(feedback);
            }
        }
        ZwpLinuxDmabufFeedbackV1.sendDone(feedback);
    }

    /** A dev_t as the protocol carries it: sizeof(dev_t) = 8 bytes in native byte order. */
    static MemorySegment devT(Arena arena, long devT) {
        MemorySegment s = arena.allocate(8, 8);
        s.set(ValueLayout.JAVA_LONG.withOrder(ByteOrder.nativeOrder()), 0, devT);
        return s;
    }

    /** Reads a dev_t array back (tests, client side). */
    public static long devTOf(MemorySegment array) {
        return array.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder()), 0);
    }

    static String devName(long devT) {
        return (devT >>> 8) + ":" + (devT & 0xff);
    }

    @Override
    public String toString() {
        return "feedback main " + devName(mainDevT) + " " + tranches;
    }
}
