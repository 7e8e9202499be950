package dev.ferry.drm.topology.dump;

/** A drm_info dump that is not one: the message names the line or the field, and what was expected there. */
public final class DumpFormatException extends IllegalArgumentException {
    public DumpFormatException(String where, String what) {
        super(where + ": " + what);
    }
}
