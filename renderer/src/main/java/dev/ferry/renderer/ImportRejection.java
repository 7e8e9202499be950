package dev.ferry.renderer;

/** Why a renderer refused a buffer. Each reason is distinct so the compositor can report it and react. */
public enum ImportRejection {
    /** The fourcc is not one this renderer samples. */
    UNSUPPORTED_FORMAT,
    /** The modifier's layout is unknown here (no {@link TileLayout} registered, or not offered by the driver). */
    UNSUPPORTED_MODIFIER,
    /** Width or height is zero, negative, or larger than the renderer can sample. */
    BAD_DIMENSIONS,
    /** A plane's stride is smaller than a row or not a multiple of the pixel size. */
    BAD_STRIDE,
    /** The format needs a different number of planes. */
    BAD_PLANE_COUNT,
    /** A plane's memory ends before its last row does. */
    SOURCE_TOO_SMALL,
    /** The memory cannot be read where the renderer reads it (a confined arena owned by another thread, or already closed). */
    SOURCE_UNREADABLE,
    /** The memory is on the Java heap; the GPU upload needs native memory. */
    NOT_NATIVE_MEMORY,
    /** The driver has no EGL_EXT_image_dma_buf_import (llvmpipe), or this renderer cannot import dma-bufs at all. */
    DMABUF_IMPORT_UNSUPPORTED,
    /** The driver offered dma-buf import but refused this buffer. */
    DMABUF_IMPORT_FAILED,
    /** The GPU refused the upload (out of memory, or an error the driver reported). */
    UPLOAD_FAILED,
    /** The GPU context is lost; nothing more can be imported into it. */
    CONTEXT_LOST,
    /** The render thread's bounded command queue is full; try again next frame. */
    QUEUE_FULL,
    /** The renderer has been closed. */
    RENDERER_CLOSED
}
