package dev.ferry.renderer;

import java.util.Map;

/**
 * What a renderer can import as dma-bufs, as queried from the driver: fourcc to modifiers.
 * Empty with {@code importable == false} where the driver has no dma-buf import, and then
 * {@code why} says so; the compositor builds its linux-dmabuf format table from this.
 */
public record DmaBufFormats(boolean importable, Map<Integer, long[]> modifiersByFourcc, String why) {
    public static DmaBufFormats none(String why) {
        return new DmaBufFormats(false, Map.of(), why);
    }
}
