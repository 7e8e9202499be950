package dev.ferry.drm;

public enum PlaneType {
    PRIMARY, OVERLAY, CURSOR
}
