package dev.ferry.compositor.buffer;

/**
 * An explicit-sync release point (wp_linux_drm_syncobj_surface_v1.set_release_point): signalled
 * once, when the compositor has stopped reading the buffer committed with it.
 */
public interface ReleasePoint {
    void signal();
}
