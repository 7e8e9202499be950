package dev.ferry.renderer;

/** A renderer could not start (no EGL, no GLES 3 context, ...); the message says which step failed. */
public final class RendererUnavailableException extends Exception {
    public RendererUnavailableException(String message) {
        super(message);
    }

    public RendererUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
