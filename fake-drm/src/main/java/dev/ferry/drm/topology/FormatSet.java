package dev.ferry.drm.topology;

import java.util.List;

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
}
