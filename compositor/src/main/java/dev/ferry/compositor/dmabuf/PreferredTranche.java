package dev.ferry.compositor.dmabuf;

/**
 * A tranche a backend wants offered before the main device's own render tranche, as
 * format/modifier pairs (nested: one of the host compositor's tranches). Only the pairs that are
 * also in Ferry's format table are offered, so a client never allocates something Ferry could
 * not compose when the preferred path misses.
 */
public record PreferredTranche(long targetDevT, int flags, int[] formats, long[] modifiers) {
    public PreferredTranche {
        if (formats.length != modifiers.length) {
            throw new IllegalArgumentException(formats.length + " formats but " + modifiers.length + " modifiers");
        }
    }
}
