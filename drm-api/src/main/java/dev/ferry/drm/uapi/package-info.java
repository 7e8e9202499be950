/**
 * Kernel-facing constants and pure functions shared with the renderer and clients: fourcc codes
 * ({@link dev.ferry.drm.uapi.Fourcc}), modifiers ({@link dev.ferry.drm.uapi.Modifiers}), the one
 * place that maps pixel coordinates to byte offsets per modifier ({@link dev.ferry.drm.uapi.Tiling}),
 * pixel encodings ({@link dev.ferry.drm.uapi.PixelFormats}) and single-pixel access
 * ({@link dev.ferry.drm.uapi.PixelAccess}).
 */
package dev.ferry.drm.uapi;
