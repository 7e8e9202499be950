package dev.ferry.renderer;

import java.util.concurrent.CompletableFuture;

/** Capability: import a dma-buf directly (EGLImage on a real GPU). */
public interface DmaBufImporter {
    DmaBufFormats dmaBufFormats();

    /** Completes with a texture or a rejection ({@link ImportRejection#DMABUF_IMPORT_UNSUPPORTED} where there is no driver support). */
    CompletableFuture<ImportResult> importDmaBuf(DmaBufSource source);
}
