package dev.ferry.drm;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.drm.uapi.PixelFormats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A set of format+modifier pairs, in order of preference (first listed is preferred).
 * Lookups scan small arrays: a device has a handful of formats, and commits check planes
 * every frame without allocating.
 */
public final class FormatTable {
    private final int[] formats;
    private final long[][] modifiers;

    private FormatTable(int[] formats, long[][] modifiers) {
        this.formats = formats;
        this.modifiers = modifiers;
    }

    public static final FormatTable EMPTY = new FormatTable(new int[0], new long[0][]);

    /** A table from fourcc to its modifiers, in the map's order (a LinkedHashMap keeps it). */
    public static FormatTable of(Map<Integer, List<Long>> map) {
        return fromMap(map);
    }

    private static FormatTable fromMap(Map<Integer, List<Long>> map) {
        int[] formats = new int[map.size()];
        long[][] mods = new long[map.size()][];
        int i = 0;
        for (var e : map.entrySet()) {
            formats[i] = e.getKey();
            mods[i] = e.getValue().stream().mapToLong(Long::longValue).toArray();
            i++;
        }
        return new FormatTable(formats, mods);
    }

    /** Union, keeping this table's order first. */
    FormatTable union(FormatTable other) {
        Map<Integer, List<Long>> map = new LinkedHashMap<>();
        for (FormatTable t : new FormatTable[] {this, other}) {
            for (int i = 0; i < t.formats.length; i++) {
                List<Long> mods = map.computeIfAbsent(t.formats[i], k -> new ArrayList<>());
                for (long m : t.modifiers[i]) if (!mods.contains(m)) mods.add(m);
            }
        }
        return fromMap(map);
    }

    private int indexOf(int fourcc) {
        for (int i = 0; i < formats.length; i++) if (formats[i] == fourcc) return i;
        return -1;
    }

    public boolean supportsFormat(int fourcc) {
        return indexOf(fourcc) >= 0;
    }

    public boolean supports(int fourcc, long modifier) {
        int i = indexOf(fourcc);
        if (i < 0) return false;
        for (long m : modifiers[i]) if (m == modifier) return true;
        return false;
    }

    /** The formats, in preference order (a copy). */
    public int[] formats() { return formats.clone(); }

    /** Modifiers for one format in preference order (a copy; empty if unsupported). */
    public long[] modifiers(int fourcc) {
        int i = indexOf(fourcc);
        return i < 0 ? new long[0] : modifiers[i].clone();
    }

    public boolean isEmpty() { return formats.length == 0; }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < formats.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(Fourcc.name(formats[i])).append(':');
            for (int j = 0; j < modifiers[i].length; j++) {
                sb.append(j == 0 ? "" : "|").append(Modifiers.name(modifiers[i][j]));
            }
        }
        return sb.append('}').toString();
    }
}
