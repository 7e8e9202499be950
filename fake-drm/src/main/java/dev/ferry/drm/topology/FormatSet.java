package dev.ferry.drm.topology;

import dev.ferry.drm.FormatTable;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.drm.uapi.PixelFormats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every format in {@code formats} with every modifier in {@code modifiers} (names as in
 * {@code PixelFormats.parse} and {@code Modifiers.parse}). Lists of these are how a topology
 * file spells format+modifier tables without repeating itself.
 */
public record FormatSet(List<String> formats, List<String> modifiers) {
    public FormatSet {
        formats = List.copyOf(formats == null ? List.of() : formats);
        modifiers = List.copyOf(modifiers == null ? List.of("LINEAR") : modifiers);
    }

    /** The format table these sets spell, formats in first-seen order, each modifier once. */
    public static FormatTable table(List<FormatSet> sets) {
        Map<Integer, List<Long>> map = new LinkedHashMap<>();
        for (FormatSet set : sets) {
            for (String f : set.formats()) {
                List<Long> mods = map.computeIfAbsent(PixelFormats.parse(f), k -> new ArrayList<>());
                for (String m : set.modifiers()) {
                    long mod = Modifiers.parse(m);
                    if (!mods.contains(mod)) mods.add(mod);
                }
            }
        }
        return FormatTable.of(map);
    }
}
