package dev.ferry.drm;

/**
 * A KMS plane. {@code possibleCrtcs}: bit i set if it can be attached to CRTC index i.
 * Size limits bound both source and destination; without {@code scaling}, both must match.
 */
public record Plane(int id, PlaneType type, int possibleCrtcs, FormatTable formats,
                    int maxWidth, int maxHeight, boolean scaling, int zpos) {}
