package dev.ferry.renderer;

/**
 * Brackets CPU reads of a buffer whose memory needs cache maintenance (dma-buf
 * DMA_BUF_IOCTL_SYNC, fake-drm's begin/end CPU access). The renderer calls {@link #begin()}
 * before it reads the pixels and {@link #end()} after, on whichever thread reads them.
 */
public interface CpuAccess {
    CpuAccess NONE = new CpuAccess() {
        @Override public void begin() {}
        @Override public void end() {}
    };

    void begin();

    void end();
}
