package dev.ferry.renderer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A renderer starting on a thread of its own (EGL or Vulkan: loading the driver, creating a
 * context, compiling shaders), so that whoever asked builds the rest of what it needs meanwhile
 * instead of waiting for it first. {@link #join} hands the renderer over; until then it is this
 * object's, and {@link #abandon} closes it once it has started.
 */
public final class RendererStart {
    private final CompletableFuture<Renderer> started = new CompletableFuture<>();
    private boolean handedOver;

    private RendererStart() {}

    /** Starts the named renderer (see {@link Renderers#create}) on a new thread. */
    public static RendererStart begin(String name) {
        RendererStart s = new RendererStart();
        Thread.ofPlatform().name("ferry-renderer-start").daemon().start(() -> {
            try {
                s.started.complete(Renderers.create(name));
            } catch (Throwable t) {
                s.started.completeExceptionally(t);
            }
        });
        return s;
    }

    /** Waits for the renderer and hands it over: from now on the caller closes it. */
    public synchronized Renderer join() throws RendererUnavailableException {
        if (handedOver) throw new IllegalStateException("the renderer was handed over already");
        try {
            Renderer r = started.get();
            handedOver = true;
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon();
            throw new RendererUnavailableException("interrupted while the renderer started", e);
        } catch (ExecutionException e) {
            handedOver = true;
            switch (e.getCause()) {
                case RendererUnavailableException u -> throw u;
                case RuntimeException r -> throw r;
                case Error err -> throw err;
                default -> throw new RendererUnavailableException(e.getCause().toString(), e.getCause());
            }
        }
    }

    /** Nobody will take the renderer: it is closed as soon as it has started (now, if it has). */
    public synchronized void abandon() {
        if (handedOver) return;
        handedOver = true;
        started.thenAccept(Renderer::close);
    }
}
