package dev.ferry.protocol;

/**
 * A client broke the protocol: becomes wl_display.error(object, code, message) for that client,
 * which is then disconnected. Thrown from request handlers; caught by the connection.
 */
public final class ProtocolException extends RuntimeException {
    private final int objectId;
    private final int code;

    public ProtocolException(int objectId, int code, String message) {
        super(message, null, false, false);
        this.objectId = objectId;
        this.code = code;
    }

    public int objectId() { return objectId; }
    public int code() { return code; }
}
