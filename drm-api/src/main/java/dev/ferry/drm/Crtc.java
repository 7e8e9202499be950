package dev.ferry.drm;

/** A CRTC: a scanout engine producing one video signal. {@code index} is its bit in possible-CRTC masks. */
public record Crtc(int id, int index) {}
