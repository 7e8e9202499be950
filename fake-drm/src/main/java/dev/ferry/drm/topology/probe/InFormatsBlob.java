package dev.ferry.drm.topology.probe;

import dev.ferry.drm.topology.dump.DumpFormatException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.ferry.drm.topology.probe.DrmUapi.FormatModifierBlob.*;

/**
 * Reads a plane's IN_FORMATS blob (struct drm_format_modifier_blob) into modifier -> fourccs,
 * modifiers in blob order, formats in the blob's format order. Every offset and count is
 * checked against the blob's length before it is trusted.
 */
public final class InFormatsBlob {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private InFormatsBlob() {}

    public static Map<Long, List<Integer>> parse(MemorySegment blob) {
        long length = blob.byteSize();
        if (length < HEADER_SIZE) throw bad("blob of " + length + " bytes is shorter than its header");
        int version = blob.get(U32, VERSION);
        if (version != 1) throw bad("version " + version + " (only 1 is defined)");
        long countFormats = Integer.toUnsignedLong(blob.get(U32, COUNT_FORMATS));
        long formatsOffset = Integer.toUnsignedLong(blob.get(U32, FORMATS_OFFSET));
        long countModifiers = Integer.toUnsignedLong(blob.get(U32, COUNT_MODIFIERS));
        long modifiersOffset = Integer.toUnsignedLong(blob.get(U32, MODIFIERS_OFFSET));
        if (formatsOffset + countFormats * 4 > length) throw bad(countFormats + " formats at " + formatsOffset + " run past " + length);
        if (modifiersOffset + countModifiers * MOD_SIZE > length) {
            throw bad(countModifiers + " modifiers at " + modifiersOffset + " run past " + length);
        }
        int[] formats = new int[(int) countFormats];
        for (int i = 0; i < formats.length; i++) formats[i] = blob.get(U32, formatsOffset + 4L * i);
        Map<Long, List<Integer>> out = new LinkedHashMap<>();
        for (long m = 0; m < countModifiers; m++) {
            long at = modifiersOffset + m * MOD_SIZE;
            long mask = blob.get(U64, at + MOD_FORMATS);
            long offset = Integer.toUnsignedLong(blob.get(U32, at + MOD_OFFSET));
            long modifier = blob.get(U64, at + MOD_MODIFIER);
            List<Integer> list = out.computeIfAbsent(modifier, k -> new ArrayList<>());
            for (int bit = 0; bit < 64; bit++) {
                if ((mask & (1L << bit)) == 0) continue;
                long index = offset + bit;
                if (index >= formats.length) throw bad("modifier " + m + " names format " + index + " of " + formats.length);
                if (!list.contains(formats[(int) index])) list.add(formats[(int) index]);
            }
        }
        // Keep formats in the blob's order within each modifier, as drm_info prints them.
        for (List<Integer> list : out.values()) {
            list.sort((a, b) -> Integer.compare(indexOf(formats, a), indexOf(formats, b)));
        }
        return out;
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        return -1;
    }

    private static DumpFormatException bad(String what) {
        return new DumpFormatException("IN_FORMATS blob", what);
    }
}
