package dev.ferry.drm;

/** Why a device attaches a dma-buf: the rules differ (scanout is the stricter). */
public enum ImportPurpose {
    /** Read by the GPU as a texture. */
    SAMPLING,
    /** Put on a KMS plane. */
    SCANOUT
}
