package dev.ferry.protocol;

/**
 * Argument types of the wire format, as bytes so a message signature is a byte array.
 * Every argument is a sequence of 32-bit words, except FD, which travels out of band.
 */
public final class ArgType {
    private ArgType() {}

    public static final byte INT = 'i';
    public static final byte UINT = 'u';
    /** Signed 24.8 fixed point. */
    public static final byte FIXED = 'f';
    /** u32 length including the NUL, bytes, padding to 4; length 0 is a null string. */
    public static final byte STRING = 's';
    /** An object id, 0 for null. */
    public static final byte OBJECT = 'o';
    /** A new object id, never 0. Untyped ones are preceded on the wire by interface name and version. */
    public static final byte NEW_ID = 'n';
    /** u32 length, bytes, padding to 4. */
    public static final byte ARRAY = 'a';
    /** A file descriptor, carried as SCM_RIGHTS ancillary data. */
    public static final byte FD = 'h';

    public static String name(byte type) {
        return switch (type) {
            case INT -> "int";
            case UINT -> "uint";
            case FIXED -> "fixed";
            case STRING -> "string";
            case OBJECT -> "object";
            case NEW_ID -> "new_id";
            case ARRAY -> "array";
            case FD -> "fd";
            default -> "?";
        };
    }
}
